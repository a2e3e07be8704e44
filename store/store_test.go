package store_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/custos-ledger/custos/proof"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/store"
)

func set(t *testing.T, db *store.DB, kv ...string) {
	t.Helper()
	for i := 0; i < len(kv); i += 2 {
		require.NoError(t, db.PendingSet([]byte(kv[i]), []byte(kv[i+1])))
	}
}

func TestCommitReopenAndHistory(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(dir, store.DefaultOptions())
	require.NoError(t, err)
	set(t, db, "a", "1", "b", "1")
	r1, err := db.Commit(1)
	require.NoError(t, err)
	set(t, db, "a", "2")
	r2, err := db.Commit(2)
	require.NoError(t, err)
	require.NotEqual(t, r1, r2)

	// Uncommitted writes vanish on close.
	set(t, db, "a", "3", "c", "1")
	require.NoError(t, db.Close())

	db, err = store.Open(dir, store.DefaultOptions())
	require.NoError(t, err)
	defer db.Close()
	require.Equal(t, store.Commit{Height: 2, AppHash: r2}, db.LastCommit())
	v, err := db.Get([]byte("a"))
	require.NoError(t, err)
	require.Equal(t, "2", string(v))
	v, err = db.Get([]byte("c"))
	require.NoError(t, err)
	require.Nil(t, v)
	v, err = db.GetAt(1, []byte("a"))
	require.NoError(t, err)
	require.Equal(t, "1", string(v))
	require.Equal(t, r2, db.PendingRoot(), "reopened tree has the committed root")

	// Commits must be consecutive.
	_, err = db.Commit(4)
	require.Error(t, err)
}

func TestRootIndependentOfWriteOrder(t *testing.T) {
	roots := make([][]byte, 2)
	for i, order := range [][]string{{"x", "y", "z"}, {"z", "x", "y"}} {
		db, err := store.Open("", store.Options{InMemory: true})
		require.NoError(t, err)
		for _, k := range order {
			set(t, db, k, "v"+k)
		}
		roots[i], err = db.Commit(1)
		require.NoError(t, err)
		db.Close()
	}
	require.Equal(t, roots[0], roots[1])
}

func TestProofs(t *testing.T) {
	db, err := store.Open("", store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	for h := int64(1); h <= 3; h++ {
		set(t, db, "k", fmt.Sprint(h), fmt.Sprint("only-", h), "x")
		_, err := db.Commit(h)
		require.NoError(t, err)
	}
	cases := []struct {
		name   string
		height int64
		key    string
		value  string
	}{
		{"current value", 3, "k", "3"},
		{"old value", 1, "k", "1"},
		{"absent key", 2, "missing", ""},
		{"key written later is absent earlier", 1, "only-3", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := db.Prove(tc.height, []byte(tc.key))
			require.NoError(t, err)
			var want []byte
			if tc.value != "" {
				want = []byte(tc.value)
			}
			require.Equal(t, want, p.Value)
			ok, err := proof.VerifyTree(p.Proof, p.AppHash, []byte(tc.key), p.Value)
			require.NoError(t, err)
			require.True(t, ok)
			// A different value does not verify.
			ok, _ = proof.VerifyTree(p.Proof, p.AppHash, []byte(tc.key), []byte("forged"))
			require.False(t, ok)
		})
	}
}

func TestKeepRecentPrunes(t *testing.T) {
	db, err := store.Open("", store.Options{InMemory: true, KeepRecent: 2})
	require.NoError(t, err)
	defer db.Close()
	for h := int64(1); h <= 5; h++ {
		set(t, db, "k", fmt.Sprint(h))
		_, err := db.Commit(h)
		require.NoError(t, err)
	}
	_, err = db.GetAt(3, []byte("k"))
	require.ErrorIs(t, err, store.ErrHeightUnavailable)
	v, err := db.GetAt(4, []byte("k"))
	require.NoError(t, err)
	require.Equal(t, "4", string(v))
	p, err := db.Prove(4, []byte("k"))
	require.NoError(t, err)
	ok, err := proof.VerifyTree(p.Proof, p.AppHash, []byte("k"), []byte("4"))
	require.NoError(t, err)
	require.True(t, ok)
}

