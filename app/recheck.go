package app

import (
	"crypto/sha256"

	"github.com/custos-ledger/custos/internal/bounded"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// admitted remembers the txs CheckTx accepted: their signatures are then
// verified and cached, so FinalizeBlock's batch pass can skip them. For an
// operation that bumps the version it also keeps the DID and the version
// the tx expects, so that a recheck after each block (CometBFT re-runs
// CheckTx on every tx left in the mempool, holding the mempool lock) can
// decide with one head read: such an operation applies exactly while the
// DID is still at the version it expects, because every change to the DID
// bumps its version. Other operations (guardians, recovery) depend on more
// than the version and are rechecked in full. Bounded; forgets the oldest
// first. Not consensus: FinalizeBlock decides.
type admitted struct {
	m *bounded.Map[[32]byte, admission]
}

type admission struct {
	bumps    bool // the operation bumps the version: did and expected are set
	did      types.ID
	expected uint64 // 0: a create (the DID must not exist)
}

func newAdmitted(capacity int) *admitted {
	return &admitted{m: bounded.New[[32]byte, admission](capacity)}
}

// remember records an accepted tx.
func (a *admitted) remember(tx []byte, out keeper.Outcome) {
	if a.m.Cap() == 0 {
		return
	}
	ad := admission{bumps: bumpsVersion(out.Kind)}
	if ad.bumps {
		ad.did, ad.expected = out.DID, out.Version-1
	}
	a.m.Add(sha256.Sum256(tx), ad)
}

func (a *admitted) lookup(tx []byte) (admission, bool) {
	return a.m.Get(sha256.Sum256(tx))
}

// unseen returns the txs of txs that CheckTx has not accepted, as far as
// the bounded memory goes.
func (a *admitted) unseen(txs [][]byte) [][]byte {
	var out [][]byte
	for _, tx := range txs {
		if _, ok := a.lookup(tx); !ok {
			out = append(out, tx)
		}
	}
	return out
}

func bumpsVersion(k types.EventKind) bool {
	switch k {
	case types.EVENT_KIND_CREATED, types.EVENT_KIND_UPDATED, types.EVENT_KIND_KEY_ROTATED,
		types.EVENT_KIND_KEY_REVOKED, types.EVENT_KIND_DEACTIVATED:
		return true
	}
	return false
}

// stillApplies reports whether an admitted tx still applies to state r: it
// is known, and its DID is at the version it expects (absent for a
// create). ok is false when the fast path cannot tell.
func (a *admitted) stillApplies(r keeper.Reader, tx []byte) (applies, ok bool) {
	ad, known := a.lookup(tx)
	if !known || !ad.bumps {
		return false, false
	}
	head, err := keeper.GetHead(r, ad.did)
	if err != nil {
		return false, false
	}
	if ad.expected == 0 {
		return head == nil, true
	}
	return head != nil && !head.Deactivated && head.Version == ad.expected, true
}
