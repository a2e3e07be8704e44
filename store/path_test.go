package store

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGroupedPaths(t *testing.T) {
	id := bytes.Repeat([]byte{7}, groupLen)
	other := bytes.Repeat([]byte{8}, groupLen)
	head := append([]byte("h/"), id...)
	version := append(append([]byte("v/"), id...), 0, 0, 0, 0, 0, 0, 0, 1)
	otherHead := append([]byte("h/"), other...)
	var p groupedPaths

	// A DID's keys share the 3-byte group prefix; the rest is the key's own.
	require.Equal(t, p.Path(head)[:groupPrefix], p.Path(version)[:groupPrefix])
	require.NotEqual(t, p.Path(head), p.Path(version))
	gh := sha256.Sum256(id)
	require.Equal(t, gh[:groupPrefix], p.Path(head)[:groupPrefix])
	kh := sha256.Sum256(version)
	require.Equal(t, kh[:sha256.Size-groupPrefix], p.Path(version)[groupPrefix:])
	require.NotEqual(t, p.Path(head)[:groupPrefix], p.Path(otherHead)[:groupPrefix])

	// Keys without a group (too short, or no '/' after the prefix) hash whole.
	for _, k := range [][]byte{[]byte("c"), []byte("q"), append([]byte("hx"), id...), head[:len(head)-1]} {
		h := sha256.Sum256(k)
		require.Equal(t, h[:], p.Path(k), "%q", k)
	}
	for _, k := range [][]byte{head, version, []byte("c")} {
		require.Len(t, p.Path(k), p.PathSize())
	}
}

// TestGroupedProofs proves keys inside a populated group, and absent keys
// of that group, against the root.
func TestGroupedProofs(t *testing.T) {
	db, err := Open("", Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	id := bytes.Repeat([]byte{1}, groupLen)
	key := func(prefix string, n byte) []byte { return append(append([]byte(prefix+"/"), id...), n) }
	for n := byte(0); n < 20; n++ {
		require.NoError(t, db.PendingSet(key("v", n), []byte{'v', n}))
	}
	require.NoError(t, db.PendingSet([]byte("c"), []byte("chain")))
	_, err = db.Commit(1)
	require.NoError(t, err)
	for _, tc := range []struct {
		key, value []byte
	}{
		{key("v", 3), []byte{'v', 3}},
		{key("v", 19), []byte{'v', 19}},
		{[]byte("c"), []byte("chain")},
		{key("v", 20), nil},
		{key("e", 3), nil},
	} {
		p, err := db.Prove(1, tc.key)
		require.NoError(t, err)
		require.Equal(t, tc.value, p.Value)
		ok, err := VerifyProof(p.Proof, p.AppHash, tc.key, tc.value)
		require.NoError(t, err)
		require.True(t, ok, "%x", tc.key)
		// The proof of one key does not prove a neighbour of its group.
		ok, _ = VerifyProof(p.Proof, p.AppHash, key("v", 4), tc.value)
		require.False(t, ok, "%x proved as v4", tc.key)
	}
}
