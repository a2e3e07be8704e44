package store

import (
	"bytes"
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
//
// A view also remembers the values read through it: a view is one height,
// so they cannot go stale, and it lives one block. A block's FinalizeBlock
// reads what its txs' CheckTx read moments before (and DB.Get reads
// through the view too), so those reads cost a map lookup instead of a
// badger lookup, which searches memtables of tree nodes.
type Snapshot struct{ v *view }

// view is one shared read transaction and its users.
type view struct {
	txn    *badger.Txn
	commit Commit

	mu      sync.Mutex
	refs    int
	retired bool              // no new users: a newer commit exists
	read    map[string][]byte // values read so far (a nil value: absent); nil when off (Options.NoViewReads)
}

// viewReads bounds the values a view remembers.
const viewReads = 1 << 16

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
	if !db.opts.NoViewReads {
		v.read = make(map[string][]byte)
	}
	item, err := txn.Get(keyCommit)
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
		return v, nil
	case err != nil:
		txn.Discard()
		return nil, err
	}
	b, err := valueCopy(item)
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

// Get returns the value of key in the snapshot, or nil. The caller owns
// the value.
func (s *Snapshot) Get(key []byte) ([]byte, error) { return s.v.get(key) }

func (v *view) get(key []byte) (_ []byte, err error) {
	defer recoverDamage(&err)
	v.mu.Lock()
	val, seen := v.read[string(key)]
	v.mu.Unlock()
	if seen {
		return bytes.Clone(val), nil
	}
	item, err := v.txn.Get(prefixed(prefixFlat, key))
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
		val = nil
	case err != nil:
		return nil, err
	default:
		if val, err = valueCopy(item); err != nil {
			return nil, err
		}
	}
	v.mu.Lock()
	if v.read != nil && len(v.read) < viewReads {
		v.read[string(key)] = val
	}
	v.mu.Unlock()
	return bytes.Clone(val), nil
}

// Close releases the snapshot. Closing twice is a no-op.
func (s *Snapshot) Close() {
	if s.v == nil {
		return
	}
	s.v.release(false)
	s.v = nil
}
