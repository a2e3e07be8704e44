package types_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/types"
)

func nkKey(name string) types.PublicKey {
	s := sha256.Sum256([]byte(name))
	pk, err := types.NewEd25519(ed25519.NewKeyFromSeed(s[:]).Public().(ed25519.PublicKey))
	if err != nil {
		panic(err)
	}
	return pk
}

func TestControlChanged(t *testing.T) {
	a, b, c := nkKey("a"), nkKey("b"), nkKey("c")
	doc := func(threshold uint32, keys ...types.PublicKey) *types.Document {
		d := &types.Document{Threshold: threshold}
		for i, k := range keys {
			f := string(rune('p' + i))
			d.VerificationMethods = append(d.VerificationMethods, types.VerificationMethod{Id: f, PublicKey: k.Multicodec()})
			d.CapabilityInvocation = append(d.CapabilityInvocation, f)
		}
		return d
	}
	cases := []struct {
		name      string
		cur, next *types.Document
		changed   bool
	}{
		{"same keys", doc(1, a, b), doc(1, a, b), false},
		{"same keys, other order and fragments", doc(1, a, b), doc(1, b, a), false},
		{"threshold", doc(1, a, b), doc(2, a, b), true},
		{"one key replaced", doc(1, a, b), doc(1, a, c), true},
		{"one key added", doc(1, a), doc(1, a, b), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.changed, types.ControlChanged(tc.cur, tc.next))
		})
	}
}

func TestNextKeysEqualAndDigests(t *testing.T) {
	da, db := types.KeyDigest(nkKey("a")), types.KeyDigest(nkKey("b"))
	require.True(t, types.NextKeysEqual(nil, nil))
	require.False(t, types.NextKeysEqual(nil, &types.NextKeys{Digests: [][]byte{da}, Threshold: 1}))
	require.True(t, types.NextKeysEqual(&types.NextKeys{Digests: [][]byte{da, db}, Threshold: 1}, &types.NextKeys{Digests: [][]byte{db, da}, Threshold: 1}))
	require.False(t, types.NextKeysEqual(&types.NextKeys{Digests: [][]byte{da, db}, Threshold: 1}, &types.NextKeys{Digests: [][]byte{da, db}, Threshold: 2}))
	require.True(t, types.HasDigest([][]byte{da, db}, db))
	require.False(t, types.HasDigest([][]byte{da}, db))
	require.False(t, types.SameDigests([][]byte{da}, [][]byte{da, db}))
}
