package store_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/store"
)

// A block whose entries do not fit in one badger transaction is refused as
// a whole with ErrCommitTooLarge, before anything is written; one that
// fits to the last bytes of the capacity, as PendingCommitSize counts it,
// commits. So the count is never below badger's own.
func TestCommitCapacity(t *testing.T) {
	for _, tc := range []struct {
		name string
		over int64 // bytes past the capacity the block's size lands at
	}{
		{name: "just under", over: -200},
		{name: "at the capacity", over: 0},
		{name: "far over", over: 3 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := store.DefaultOptions()
			db, err := store.Open(dir, opts)
			require.NoError(t, err)
			set(t, db, "a", "1")
			r1, err := db.Commit(1)
			require.NoError(t, err)

			maxBytes, maxEntries := db.CommitCapacity()
			require.Equal(t, int64(store.MemTableSize)*15/100, maxBytes)
			require.Greater(t, maxEntries, int64(100_000))
			// Fill with 256 KiB values up to the target, then one value
			// sized to land exactly on it.
			target := maxBytes + tc.over
			value := make([]byte, 256<<10)
			for i := 0; ; i++ {
				size, _ := db.PendingCommitSize()
				key := []byte(fmt.Sprintf("k%06d", i))
				entry := int64(len("s/")+len(key)) + 2 + 10
				left := target - size - entry
				if left <= 0 {
					break
				}
				require.NoError(t, db.PendingSet(key, value[:min(int64(len(value)), left)]))
			}
			size, _ := db.PendingCommitSize()
			_, err = db.Commit(2)
			if size < maxBytes {
				require.NoError(t, err, "%d bytes of %d", size, maxBytes)
				require.Equal(t, int64(2), db.LastCommit().Height)
				require.NoError(t, db.Close())
				return
			}
			require.True(t, errors.Is(err, store.ErrCommitTooLarge), "%v", err)
			require.Contains(t, err.Error(), fmt.Sprint(size))
			require.Equal(t, store.Commit{Height: 1, AppHash: r1}, db.LastCommit())
			require.NoError(t, db.Close())
			db, err = store.Open(dir, opts)
			require.NoError(t, err)
			defer db.Close()
			require.Equal(t, store.Commit{Height: 1, AppHash: r1}, db.LastCommit(), "nothing of the refused block was written")
			v, err := db.Get([]byte("k000000"))
			require.NoError(t, err)
			require.Nil(t, v)
		})
	}
}
