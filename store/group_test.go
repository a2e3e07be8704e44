package store

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/proof"
)

// TestGroupedProofs proves keys inside a populated group, and absent keys
// of that group, against the root.
func TestGroupedProofs(t *testing.T) {
	db, err := Open("", Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	id := bytes.Repeat([]byte{1}, 16)
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
		ok, err := proof.VerifyTree(p.Proof, p.AppHash, tc.key, tc.value)
		require.NoError(t, err)
		require.True(t, ok, "%x", tc.key)
		// The proof of one key does not prove a neighbour of its group.
		ok, _ = proof.VerifyTree(p.Proof, p.AppHash, key("v", 4), tc.value)
		require.False(t, ok, "%x proved as v4", tc.key)
	}
}
