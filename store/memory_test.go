package store

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMemtablesBounded checks the bound docs/operators.md ("Memory") gives
// for badger's memtables: at most two arenas of MemTableSize plus room for
// one full transaction, about 166 MiB each, on the Go heap. Badger's
// default (5) let four full memtables wait for their flush.
func TestMemtablesBounded(t *testing.T) {
	db, err := Open(t.TempDir(), DefaultOptions())
	require.NoError(t, err)
	defer db.Close()
	o := db.bdb.Opts()
	require.Equal(t, 2, o.NumMemtables)
	maxSize, maxEntries := db.CommitCapacity()
	arena := o.MemTableSize + maxSize + maxEntries*100 // skiplist nodes: under 100 bytes each
	require.LessOrEqual(t, int64(o.NumMemtables)*arena, int64(360<<20), "memtable arenas")
}
