package store

import (
	"fmt"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/stretchr/testify/require"
)

// An archive store (KeepRecent 0) never prunes, so it records no orphan
// lists; a pruning store does, and every height it keeps stays readable.
func TestOrphansRecordedOnlyWhenPruning(t *testing.T) {
	for _, keep := range []int64{0, 3} {
		t.Run(fmt.Sprint("keep=", keep), func(t *testing.T) {
			db, err := Open("", Options{InMemory: true, KeepRecent: keep})
			require.NoError(t, err)
			defer db.Close()
			for h := int64(1); h <= 6; h++ {
				require.NoError(t, db.PendingSet([]byte("k"), []byte(fmt.Sprint(h))))
				require.NoError(t, db.PendingSet([]byte(fmt.Sprint("new", h)), []byte("v")))
				_, err := db.Commit(h)
				require.NoError(t, err)
			}
			lists := 0
			require.NoError(t, db.bdb.View(func(txn *badger.Txn) error {
				it := txn.NewIterator(badger.IteratorOptions{Prefix: prefixOrphans})
				defer it.Close()
				for it.Rewind(); it.Valid(); it.Next() {
					lists++
				}
				return nil
			}))
			oldest := int64(1)
			if keep == 0 {
				require.Zero(t, lists)
			} else {
				require.Positive(t, lists)
				oldest = 6 - keep + 1
			}
			for h := oldest; h <= 6; h++ {
				v, err := db.GetAt(h, []byte("k"))
				require.NoError(t, err)
				require.Equal(t, fmt.Sprint(h), string(v))
			}
		})
	}
}
