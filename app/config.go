package app

import (
	"errors"

	"github.com/cometbft/cometbft/libs/log"

	"github.com/custos-ledger/custos/app/accel"
	"github.com/custos-ledger/custos/x/network/upgrade"
)

// Config is what the application needs to run. It holds nothing that
// influences consensus but what the genesis file says: consensus limits
// live in genesis params.
type Config struct {
	// DataDir is the folder of the application's badger database.
	DataDir string
	// KeepRecent is how many recent heights stay provable and queryable
	// (0 keeps every height). Only 0 is accepted: the store's pruning is
	// tested in the store, but queries and proofs of pruned heights are not
	// tested end to end through a node (docs/state.md).
	KeepRecent int64
	// Accel says which accelerations run (package accel): they change
	// the cost of results, never a result.
	Accel accel.Config
	// Logger receives the application's log lines.
	Logger log.Logger
	// Migrations are the upgrades this binary knows (KnownMigrations): they
	// are part of the release's rules, not a setting; tests give their own.
	Migrations []upgrade.Migration
	// GenesisMonikers maps the raw Ed25519 consensus keys of the genesis
	// validators to their names in the genesis file (CometBFT's InitChain
	// passes keys and powers only); InitChain records them in state, so
	// every node must give the same (the node reads them from the genesis
	// file, which every node shares).
	GenesisMonikers map[string]string
}

// DefaultConfig returns a Config for the given data folder.
func DefaultConfig(dataDir string) Config {
	return Config{
		DataDir:    dataDir,
		KeepRecent: 0,
		Accel:      accel.DefaultConfig(),
		Logger:     log.NewNopLogger(),
		Migrations: KnownMigrations(),
	}
}

// Validate reports the first thing wrong with the Config.
func (c Config) Validate() error {
	switch {
	case c.DataDir == "":
		return errors.New("app config: data dir is empty")
	case c.KeepRecent < 0:
		return errors.New("app config: keep-recent must not be negative")
	case c.KeepRecent > 0:
		return errors.New("app config: keep-recent > 0 (pruning) is not supported by nodes yet: queries and " +
			"proofs of pruned heights are not tested end to end (docs/state.md); run with 0, which keeps every height")
	case c.Logger == nil:
		return errors.New("app config: logger is nil")
	}
	return c.Accel.Validate()
}
