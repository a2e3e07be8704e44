package proof

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/cometbft/cometbft/crypto/merkle"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"

	"github.com/custos-ledger/custos/x/did/types"
)

// LogOpType is the ProofOp type that proves a version or history entry of
// a DID against the DID's head (types.LogProof). It comes before the
// OpType op that proves the head against the app hash.
const LogOpType = "custos:log:v1"

// maxLater bounds the step digests a decoded log proof carries.
const maxLater = 1 << 24

// LogOp is a ProofOperator for one version (v/) or history entry (e/) key.
type LogOp struct {
	key []byte
	p   types.LogProof
}

var _ merkle.ProofOperator = LogOp{}

// NewLogOp returns the operator that proves key's record against the head
// that p carries.
func NewLogOp(key []byte, p types.LogProof) LogOp { return LogOp{key: key, p: p} }

// GetKey returns the state key the operator proves.
func (o LogOp) GetKey() []byte { return o.key }

// Run checks, with one argument, that the key holds that value in the log
// of the head the proof carries; with none, that the head (or the absence
// of a head) shows the key does not exist. It returns the head, or nothing
// when the DID is absent, for the tree op that follows.
func (o LogOp) Run(args [][]byte) ([][]byte, error) {
	isVersion, _, n, ok := types.ParseLogKey(o.key)
	if !ok {
		return nil, fmt.Errorf("custos log proof: %x is not a version or history entry key", o.key)
	}
	switch len(args) {
	case 0:
		if len(o.p.Head) == 0 {
			if len(o.p.Prev) != 0 || len(o.p.Other) != 0 || len(o.p.Later) != 0 {
				return nil, errors.New("custos log proof: an absent DID's proof carries log digests")
			}
			return nil, nil // the tree op proves the head absent
		}
		var head types.Head
		if err := head.Unmarshal(o.p.Head); err != nil {
			return nil, fmt.Errorf("custos log proof: head: %w", err)
		}
		if head.HasLogRecord(isVersion, n) {
			return nil, fmt.Errorf("custos log proof: key %x exists under this head", o.key)
		}
		return [][]byte{o.p.Head}, nil
	case 1:
	default:
		return nil, fmt.Errorf("custos log proof: want 0 or 1 values, got %d", len(args))
	}
	if len(args[0]) == 0 {
		return nil, errors.New("custos log proof: an empty value cannot be proved present")
	}
	var head types.Head
	if len(o.p.Head) == 0 {
		return nil, errors.New("custos log proof: no head")
	}
	if err := head.Unmarshal(o.p.Head); err != nil {
		return nil, fmt.Errorf("custos log proof: head: %w", err)
	}
	if !head.HasLogRecord(isVersion, n) {
		return nil, fmt.Errorf("custos log proof: key %x is beyond this head", o.key)
	}
	if !digestOrEmpty(o.p.Prev) || !digestOrEmpty(o.p.Other) {
		return nil, errors.New("custos log proof: malformed digest")
	}
	r := types.RecordDigest(o.key, args[0])
	var step []byte
	switch {
	case isVersion && len(o.p.Other) == 0:
		return nil, errors.New("custos log proof: a version's proof needs the digest of the entry that made it")
	case isVersion:
		step = types.StepDigest(r, o.p.Other)
	case len(o.p.Other) == 0:
		step = types.StepDigest(nil, r)
	default:
		step = types.StepDigest(o.p.Other, r)
	}
	l := types.ChainLog(o.p.Prev, step)
	for _, d := range o.p.Later {
		if len(d) != types.LogDigestLen {
			return nil, errors.New("custos log proof: malformed digest")
		}
		l = types.ChainLog(l, d)
	}
	if !bytes.Equal(l, head.Log) {
		return nil, fmt.Errorf("custos log proof: value of key %x does not match the head's log", o.key)
	}
	return [][]byte{o.p.Head}, nil
}

func digestOrEmpty(b []byte) bool { return len(b) == 0 || len(b) == types.LogDigestLen }

// ProofOp encodes the operator.
func (o LogOp) ProofOp() cmtcrypto.ProofOp {
	data, err := o.p.Marshal()
	if err != nil {
		panic("proof: encoding a proof cannot fail: " + err.Error())
	}
	return cmtcrypto.ProofOp{Type: LogOpType, Key: o.key, Data: data}
}

// DecodeLog is the OpDecoder of LogOpType; it bounds the proof before use.
func DecodeLog(op cmtcrypto.ProofOp) (merkle.ProofOperator, error) {
	if op.Type != LogOpType {
		return nil, fmt.Errorf("custos proof: unexpected op type %q", op.Type)
	}
	if !types.IsLogKey(op.Key) {
		return nil, fmt.Errorf("custos log proof: %x is not a version or history entry key", op.Key)
	}
	var p types.LogProof
	if err := p.Unmarshal(op.Data); err != nil {
		return nil, fmt.Errorf("custos log proof: decode: %w", err)
	}
	if len(p.Later) > maxLater {
		return nil, errors.New("custos log proof: malformed proof")
	}
	return LogOp{key: append([]byte(nil), op.Key...), p: p}, nil
}
