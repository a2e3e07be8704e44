package store

import (
	"errors"

	"github.com/dgraph-io/badger/v4"
)

// Snapshot is a consistent read view of the latest committed state: every
// Get sees the same height, whatever commits meanwhile. Close it when done.
type Snapshot struct {
	txn    *badger.Txn
	commit Commit
}

// Snapshot opens a read view of the latest committed state.
func (db *DB) Snapshot() (*Snapshot, error) {
	txn := db.bdb.NewTransaction(false)
	s := &Snapshot{txn: txn}
	item, err := txn.Get(keyCommit)
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
		return s, nil
	case err != nil:
		txn.Discard()
		return nil, err
	}
	v, err := item.ValueCopy(nil)
	if err == nil {
		s.commit, err = decodeCommit(v)
	}
	if err != nil {
		txn.Discard()
		return nil, err
	}
	return s, nil
}

// Commit returns the height and app hash the snapshot shows.
func (s *Snapshot) Commit() Commit { return s.commit }

// Get returns the value of key in the snapshot, or nil.
func (s *Snapshot) Get(key []byte) ([]byte, error) {
	item, err := s.txn.Get(prefixed(prefixFlat, key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

// Close releases the snapshot.
func (s *Snapshot) Close() { s.txn.Discard() }
