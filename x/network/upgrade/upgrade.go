// Package upgrade holds the migrations a binary knows, by name, for the
// coordinated upgrades the governance DID schedules (docs/operators.md,
// "Upgrades").
//
// At the height of a plan named NAME, a binary whose Registry has NAME runs
// its migration at the start of that block, before any tx; a binary without
// it commits the height before and stops (app.UpgradeRequiredError). A
// migration is part of the consensus rules: it must be deterministic (no
// clock, randomness or map order), read and write state only through the
// Store it is given, keep its writes small (they share the block's commit
// with its txs), and leave the params (key p) alone.
package upgrade

import (
	"fmt"
	"slices"

	"github.com/custos-ledger/custos/x/did/types"
)

// Store is the state a migration reads and writes: the block's pending
// state.
type Store interface {
	Get(key []byte) ([]byte, error)
	Set(key, value []byte) error
	Delete(key []byte) error
	Scan(prefix []byte, fn func(key, value []byte) bool) error
}

// Migration is what a release does at the height of its upgrade.
type Migration struct {
	// Name is the upgrade's name, as `custos upgrade schedule --name`
	// gives it.
	Name string
	// Migrate changes the state at height, before the block's txs.
	Migrate func(st Store, height int64) error
}

// Registry is the set of migrations a binary knows.
type Registry struct {
	byName map[string]Migration
	names  []string
}

// NewRegistry returns the registry of ms; names must be valid and
// distinct.
func NewRegistry(ms ...Migration) (*Registry, error) {
	r := &Registry{byName: make(map[string]Migration, len(ms))}
	for _, m := range ms {
		if !types.ValidUpgradeName(m.Name) {
			return nil, fmt.Errorf("upgrade: migration name %q: use 1 to %d of a-z 0-9 . _ -", m.Name, types.MaxUpgradeNameLen)
		}
		if m.Migrate == nil {
			return nil, fmt.Errorf("upgrade: migration %q has no Migrate function", m.Name)
		}
		if _, dup := r.byName[m.Name]; dup {
			return nil, fmt.Errorf("upgrade: two migrations are named %q", m.Name)
		}
		r.byName[m.Name] = m
		r.names = append(r.names, m.Name)
	}
	slices.Sort(r.names)
	return r, nil
}

// Lookup returns the migration named name.
func (r *Registry) Lookup(name string) (Migration, bool) {
	if r == nil {
		return Migration{}, false
	}
	m, ok := r.byName[name]
	return m, ok
}

// Names returns the names the registry knows, sorted.
func (r *Registry) Names() []string {
	if r == nil {
		return nil
	}
	return slices.Clone(r.names)
}
