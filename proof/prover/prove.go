package prover

import (
	"fmt"
	"sort"

	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"

	"github.com/custos-ledger/custos/proof"
	"github.com/custos-ledger/custos/store"
	"github.com/custos-ledger/custos/x/did/types"
)

// Proved is a state key's value at a height with the ProofOps that bind it
// to the app hash of that height, in the order CometBFT's ProofRuntime runs
// them. A nil Value is proved absent.
type Proved struct {
	Height  int64
	AppHash []byte
	Key     []byte
	Value   []byte
	Ops     []cmtcrypto.ProofOp
}

// Prove reads key at height and proves it: a tree leaf by one OpType op; a
// version or history entry, kept out of the tree, by a LogOpType op
// against its DID's head and the OpType op of the head.
func Prove(db *store.DB, height int64, key []byte) (Proved, error) {
	isVersion, id, n, isLog := types.ParseLogKey(key)
	if !isLog {
		p, err := db.Prove(height, key)
		if err != nil {
			return Proved{}, err
		}
		return Proved{Height: height, AppHash: p.AppHash, Key: p.Key, Value: p.Value, Ops: []cmtcrypto.ProofOp{fromStore(p).ProofOp()}}, nil
	}
	hp, err := db.Prove(height, types.HeadKey(id))
	if err != nil {
		return Proved{}, err
	}
	out := Proved{Height: height, AppHash: hp.AppHash, Key: append([]byte(nil), key...)}
	lp := types.LogProof{Head: hp.Value}
	if hp.Value != nil {
		var head types.Head
		if err := head.Unmarshal(hp.Value); err != nil {
			return Proved{}, fmt.Errorf("proof: head of %s: %w", id, err)
		}
		if head.HasLogRecord(isVersion, n) {
			l := logReader{db: db, id: id}
			if out.Value, lp, err = l.prove(&head, isVersion, n); err != nil {
				return Proved{}, err
			}
			lp.Head = hp.Value
		}
	}
	out.Ops = []cmtcrypto.ProofOp{proof.NewLogOp(out.Key, lp).ProofOp(), fromStore(hp).ProofOp()}
	return out, nil
}

// logReader reads one DID's versions and history entries; they are
// immutable, so the latest state serves every height whose head counts
// them.
type logReader struct {
	db *store.DB
	id types.ID
}

func (l logReader) raw(key []byte) ([]byte, error) {
	b, err := l.db.Get(key)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, fmt.Errorf("proof: %x is missing from the state", key)
	}
	return b, nil
}

func (l logReader) entry(seq uint64) (*types.HistoryEntry, []byte, error) {
	key := types.EventKey(l.id, seq)
	b, err := l.raw(key)
	if err != nil {
		return nil, nil, err
	}
	var ev types.HistoryEntry
	if err := ev.Unmarshal(b); err != nil {
		return nil, nil, fmt.Errorf("proof: entry %d of %s: %w", seq, l.id, err)
	}
	return &ev, b, nil
}

// versionDigest is R of the version record of version.
func (l logReader) versionDigest(version uint64) ([]byte, []byte, error) {
	key := types.VersionKey(l.id, version)
	b, err := l.raw(key)
	if err != nil {
		return nil, nil, err
	}
	return types.RecordDigest(key, b), b, nil
}

// prove builds the log proof of version n (isVersion) or entry n, which
// head counts, and returns the record's value.
func (l logReader) prove(head *types.Head, isVersion bool, n uint64) ([]byte, types.LogProof, error) {
	seq := n
	if isVersion {
		// The entry that made version n: the first whose version is n.
		var err error
		i := sort.Search(int(head.Events), func(i int) bool {
			if err != nil {
				return true
			}
			var ev *types.HistoryEntry
			ev, _, err = l.entry(uint64(i) + 1)
			return err == nil && ev.Version >= n
		})
		if err != nil {
			return nil, types.LogProof{}, err
		}
		seq = uint64(i) + 1
	}
	var lp types.LogProof
	var value []byte
	prevVersion := uint64(0)
	if seq > 1 {
		ev, _, err := l.entry(seq - 1)
		if err != nil {
			return nil, types.LogProof{}, err
		}
		prevVersion = ev.Version
	}
	for s := seq; s <= head.Events; s++ {
		ev, b, err := l.entry(s)
		if err != nil {
			return nil, types.LogProof{}, err
		}
		re := types.RecordDigest(types.EventKey(l.id, s), b)
		var rv []byte
		if ev.Version > prevVersion {
			var vb []byte
			if rv, vb, err = l.versionDigest(ev.Version); err != nil {
				return nil, types.LogProof{}, err
			}
			if s == seq && isVersion {
				value = vb
			}
		}
		prevVersion = ev.Version
		if s > seq {
			lp.Later = append(lp.Later, types.StepDigest(rv, re))
			continue
		}
		lp.Prev = ev.PrevLog
		switch {
		case isVersion && (rv == nil || ev.Version != n):
			return nil, types.LogProof{}, fmt.Errorf("proof: entry %d of %s did not make version %d", s, l.id, n)
		case isVersion:
			lp.Other = re
		default:
			lp.Other, value = rv, b
		}
	}
	return value, lp, nil
}

// fromStore converts a store proof into a tree operator.
func fromStore(p store.Proof) proof.Op {
	return proof.NewOp(p.Key, p.AppHash, p.Proof)
}
