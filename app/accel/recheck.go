package accel

import (
	"crypto/sha256"

	"github.com/custos-ledger/custos/internal/bounded"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// admitted remembers the txs CheckTx accepted: their signatures are then
// verified and remembered, so prewarming skips them. For a tx whose
// acceptance depends only on its target's head (keeper.DependsOnlyOnHead),
// it also keeps the target and the digest of its head as the check read
// it, and the keeper (so the params) it was accepted under, so that a recheck after each block (CometBFT re-runs CheckTx on every
// tx left in the mempool, holding the mempool lock) can decide with one
// head read: the tx still applies while that head and the keeper are
// unchanged (a governance write-policy change makes a new keeper). Other txs
// are rechecked in full. Bounded; forgets the oldest first. Not consensus:
// FinalizeBlock decides.
type admitted struct {
	m        *bounded.Map[[32]byte, admission]
	headOnly func(types.Params, *types.TxBody) bool
}

type admission struct {
	headOnly bool // the acceptance depends only on the head: did and head are set
	did      types.ID
	head     [32]byte // SHA-256 of the head's encoding; zero: no head (a create)
	// keeper is the keeper the check ran with: its params decided the
	// acceptance as much as the head did.
	keeper *keeper.Keeper
}

func newAdmitted(capacity int, headOnly func(types.Params, *types.TxBody) bool) *admitted {
	if headOnly == nil {
		headOnly = keeper.DependsOnlyOnHead
	}
	return &admitted{m: bounded.New[[32]byte, admission](capacity), headOnly: headOnly}
}

// remember records a tx that CheckTx accepted against r. A failure to read
// the head only leaves the tx to full rechecks.
func (a *admitted) remember(k *keeper.Keeper, r keeper.Reader, tx []byte) {
	if a.m.Cap() == 0 {
		return
	}
	p, err := k.Parse(tx)
	if err != nil {
		return
	}
	var ad admission
	if id, err := p.Target(); err == nil && a.headOnly(k.Params(), p.Body()) {
		if h, err := headDigest(r, id); err == nil {
			ad = admission{headOnly: true, did: id, head: h, keeper: k}
		}
	}
	a.m.Add(p.Hash(), ad)
}

func (a *admitted) lookup(tx []byte) (admission, bool) {
	return a.m.Get(sha256.Sum256(tx))
}

// unseen returns the txs of txs that CheckTx has not accepted, as far as
// the bounded memory goes.
func (a *admitted) unseen(txs [][]byte) [][]byte {
	if a.m.Cap() == 0 {
		return txs
	}
	var out [][]byte
	for _, tx := range txs {
		if _, ok := a.lookup(tx); !ok {
			out = append(out, tx)
		}
	}
	return out
}

// stillApplies reports whether an admitted tx still applies to state r
// under keeper k: it is remembered, its acceptance depends only on its
// target's head, it was accepted under k (whose params are r's), and that
// head is the one it was accepted against. false means a full recheck
// must decide.
func (a *admitted) stillApplies(k *keeper.Keeper, r keeper.Reader, tx []byte) bool {
	ad, known := a.lookup(tx)
	if !known || !ad.headOnly || ad.keeper != k {
		return false
	}
	h, err := headDigest(r, ad.did)
	return err == nil && h == ad.head
}

// headDigest returns the SHA-256 of id's head in r, zero when it has none.
func headDigest(r keeper.Reader, id types.ID) ([32]byte, error) {
	raw, err := r.Get(types.HeadKey(id))
	if err != nil || raw == nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(raw), nil
}
