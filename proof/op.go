package proof

import (
	"errors"
	"fmt"

	"github.com/cometbft/cometbft/crypto/merkle"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	"github.com/pokt-network/smt"

	"github.com/custos-ledger/custos/x/did/types"
)

// OpType is the ProofOp type of a Custos state proof.
const OpType = "custos:smt:v1"

// maxSideNodes bounds a decoded proof (the tree is 256 levels deep).
const maxSideNodes = 256

// Op is a ProofOperator for one state key.
type Op struct {
	key   []byte
	root  []byte
	proof *smt.SparseCompactMerkleProof
}

var _ merkle.ProofOperator = Op{}

// NewOp returns the operator that proves key against root with p.
func NewOp(key, root []byte, p *smt.SparseCompactMerkleProof) Op {
	return Op{key: key, root: root, proof: p}
}

// GetKey returns the state key the operator proves.
func (o Op) GetKey() []byte { return o.key }

// Run checks the proof: with one argument, that the key holds that value;
// with none, that the key is absent. It returns the root the proof is
// under.
func (o Op) Run(args [][]byte) ([][]byte, error) {
	var value []byte
	switch len(args) {
	case 0:
	case 1:
		if len(args[0]) == 0 {
			return nil, errors.New("custos proof: an empty value cannot be proved present")
		}
		value = args[0]
	default:
		return nil, fmt.Errorf("custos proof: want 0 or 1 values, got %d", len(args))
	}
	ok, err := VerifyTree(o.proof, o.root, o.key, value)
	if err != nil {
		return nil, fmt.Errorf("custos proof: %w", err)
	}
	if !ok {
		if value == nil {
			return nil, fmt.Errorf("custos proof: key %x is not proved absent", o.key)
		}
		return nil, fmt.Errorf("custos proof: value of key %x does not match the proof", o.key)
	}
	return [][]byte{o.root}, nil
}

// ProofOp encodes the operator.
func (o Op) ProofOp() cmtcrypto.ProofOp {
	p := types.SMTProof{
		Root: o.root, SideNodes: o.proof.SideNodes, NonMembershipLeafData: o.proof.NonMembershipLeafData,
		BitMask: o.proof.BitMask, NumSideNodes: uint32(o.proof.NumSideNodes), SiblingData: o.proof.SiblingData,
	}
	data, err := p.Marshal()
	if err != nil {
		panic("proof: encoding a proof cannot fail: " + err.Error())
	}
	return cmtcrypto.ProofOp{Type: OpType, Key: o.key, Data: data}
}

// Decode is the OpDecoder of OpType; it bounds the proof before use.
func Decode(op cmtcrypto.ProofOp) (merkle.ProofOperator, error) {
	if op.Type != OpType {
		return nil, fmt.Errorf("custos proof: unexpected op type %q", op.Type)
	}
	var p types.SMTProof
	if err := p.Unmarshal(op.Data); err != nil {
		return nil, fmt.Errorf("custos proof: decode: %w", err)
	}
	if len(p.SideNodes) > maxSideNodes || p.NumSideNodes > maxSideNodes || len(p.Root) != 32 {
		return nil, errors.New("custos proof: malformed proof")
	}
	return Op{key: op.Key, root: p.Root, proof: &smt.SparseCompactMerkleProof{
		SideNodes: p.SideNodes, NonMembershipLeafData: p.NonMembershipLeafData,
		BitMask: p.BitMask, NumSideNodes: int(p.NumSideNodes), SiblingData: p.SiblingData,
	}}, nil
}

// Runtime returns a ProofRuntime that knows Custos state proofs.
func Runtime() *merkle.ProofRuntime {
	prt := merkle.NewProofRuntime()
	prt.RegisterOpDecoder(OpType, Decode)
	prt.RegisterOpDecoder(LogOpType, DecodeLog)
	return prt
}

// KeyPath is the merkle key path of a state key, outermost first:
// "/x:<hex>" for a tree leaf; "/x:<head>/x:<hex>" for a version or history
// entry, proved through its DID's head.
func KeyPath(key []byte) string {
	kp := merkle.KeyPath{}
	if _, id, _, ok := types.ParseLogKey(key); ok {
		kp = kp.AppendKey(types.HeadKey(id), merkle.KeyEncodingHex)
	}
	return kp.AppendKey(key, merkle.KeyEncodingHex).String()
}

// KeyPathFn is light/rpc's KeyPathFunc for Custos: answers to proved
// queries carry the key path itself as their key.
func KeyPathFn(_ string, key []byte) (merkle.KeyPath, error) {
	keys, err := merkle.KeyPathToKeys(string(key))
	if err != nil || len(keys) == 0 || string(key) != KeyPath(keys[len(keys)-1]) {
		return nil, fmt.Errorf("custos proof: %q is not the key path of a state key", key)
	}
	kp := merkle.KeyPath{}
	for _, k := range keys {
		kp = kp.AppendKey(k, merkle.KeyEncodingHex)
	}
	return kp, nil
}

// Verify checks ops against a trusted app hash: the state key holds value,
// or, with a nil value, is absent.
func Verify(ops *cmtcrypto.ProofOps, appHash, key, value []byte) error {
	if ops == nil || len(ops.Ops) == 0 {
		return errors.New("custos proof: the answer carries no proof")
	}
	prt := Runtime()
	if value == nil {
		return prt.VerifyAbsence(ops, appHash, KeyPath(key))
	}
	return prt.VerifyValue(ops, appHash, KeyPath(key), value)
}

// Root returns the root the proof claims (checked only by Run).
func (o Op) Root() []byte { return append([]byte(nil), o.root...) }
