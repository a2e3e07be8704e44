package store

import (
	"errors"
	"sync"

	"github.com/dgraph-io/badger/v4"
)

// Snapshot is a consistent read view of the latest committed state: every
// Get sees the same height, whatever commits meanwhile. Close it when done.
//
// All the snapshots taken between two commits share one badger read
// transaction. Opening a badger transaction waits until every write in
// flight is in the memtable, and the tree nodes of a block (written at the
// end of FinalizeBlock) take tens of milliseconds to insert: with a
// transaction per snapshot, every CheckTx and resolver read stalled behind
// them. Reads of a read-only transaction touch no shared state of it, so
// concurrent Gets are safe.
type Snapshot struct{ v *view }

// view is one shared read transaction and its users.
type view struct {
	txn    *badger.Txn
	commit Commit

	mu      sync.Mutex
	refs    int
	retired bool // no new users: a newer commit exists
}

// Snapshot opens a read view of the latest committed state.
func (db *DB) Snapshot() (*Snapshot, error) {
	db.viewMu.Lock()
	defer db.viewMu.Unlock()
	if db.view == nil {
		v, err := db.openView()
		if err != nil {
			return nil, err
		}
		db.view = v
	}
	db.view.mu.Lock()
	db.view.refs++
	db.view.mu.Unlock()
	return &Snapshot{v: db.view}, nil
}

func (db *DB) openView() (*view, error) {
	txn := db.bdb.NewTransaction(false)
	v := &view{txn: txn}
	item, err := txn.Get(keyCommit)
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
		return v, nil
	case err != nil:
		txn.Discard()
		return nil, err
	}
	b, err := item.ValueCopy(nil)
	if err == nil {
		v.commit, err = decodeCommit(b)
	}
	if err != nil {
		txn.Discard()
		return nil, err
	}
	return v, nil
}

// retireView makes the next Snapshot open a fresh view; the current one
// is released when its last user closes it. Called after each commit.
func (db *DB) retireView() {
	db.viewMu.Lock()
	v := db.view
	db.view = nil
	db.viewMu.Unlock()
	if v != nil {
		v.release(true)
	}
}

// release drops one user (or, with retire, marks the view retired) and
// discards the transaction once the view is retired and unused.
func (v *view) release(retire bool) {
	v.mu.Lock()
	if retire {
		v.retired = true
	} else {
		v.refs--
	}
	done := v.retired && v.refs == 0
	v.mu.Unlock()
	if done {
		v.txn.Discard()
	}
}

// Commit returns the height and app hash the snapshot shows.
func (s *Snapshot) Commit() Commit { return s.v.commit }

// Get returns the value of key in the snapshot, or nil.
func (s *Snapshot) Get(key []byte) ([]byte, error) {
	item, err := s.v.txn.Get(prefixed(prefixFlat, key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

// Close releases the snapshot. Closing twice is a no-op.
func (s *Snapshot) Close() {
	if s.v == nil {
		return
	}
	s.v.release(false)
	s.v = nil
}
