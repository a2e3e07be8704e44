package store

import (
	"fmt"
	"testing"

	"github.com/custos-ledger/custos/proof"
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
			lists := countKeys(t, db, prefixOrphans)
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

// TestNodeWrittenAgainAfterPruning: deleting a key returns its ancestors
// to digests they had before it was added. With KeepRecent 1 those older
// nodes are pruned (deleted) at once; when the deletion writes them again
// they must win over the pruning's deletes, or the tree would lose live
// nodes (seen on reopening, when nothing is cached in memory).
func TestNodeWrittenAgainAfterPruning(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{KeepRecent: 1})
	require.NoError(t, err)
	before := commitKeysThenQ(t, db)
	_, err = db.Commit(2) // prunes what only height 1 used
	require.NoError(t, err)
	_, err = db.Commit(3)
	require.NoError(t, err)
	require.NoError(t, db.PendingDelete([]byte("q")))
	after, err := db.Commit(4)
	require.NoError(t, err)
	require.Equal(t, before, after, "the same entries give the same root")
	require.NoError(t, db.Close())

	db, err = Open(dir, Options{KeepRecent: 1})
	require.NoError(t, err)
	defer db.Close()
	requireKeysProved(t, db, 4, after)
}

// TestTreeWrittenTwiceBeforeCommit: nodes written by two PersistTree calls
// before one commit are all readable after it (the second call must not
// use a version above the commit's).
func TestTreeWrittenTwiceBeforeCommit(t *testing.T) {
	db, err := Open(t.TempDir(), DefaultOptions())
	require.NoError(t, err)
	require.NoError(t, db.PendingSet([]byte("a"), []byte("1")))
	_, err = db.Commit(1)
	require.NoError(t, err)
	require.NoError(t, db.PendingSet([]byte("b"), []byte("2")))
	require.NoError(t, db.PersistTree())
	require.NoError(t, db.PendingSet([]byte("c"), []byte("3")))
	require.NoError(t, db.PersistTree())
	root, err := db.Commit(2)
	require.NoError(t, err)
	defer db.Close()
	// Prove reads the nodes from badger, not from the tree in memory.
	for k, v := range map[string]string{"a": "1", "b": "2", "c": "3"} {
		p, err := db.Prove(2, []byte(k))
		require.NoError(t, err, "key %s", k)
		require.Equal(t, []byte(v), p.Value)
		ok, err := proof.VerifyTree(p.Proof, root, []byte(k), p.Value)
		require.NoError(t, err)
		require.True(t, ok)
	}
}

// TestPruningSkipsNodesLiveAgain: deleting a key soon after adding it
// returns its ancestors to the digests they had before the addition, which
// the addition orphaned. Pruning those orphans KeepRecent heights later
// must skip them, because they are live again (a prune that deletes every
// orphan loses them: proofs fail with a missing node after reopening), and
// must still delete the nodes that are dead.
func TestPruningSkipsNodesLiveAgain(t *testing.T) {
	dir := t.TempDir()
	opts := Options{KeepRecent: 3}
	db, err := Open(dir, opts)
	require.NoError(t, err)
	before := commitKeysThenQ(t, db)
	_, err = db.Commit(2) // orphans height 1's nodes on q's path
	require.NoError(t, err)
	require.NoError(t, db.PendingDelete([]byte("q")))
	after, err := db.Commit(3) // makes them live again
	require.NoError(t, err)
	require.Equal(t, before, after, "the same entries give the same root")
	for h := int64(4); h <= 7; h++ { // prunes heights 2 and 3's orphans
		_, err = db.Commit(h)
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())

	db, err = Open(dir, opts)
	require.NoError(t, err)
	defer db.Close()
	requireKeysProved(t, db, 7, after)

	// What is left is exactly the tree of the 64 keys: the nodes height 2
	// created and height 3 orphaned (q's leaf and its new ancestors) are gone.
	fresh, err := Open("", Options{InMemory: true})
	require.NoError(t, err)
	defer fresh.Close()
	setKeys(t, fresh)
	_, err = fresh.Commit(1)
	require.NoError(t, err)
	require.Equal(t, countKeys(t, fresh, prefixNode), countKeys(t, db, prefixNode))
}

// countKeys counts a store's badger keys under prefix.
func countKeys(t *testing.T, db *DB, prefix []byte) int {
	n := 0
	require.NoError(t, db.bdb.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	}))
	return n
}

// setKeys stages the 64 keys k0..k63, each with value "v".
func setKeys(t *testing.T, db *DB) {
	for i := 0; i < 64; i++ {
		require.NoError(t, db.PendingSet([]byte(fmt.Sprint("k", i)), []byte("v")))
	}
}

// commitKeysThenQ commits the 64 keys as height 1, returning its root, and
// stages one more key, q.
func commitKeysThenQ(t *testing.T, db *DB) []byte {
	setKeys(t, db)
	root, err := db.Commit(1)
	require.NoError(t, err)
	require.NoError(t, db.PendingSet([]byte("q"), []byte("scheduled")))
	return root
}

// requireKeysProved checks that each of the 64 keys is proved with value
// "v" under root at height, reading the nodes from badger.
func requireKeysProved(t *testing.T, db *DB, height int64, root []byte) {
	for i := 0; i < 64; i++ {
		k := []byte(fmt.Sprint("k", i))
		p, err := db.Prove(height, k)
		require.NoError(t, err, "key %s", k)
		require.Equal(t, []byte("v"), p.Value)
		ok, err := proof.VerifyTree(p.Proof, root, k, p.Value)
		require.NoError(t, err)
		require.True(t, ok)
	}
}