func TestSnapshotIsConsistent(t *testing.T) {
	db, err := store.Open("", store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	set(t, db, "a", "1", "b", "1")
	_, err = db.Commit(1)
	require.NoError(t, err)
	snap, err := db.Snapshot()
	require.NoError(t, err)
	defer snap.Close()
	set(t, db, "a", "2", "b", "2")
	_, err = db.Commit(2)
	require.NoError(t, err)
	require.Equal(t, int64(1), snap.Commit().Height)
	for _, k := range []string{"a", "b"} {
		v, err := snap.Get([]byte(k))
		require.NoError(t, err)
		require.Equal(t, "1", string(v))
	}
}

func TestEmptyValueRefused(t *testing.T) {
	db, err := store.Open("", store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	require.Error(t, db.PendingSet([]byte("k"), nil))
}

// Rewriting a value it already has re-creates tree nodes with the same
// digests; pruning must never delete them.
func TestRewriteSameValueSurvivesPruning(t *testing.T) {
	db, err := store.Open("", store.Options{InMemory: true, KeepRecent: 1})
	require.NoError(t, err)
	defer db.Close()
	for h := int64(1); h <= 6; h++ {
		set(t, db, "same", "v", "other", "1") // the same values every height
		if h%2 == 0 {
			set(t, db, "changing", fmt.Sprint(h))
		}
		_, err := db.Commit(h)
		require.NoError(t, err)
	}
	for _, k := range []string{"same", "other", "changing"} {
		p, err := db.Prove(6, []byte(k))
		require.NoError(t, err)
		require.NotNil(t, p.Value, k)
		ok, err := proof.VerifyTree(p.Proof, p.AppHash, []byte(k), p.Value)
		require.NoError(t, err)
		require.True(t, ok, k)
	}
	require.NoError(t, db.Close())
}

// Snapshots taken between two commits share one read view; each still
// shows its own height after later commits, and many goroutines read them
// at once (run with -race).
func TestSnapshotsShareAViewPerHeight(t *testing.T) {
	db, err := store.Open("", store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	var snaps []*store.Snapshot
	for h := int64(1); h <= 4; h++ {
		set(t, db, "k", fmt.Sprint(h))
		_, err := db.Commit(h)
		require.NoError(t, err)
		for range 3 {
			s, err := db.Snapshot()
			require.NoError(t, err)
			snaps = append(snaps, s)
		}
	}
	var wg sync.WaitGroup
	for i, s := range snaps {
		want := fmt.Sprint(i/3 + 1)
		require.Equal(t, int64(i/3+1), s.Commit().Height)
		for range 4 {
			wg.Go(func() {
				for range 50 {
					v, err := s.Get([]byte("k"))
					if err != nil || string(v) != want {
						t.Errorf("snapshot %d read %q, %v; want %q", i, v, err, want)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	for _, s := range snaps {
		s.Close()
		s.Close() // a second Close is a no-op
	}
	// A view whose users are gone is released; a new snapshot still reads.
	s, err := db.Snapshot()
	require.NoError(t, err)
	defer s.Close()
	v, err := s.Get([]byte("k"))
	require.NoError(t, err)
	require.Equal(t, "4", string(v))
}

// TestDelete removes keys, committed and not: reads, later heights, the
// root and proofs forget them, earlier heights keep them.
func TestDelete(t *testing.T) {
	db, err := store.Open(t.TempDir(), store.DefaultOptions())
	require.NoError(t, err)
	defer db.Close()
	set(t, db, "a", "1", "b", "1")
	_, err = db.Commit(1)
	require.NoError(t, err)

	require.NoError(t, db.PendingDelete([]byte("a")))
	set(t, db, "c", "1")
	require.NoError(t, db.PendingDelete([]byte("c"))) // set and deleted in one block
	v, err := db.PendingGet([]byte("a"))
	require.NoError(t, err)
	require.Nil(t, v)
	require.Error(t, db.PendingDelete([]byte("never")), "deleting an absent key is an error")
	r2, err := db.Commit(2)
	require.NoError(t, err)

	for _, k := range []string{"a", "c"} {
		v, err := db.Get([]byte(k))
		require.NoError(t, err)
		require.Nil(t, v, k)
	}
	v, err = db.GetAt(1, []byte("a"))
	require.NoError(t, err)
	require.Equal(t, "1", string(v), "height 1 still has a")

	// The root is that of a state that never held a or c.
	fresh, err := store.Open("", store.Options{InMemory: true})
	require.NoError(t, err)
	defer fresh.Close()
	set(t, fresh, "b", "1")
	require.Equal(t, fresh.PendingRoot(), r2)

	p, err := db.Prove(2, []byte("a"))
	require.NoError(t, err)
	require.Nil(t, p.Value)
	ok, err := proof.VerifyTree(p.Proof, r2, []byte("a"), nil)
	require.NoError(t, err)
	require.True(t, ok, "non-membership of a deleted key")

	// A deleted key can be written again.
	set(t, db, "a", "2")
	_, err = db.Commit(3)
	require.NoError(t, err)
	v, err = db.Get([]byte("a"))
	require.NoError(t, err)
	require.Equal(t, "2", string(v))
}

// TestPendingScan merges the block's writes and deletes into the committed
// entries under a prefix, in key order, and stops when asked.
func TestPendingScan(t *testing.T) {
	db, err := store.Open(t.TempDir(), store.DefaultOptions())
	require.NoError(t, err)
	defer db.Close()
	set(t, db, "q/1", "c1", "q/3", "c3", "q/5", "c5", "q/7", "c7", "r/0", "x", "q", "x")
	_, err = db.Commit(1)
	require.NoError(t, err)
	set(t, db, "q/2", "p2", "q/5", "p5", "q/9", "p9", "q/0", "p0")
	require.NoError(t, db.PendingDelete([]byte("q/3")))
	require.NoError(t, db.PendingDelete([]byte("q/9")))

	scan := func(limit int) []string {
		var got []string
		require.NoError(t, db.PendingScan([]byte("q/"), func(k, v []byte) bool {
			got = append(got, string(k)+"="+string(v))
			return len(got) < limit
		}))
		return got
	}
	require.Equal(t, []string{"q/0=p0", "q/1=c1", "q/2=p2", "q/5=p5", "q/7=c7"}, scan(100))
	require.Equal(t, []string{"q/0=p0", "q/1=c1"}, scan(2))

	_, err = db.Commit(2)
	require.NoError(t, err)
	require.Equal(t, []string{"q/0=p0", "q/1=c1", "q/2=p2", "q/5=p5", "q/7=c7"}, scan(100), "the same once committed")
}

// Keys kept out of the tree are stored and read like any other, at every
// height, but leave the root alone, cannot be proved by the store and
// cannot be deleted.
func TestOutOfTree(t *testing.T) {
	out := func(key []byte) bool { return len(key) > 0 && key[0] == 'x' }
	dir := t.TempDir()
	opts := store.DefaultOptions()
	opts.OutOfTree = out
	db, err := store.Open(dir, opts)
	require.NoError(t, err)
	set(t, db, "a", "1")
	r1, err := db.Commit(1)
	require.NoError(t, err)
	set(t, db, "x1", "flat")
	r2, err := db.Commit(2)
	require.NoError(t, err)
	require.Equal(t, r1, r2, "a key out of the tree must not change the root")
	set(t, db, "a", "2", "x2", "flat too")
	_, err = db.Commit(3)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	db, err = store.Open(dir, opts)
	require.NoError(t, err)
	defer db.Close()
	for h := int64(1); h <= 3; h++ {
		v, err := db.GetAt(h, []byte("x1"))
		require.NoError(t, err)
		require.Equal(t, "flat", string(v), "read from the latest state at height %d", h)
	}
	a, err := db.GetAt(2, []byte("a"))
	require.NoError(t, err)
	require.Equal(t, "1", string(a))
	_, err = db.GetAt(9, []byte("x1"))
	require.ErrorIs(t, err, store.ErrHeightUnavailable)
	_, err = db.Prove(3, []byte("x1"))
	require.ErrorContains(t, err, "kept out of the tree")
	require.ErrorContains(t, db.PendingDelete([]byte("x1")), "immutable")
	p, err := db.Prove(3, []byte("a"))
	require.NoError(t, err)
	require.Equal(t, "2", string(p.Value))
}
