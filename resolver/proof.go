package resolver

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	rpcclient "github.com/cometbft/cometbft/rpc/client"

	"github.com/custos-ledger/custos/proof"
	"github.com/custos-ledger/custos/proof/prover"
	"github.com/custos-ledger/custos/x/did/types"
)

// ProvingSource is a Source that can prove what it reads (?proof=true).
type ProvingSource interface {
	// ProvedView opens a view at the latest provable height: the one
	// before the last committed, whose app hash header H+1 carries.
	ProvedView(ctx context.Context) (ProvedView, error)
}

// ProvedView is a View that keeps a proof of every key it read.
type ProvedView interface {
	View
	// Proofs returns what was read, in order, with proofs.
	Proofs() []Proved
	// AppHash is the app hash the proofs are under (as the node claims
	// it; clients check it against header Height+1).
	AppHash() ([]byte, error)
}

// Proved is one state key read with its proof.
type Proved struct {
	Key   []byte
	Value []byte // nil: proved absent
	Ops   []cmtcrypto.ProofOp
}

// proofMeta is the "custos" member of didResolutionMetadata under
// ?proof=true.
type proofMeta struct {
	Height  int64        `json:"height"`
	AppHash string       `json:"appHash"`
	Note    string       `json:"note"`
	Proofs  []proofEntry `json:"proofs"`
}

type proofEntry struct {
	Key      string    `json:"key"`
	KeyPath  string    `json:"keyPath"`
	Value    string    `json:"value,omitempty"` // base64; absent: proved absent
	ProofOps []proofOp `json:"proofOps"`
}

type proofOp struct {
	Type string `json:"type"`
	Key  string `json:"key"`
	Data string `json:"data"`
}

// renderProofs builds the metadata of a proved view.
func renderProofs(v ProvedView) (*proofMeta, error) {
	h, err := v.Height()
	if err != nil {
		return nil, err
	}
	hash, err := v.AppHash()
	if err != nil {
		return nil, err
	}
	m := &proofMeta{Height: h, AppHash: fmt.Sprintf("%X", hash),
		Note: "each value is proved by its ProofOps (custos:smt:v1, after custos:log:v1 for versions and history entries) against appHash, which header height+1 carries; verify with package verify or custos resolve --verify"}
	for _, p := range v.Proofs() {
		e := proofEntry{Key: hex.EncodeToString(p.Key), KeyPath: proof.KeyPath(p.Key)}
		for _, op := range p.Ops {
			e.ProofOps = append(e.ProofOps, proofOp{Type: op.Type, Key: base64.StdEncoding.EncodeToString(op.Key), Data: base64.StdEncoding.EncodeToString(op.Data)})
		}
		if p.Value != nil {
			e.Value = base64.StdEncoding.EncodeToString(p.Value)
		}
		m.Proofs = append(m.Proofs, e)
	}
	return m, nil
}

// ProvedView implements ProvingSource from the local store.
func (s *LocalSource) ProvedView(context.Context) (ProvedView, error) {
	h := s.db.LastCommit().Height - 1
	if h < 1 {
		return nil, ErrNoState
	}
	return &localProved{src: s, height: h}, nil
}

type localProved struct {
	src    *LocalSource
	height int64
	proofs []Proved
}

func (v *localProved) Get(key []byte) ([]byte, error) {
	p, err := prover.Prove(v.src.db, v.height, key)
	if err != nil {
		return nil, err
	}
	v.proofs = append(v.proofs, Proved{Key: p.Key, Value: p.Value, Ops: p.Ops})
	return p.Value, nil
}

func (v *localProved) Height() (int64, error) { return v.height, nil }

func (v *localProved) BlockTime() (int64, bool, error) {
	if v.src.blockTime == nil {
		return 0, false, nil
	}
	t, ok := v.src.blockTime(v.height)
	return t.Unix(), ok, nil
}

func (v *localProved) Close() {}

func (v *localProved) Proofs() []Proved { return v.proofs }

func (v *localProved) AppHash() ([]byte, error) { return v.src.db.RootAt(v.height) }

// ProvedView implements ProvingSource over the node's RPC: every read is a
// proved /state query at one height.
func (s *RPCSource) ProvedView(ctx context.Context) (ProvedView, error) {
	return &rpcProved{ctx: ctx, src: s}, nil
}

type rpcProved struct {
	ctx    context.Context
	src    *RPCSource
	height int64
	root   []byte
	proofs []Proved
}

func (v *rpcProved) Get(key []byte) ([]byte, error) {
	res, err := v.src.client.ABCIQueryWithOptions(v.ctx, types.QueryPathState, key, rpcclient.ABCIQueryOptions{Height: v.height, Prove: true})
	if err != nil {
		return nil, errNode{err}
	}
	r := res.Response
	if r.Code != 0 {
		return nil, errNode{fmt.Errorf("proved query at height %d: code %d: %s", v.height, r.Code, r.Log)}
	}
	if r.ProofOps == nil || len(r.ProofOps.Ops) == 0 {
		return nil, errNode{errors.New("the node answered a proved query without its proof")}
	}
	if v.height == 0 {
		v.height = r.Height
	}
	ops := r.ProofOps.Ops
	op, err := proof.Decode(ops[len(ops)-1]) // the tree op, last, names the root
	if err != nil {
		return nil, errNode{err}
	}
	if v.root == nil {
		v.root = op.(proof.Op).Root()
	}
	value := r.Value
	if len(value) == 0 {
		value = nil
	}
	v.proofs = append(v.proofs, Proved{Key: append([]byte(nil), key...), Value: value, Ops: ops})
	return value, nil
}

func (v *rpcProved) Height() (int64, error) {
	if v.height == 0 {
		if _, err := v.Get(types.ChainIDKey()); err != nil {
			return 0, err
		}
	}
	return v.height, nil
}

func (v *rpcProved) BlockTime() (int64, bool, error) {
	h, err := v.Height()
	if err != nil {
		return 0, false, err
	}
	res, err := v.src.client.Header(v.ctx, &h)
	if err != nil {
		return 0, false, errNode{err}
	}
	if res.Header == nil {
		return 0, false, nil
	}
	return res.Header.Time.Unix(), true, nil
}

func (v *rpcProved) Close() {}

func (v *rpcProved) Proofs() []Proved { return v.proofs }

func (v *rpcProved) AppHash() ([]byte, error) {
	if v.root == nil {
		if _, err := v.Height(); err != nil {
			return nil, err
		}
	}
	return v.root, nil
}
