package store

import (
	"fmt"
	"testing"

	"github.com/custos-ledger/custos/proof"
	"github.com/stretchr/testify/require"
)

// After the tree's reload, an archive store's updates find the nodes on
// their paths in the node cache; a pruning store, which has no cache, reads
// them from badger. Both reach the same roots.
func TestNodeCacheServesReloadedTree(t *testing.T) {
	open := func(keep int64) *DB {
		db, err := Open("", Options{InMemory: true, KeepRecent: keep, ReloadEvery: 1})
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		return db
	}
	archive, pruning := open(0), open(1000)
	require.NotNil(t, archive.nodes.cache)
	require.Nil(t, pruning.nodes.cache)
	var roots [2][][]byte
	for i, db := range []*DB{archive, pruning} {
		for h := int64(1); h <= 3; h++ {
			before := db.nodes.fetched.Load()
			for k := 0; k < 200; k += int(h) { // every block rewrites keys the last one wrote
				require.NoError(t, db.PendingSet([]byte(fmt.Sprintf("key-%03d", k)), []byte(fmt.Sprintf("v%d", h))))
			}
			root, err := db.Commit(h)
			require.NoError(t, err)
			roots[i] = append(roots[i], root)
			fetched := db.nodes.fetched.Load() - before
			switch {
			case h == 1:
				require.Zero(t, fetched, "the first block's tree is new")
			case db == archive:
				require.Zero(t, fetched, "height %d: the archive store read nodes from badger", h)
			default:
				require.NotZero(t, fetched, "height %d: the pruning store read no node", h)
			}
		}
	}
	require.Equal(t, roots[0], roots[1])
	// Reads and proofs of older heights, through the cache, see the
	// committed values.
	for h := int64(1); h <= 3; h++ {
		v, err := archive.GetAt(h, []byte("key-000"))
		require.NoError(t, err)
		require.Equal(t, fmt.Sprintf("v%d", h), string(v))
		p, err := archive.Prove(h, []byte("key-000"))
		require.NoError(t, err)
		ok, err := proof.VerifyTree(p.Proof, roots[0][h-1], []byte("key-000"), p.Value)
		require.NoError(t, err)
		require.True(t, ok, "height %d: the proof does not verify", h)
	}
	// The tree shares the cached encodings: each must still be the one
	// badger holds under its digest.
	direct := &nodeStore{db: archive.bdb}
	for _, d := range archive.nodes.cache.Keys() {
		enc, ok := archive.nodes.cache.Get(d)
		require.True(t, ok)
		stored, err := direct.Get(d[:])
		require.NoError(t, err)
		require.Equal(t, stored, enc, "the cached encoding of %x changed", d)
	}
}
