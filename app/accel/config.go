package accel

import (
	"errors"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// Config says which accelerations run and how much each may remember. The
// zero Config runs none: every fact is computed afresh, every recheck is
// full, checks are answered one by one.
type Config struct {
	// SigCache is how many verified-signature facts (key, bytes,
	// signature: holds or not) are remembered (0: none).
	SigCache int
	// Prewarm verifies, in batches across the CPUs, the signatures of a
	// block's txs (and of a batch of first-time checks) before they are
	// executed (checked), so that execution finds them remembered. Without
	// SigCache it does nothing.
	Prewarm bool
	// ParseCache is how many txs' parsings are remembered, by tx hash.
	ParseCache int
	// VersionCache is how many decoded version records are remembered.
	VersionCache int
	// OrderCache is how many keys' prime-order checks are remembered.
	OrderCache int
	// Admitted is how many txs accepted by CheckTx are remembered: their
	// signatures are then known to be remembered, so prewarming skips
	// them, and the recheck shortcut decides with them.
	Admitted int
	// RecheckShortcut answers a recheck of a remembered tx whose
	// acceptance depends only on its target's head
	// (keeper.DependsOnlyOnHead) with one read of that head. Without
	// Admitted it does nothing.
	RecheckShortcut bool
	// BatchChecks queues first-time checks in the node's ABCI client and
	// prepares each batch together (BatchedCheckTx).
	BatchChecks bool
	// StoreNodeCache keeps recently read tree nodes in memory
	// (store.Options.NoNodeCache).
	StoreNodeCache bool
	// StoreViewReads lets a read view of committed state remember the
	// values read through it (store.Options.NoViewReads).
	StoreViewReads bool

	// Test seams, nil in every node: wrapFacts wraps the facts New
	// builds, headOnly replaces keeper.DependsOnlyOnHead. The
	// differential test sets them to make an acceleration wrong on
	// purpose (export_test.go).
	wrapFacts func(keeper.Facts) keeper.Facts
	headOnly  func(types.Params, *types.TxBody) bool
}

// DefaultConfig returns the accelerations a node runs with: every one on.
func DefaultConfig() Config {
	return Config{
		SigCache: 100_000, Prewarm: true,
		ParseCache: 8192, VersionCache: 16384, OrderCache: 16384,
		Admitted: 100_000, RecheckShortcut: true,
		BatchChecks:    true,
		StoreNodeCache: true, StoreViewReads: true,
	}
}

// Validate reports the first thing wrong with the Config.
func (c Config) Validate() error {
	switch {
	case c.SigCache < 0, c.ParseCache < 0, c.VersionCache < 0, c.OrderCache < 0, c.Admitted < 0:
		return errors.New("accel config: cache sizes must not be negative")
	}
	return nil
}
