package store

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestViewRemembersReads: reads through the view of a commit are served
// from memory the second time, as copies the caller may change; absence is
// remembered too; a commit starts a new view that sees its writes, while a
// snapshot of the old view keeps seeing the old values.
func TestViewRemembersReads(t *testing.T) {
	db, err := Open(t.TempDir(), Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.PendingSet([]byte("a"), []byte("1")))
	_, err = db.Commit(1)
	require.NoError(t, err)

	old, err := db.Snapshot()
	require.NoError(t, err)
	defer old.Close()
	v, err := old.Get([]byte("a"))
	require.NoError(t, err)
	require.Equal(t, []byte("1"), v)
	v[0] = 'x'                         // the caller owns what it got
	absent, err := db.Get([]byte("b")) // DB.Get reads through the same view
	require.NoError(t, err)
	require.Nil(t, absent)
	require.Len(t, old.v.read, 2, "both reads remembered")

	// Served from memory: the badger transaction is not consulted again.
	old.v.txn.Discard()
	v, err = old.Get([]byte("a"))
	require.NoError(t, err)
	require.Equal(t, []byte("1"), v)
	absent, err = old.Get([]byte("b"))
	require.NoError(t, err)
	require.Nil(t, absent)

	require.NoError(t, db.PendingSet([]byte("a"), []byte("2")))
	require.NoError(t, db.PendingSet([]byte("b"), []byte("3")))
	_, err = db.Commit(2)
	require.NoError(t, err)
	for k, want := range map[string]string{"a": "2", "b": "3"} {
		got, err := db.Get([]byte(k))
		require.NoError(t, err)
		require.Equal(t, []byte(want), got, "key %s after the commit", k)
	}
	v, err = old.Get([]byte("a"))
	require.NoError(t, err)
	require.Equal(t, []byte("1"), v, "the old snapshot still shows height 1")
}
