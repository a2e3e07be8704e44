package store

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/stretchr/testify/require"
)

// TestLayoutRecorded: a new store records its layout at its first commit
// and reopens; a state with another layout (or none: layout 1 wrote no
// record) is refused with ErrLayout, naming both layouts.
func TestLayoutRecorded(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, DefaultOptions())
	require.NoError(t, err)
	require.NoError(t, db.PendingSet([]byte("k"), []byte("v")))
	_, err = db.Commit(1)
	require.NoError(t, err)
	require.NoError(t, db.bdb.View(func(txn *badger.Txn) error {
		layout, err := readLayout(txn)
		require.Equal(t, uint64(Layout), layout)
		return err
	}))
	require.NoError(t, db.Close())

	db, err = Open(dir, DefaultOptions())
	require.NoError(t, err, "a store reopens under its own layout")
	require.Equal(t, int64(1), db.LastCommit().Height)
	require.NoError(t, db.Close())

	for _, tc := range []struct {
		name   string
		change func(txn *badger.Txn) error
		want   string
	}{
		{"no record (layout 1)", func(txn *badger.Txn) error { return txn.Delete(keyLayout) }, "written by layout 1 at height 1"},
		{"a later layout", func(txn *badger.Txn) error {
			return txn.Set(keyLayout, binary.BigEndian.AppendUint64(nil, Layout+1))
		}, fmt.Sprintf("written by layout %d at height 1", Layout+1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := openRaw(dir)
			require.NoError(t, err)
			require.NoError(t, raw.Update(tc.change))
			require.NoError(t, raw.Close())
			_, err = Open(dir, DefaultOptions())
			require.ErrorIs(t, err, ErrLayout)
			require.ErrorContains(t, err, tc.want)
			require.ErrorContains(t, err, fmt.Sprintf("this binary reads layout %d", Layout))
		})
	}
}

// openRaw opens dir's badger without the layout check, to tamper with it.
func openRaw(dir string) (*badger.DB, error) {
	return badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
}
