package accel

import (
	"bytes"
	"sync"

	"github.com/custos-ledger/custos/x/did/keeper"
)

// Engine is the accelerations of one node's app, as its Config says. The
// app hands the keeper Facts, and calls the hooks below at the ABCI edge:
// each may save work, none decides anything. Safe for concurrent use.
type Engine struct {
	cfg   Config
	facts keeper.Facts
	sigs  *SigCache
	seen  *admitted

	mu sync.Mutex
	// prewarmed is the hash of the last block ProcessProposal accepted:
	// its signatures are verified and remembered.
	prewarmed []byte
}

// New returns the accelerations cfg asks for.
func New(cfg Config) *Engine {
	f := NewFacts(cfg)
	var facts keeper.Facts = f
	if cfg.wrapFacts != nil {
		facts = cfg.wrapFacts(f)
	}
	return &Engine{cfg: cfg, facts: facts, sigs: f.sigs, seen: newAdmitted(cfg.Admitted, cfg.headOnly)}
}

// Facts returns the facts the keeper should ask.
func (e *Engine) Facts() keeper.Facts { return e.facts }

// SigStats returns the signature memory's hits and fresh verifications.
func (e *Engine) SigStats() (hits, verified uint64) { return e.sigs.Stats() }

// Admit records that CheckTx accepted tx against state r.
func (e *Engine) Admit(k *keeper.Keeper, r keeper.Reader, tx []byte) { e.seen.remember(k, r, tx) }

// StillApplies reports whether a recheck of tx against r may answer
// "accepted" without checking it in full (Config.RecheckShortcut). false
// says nothing: the tx must be checked.
//
// k is the keeper the recheck would run with: a tx admitted under another
// keeper (other params: a governance write-policy change) is rechecked in
// full.
func (e *Engine) StillApplies(k *keeper.Keeper, r keeper.Reader, tx []byte) bool {
	return e.cfg.RecheckShortcut && e.seen.stillApplies(k, r, tx)
}

// PrepareChecks verifies together the signatures of a batch of txs about
// to be checked, whose keys can be known from committed state r or from
// the txs themselves.
func (e *Engine) PrepareChecks(k *keeper.Keeper, r keeper.Reader, txs [][]byte) {
	if e.cfg.Prewarm {
		prewarm(k, e.sigs, r, txs)
	}
}

// PrepareProposal verifies together the signatures of a proposal's txs
// (a chunk of them) that CheckTx has not accepted, against the state r the
// block builds on.
func (e *Engine) PrepareProposal(k *keeper.Keeper, r keeper.Reader, txs [][]byte) {
	if e.cfg.Prewarm {
		prewarm(k, e.sigs, r, e.seen.unseen(txs))
	}
}

// ProposalAccepted records that ProcessProposal accepted the block hash
// after PrepareProposal went over all of its txs.
func (e *Engine) ProposalAccepted(hash []byte) {
	e.mu.Lock()
	e.prewarmed = append(e.prewarmed[:0], hash...)
	e.mu.Unlock()
}

// PrepareBlock verifies together, before FinalizeBlock executes the block
// hash, the signatures of its txs that CheckTx has not accepted, against
// the state st execution starts from; nothing when ProcessProposal did so
// for this block already.
func (e *Engine) PrepareBlock(k *keeper.Keeper, st keeper.Reader, hash []byte, txs [][]byte) {
	if !e.cfg.Prewarm {
		return
	}
	e.mu.Lock()
	done := len(hash) > 0 && bytes.Equal(hash, e.prewarmed)
	e.mu.Unlock()
	if !done {
		prewarm(k, e.sigs, st, e.seen.unseen(txs))
	}
}
