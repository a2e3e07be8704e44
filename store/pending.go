package store

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/dgraph-io/badger/v4"
)

// PendingGet returns the value of key in the state being built (nil when it
// has none): the block's own writes and deletes first, then the committed
// state.
func (db *DB) PendingGet(key []byte) ([]byte, error) {
	if v, ok := db.pending[string(key)]; ok {
		return v, nil
	}
	return db.Get(key)
}

// PendingSet writes key in the state being built. Values must not be empty.
func (db *DB) PendingSet(key, value []byte) error {
	if len(value) == 0 {
		return fmt.Errorf("store: empty value for key %x", key)
	}
	if !db.outOfTree(key) {
		if err := db.tree.Update(key, value); err != nil {
			return fmt.Errorf("store: tree update: %w", err)
		}
	}
	k := string(key)
	if _, seen := db.pending[k]; !seen {
		db.order = append(db.order, []byte(k))
	}
	db.pending[k] = append([]byte(nil), value...)
	return nil
}

// PendingDelete removes key from the state being built. The key must have
// a value there.
func (db *DB) PendingDelete(key []byte) error {
	if db.outOfTree(key) {
		return fmt.Errorf("store: delete of %x, which is kept out of the tree and immutable", key)
	}
	if err := db.tree.Delete(key); err != nil {
		return fmt.Errorf("store: tree delete %x: %w", key, err)
	}
	k := string(key)
	if _, seen := db.pending[k]; !seen {
		db.order = append(db.order, []byte(k))
	}
	db.pending[k] = nil // a tombstone: PendingGet answers nil, Commit deletes
	return nil
}

func (db *DB) outOfTree(key []byte) bool {
	return db.opts.OutOfTree != nil && db.opts.OutOfTree(key)
}

// PendingScan calls fn, in key order, with each key under prefix and its
// value in the state being built (the block's writes and deletes over the
// committed state), until fn returns false. fn must not write.
func (db *DB) PendingScan(prefix []byte, fn func(key, value []byte) bool) (err error) {
	defer recoverDamage(&err)
	var mine []string
	for _, k := range db.order {
		if bytes.HasPrefix(k, prefix) {
			mine = append(mine, string(k))
		}
	}
	slices.Sort(mine)
	return db.bdb.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = prefixed(prefixFlat, prefix)
		it := txn.NewIterator(opts)
		defer it.Close()
		it.Rewind()
		for {
			var key string
			var value []byte
			committed := it.Valid()
			if committed {
				key = string(it.Item().Key()[len(prefixFlat):])
			}
			switch {
			case len(mine) > 0 && (!committed || mine[0] <= key):
				if committed && mine[0] == key {
					it.Next() // the block's write or delete replaces it
				}
				key, value = mine[0], db.pending[mine[0]]
				mine = mine[1:]
			case committed:
				v, err := valueCopy(it.Item())
				if err != nil {
					return err
				}
				value = v
				it.Next()
			default:
				return nil
			}
			if value == nil {
				continue // deleted in this block
			}
			if !fn([]byte(key), value) {
				return nil
			}
		}
	})
}

// PendingRoot returns the app hash of the state being built.
func (db *DB) PendingRoot() []byte { return append([]byte(nil), db.tree.Root()...) }

// PendingState is the state being built, as the keeper reads and writes it:
// Get, Set, Delete and Scan are PendingGet, PendingSet, PendingDelete and
// PendingScan.
type PendingState struct{ db *DB }

// Pending returns the state being built.
func (db *DB) Pending() PendingState { return PendingState{db} }

func (p PendingState) Get(key []byte) ([]byte, error) { return p.db.PendingGet(key) }
func (p PendingState) Set(key, value []byte) error    { return p.db.PendingSet(key, value) }
func (p PendingState) Delete(key []byte) error        { return p.db.PendingDelete(key) }
func (p PendingState) Scan(prefix []byte, fn func(key, value []byte) bool) error {
	return p.db.PendingScan(prefix, fn)
}
