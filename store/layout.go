package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Layout is the version of the state layout (tree paths, node encoding,
// what the tree holds) this store writes. A store written by another
// layout is refused on open: its tree would not match the one this binary
// builds. Layout 5: a DID's leaves grouped under a 24-bit prefix
// (proof.TreeOptions), versions and history entries out of the tree
// (Options.OutOfTree), bounded heads (older key periods archived in
// history entries), a leaf per key material marked compromised, and the
// network's leaves (n/: the governance DID, the validator set)
// (docs/state.md).
const Layout = 5

// ErrLayout is returned by Open for a state written by another layout.
var ErrLayout = errors.New("store: state written by another layout")

func (db *DB) loadLast() error {
	return db.bdb.View(func(txn *badger.Txn) error {
		item, err := txn.Get(keyCommit)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		v, err := valueCopy(item)
		if err != nil {
			return err
		}
		c, err := decodeCommit(v)
		if err != nil {
			return err
		}
		layout, err := readLayout(txn)
		if err != nil {
			return err
		}
		if layout != Layout {
			return fmt.Errorf("%w: this state was written by layout %d at height %d, and this binary reads layout %d; "+
				"start it with the binary that wrote it, or re-initialize the home", ErrLayout, layout, c.Height, Layout)
		}
		db.last = c
		return nil
	})
}

// readLayout returns the layout recorded in a state that has commits: 1
// when there is no record (layout 1 wrote none).
func readLayout(txn *badger.Txn) (uint64, error) {
	item, err := txn.Get(keyLayout)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 1, nil
	}
	if err != nil {
		return 0, err
	}
	v, err := valueCopy(item)
	if err != nil {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("store: layout record of %d bytes", len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

func heightKey(h int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(h)) }

func encodeCommit(c Commit) []byte {
	return append(binary.BigEndian.AppendUint64(nil, uint64(c.Height)), c.AppHash...)
}

func decodeCommit(b []byte) (Commit, error) {
	if len(b) < 8 {
		return Commit{}, fmt.Errorf("store: corrupt commit record (%d bytes)", len(b))
	}
	return Commit{Height: int64(binary.BigEndian.Uint64(b)), AppHash: append([]byte(nil), b[8:]...)}, nil
}
