package didtest_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"testing"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/types"
)

func TestKeysAreDeterministicAndDistinct(t *testing.T) {
	require.Equal(t, didtest.Key("a"), didtest.Key("a"))
	require.NotEqual(t, didtest.Key("a"), didtest.Key("b"))
	require.Equal(t, didtest.X25519("a"), didtest.X25519("a"))
	require.NotEqual(t, didtest.X25519("a"), didtest.X25519("b"))
	require.Equal(t, types.KeyTypeX25519, didtest.X25519("a").Type())
}

// Every weak encoding is refused by the key parser, for the reason named.
func TestWeakKeysAreRefused(t *testing.T) {
	for _, raw := range didtest.SmallOrderEd25519() {
		_, err := types.NewEd25519(raw)
		require.ErrorIs(t, err, types.ErrInvalidPublicKey, "%x", raw)
	}
	require.Len(t, didtest.SmallOrderEd25519(), 8)
	for _, raw := range didtest.NonCanonicalEd25519() {
		_, err := types.NewEd25519(raw)
		require.ErrorIs(t, err, types.ErrInvalidPublicKey, "%x", raw)
	}
	for _, raw := range didtest.X25519SmallOrder() {
		_, err := types.NewX25519(raw)
		require.ErrorIs(t, err, types.ErrInvalidPublicKey, "%x", raw)
	}
	pk, err := types.NewEd25519(didtest.NotOnCurveEd25519())
	require.NoError(t, err, "the parser leaves curve membership to proof of possession")
	require.False(t, pk.IsCurvePoint())
}

// The mixed-order twin is a distinct point that differs from the key by a
// point of order 8, and the key's secret signs for it under ZIP-215.
func TestMixedOrderTwin(t *testing.T) {
	k := didtest.Key("twin")
	twin := didtest.MixedOrderEd25519(k)
	require.False(t, bytes.Equal(twin, k.Public().(ed25519.PublicKey)))
	var a, b curve.CompressedEdwardsY
	copy(a[:], k.Public().(ed25519.PublicKey))
	copy(b[:], twin)
	pa, err := new(curve.EdwardsPoint).SetCompressedY(&a)
	require.NoError(t, err)
	pb, err := new(curve.EdwardsPoint).SetCompressedY(&b)
	require.NoError(t, err)
	var d curve.EdwardsPoint
	d.Sub(pb, pa)
	require.True(t, d.IsSmallOrder())
	var d4 curve.EdwardsPoint
	d4.Add(&d, &d)
	d4.Add(&d4, &d4)
	require.False(t, d4.IsIdentity(), "the difference has order 8")

	pk, err := types.NewEd25519(twin)
	require.NoError(t, err)
	signer := append(append(ed25519.PrivateKey(nil), k.Seed()...), twin...)
	msg := []byte("custos")
	require.True(t, pk.Verify(msg, ed25519.Sign(signer, msg)))
}

func TestCreateIsSignedByEverySigningKey(t *testing.T) {
	d := didtest.MofN("custos-test", "m", 2, 3)
	tx, body, err := types.DecodeTx(d.Create(), 1<<20)
	require.NoError(t, err)
	require.Equal(t, d.ID.String(), body.Did)
	require.Len(t, tx.Signatures, 3)
	require.Equal(t, []string{"k1", "k2", "k3"}, d.SigningFragments())
	for i, s := range tx.Signatures {
		u, err := types.ParseURL(s.VerificationMethod)
		require.NoError(t, err)
		require.Equal(t, d.SigningFragments()[i], u.Fragment)
		require.True(t, didtest.Pub(d.Keys[u.Fragment]).Verify(types.SignBytes(tx.Body), s.Signature))
	}
}

// The seeds of named keys are fixed: tests in other packages (the golden
// blocks among them) pin what follows from them.
func TestKeySeeds(t *testing.T) {
	for _, tc := range []struct {
		got  ed25519.PrivateKey
		seed string
	}{
		{didtest.Key("alice"), "custos didtest alice"},
		{didtest.KeyIn("golden", "a1"), "custos golden a1"},
		{didtest.KeyIn("test key", "owner"), "custos test key owner"},
		{didtest.WorkloadKey("run", 258, 'c'), "custos bench run\x00\x00\x00\x00\x00\x00\x01\x02c"},
	} {
		s := sha256.Sum256([]byte(tc.seed))
		require.Equal(t, ed25519.NewKeyFromSeed(s[:]), tc.got, "seed %q", tc.seed)
	}
	s := sha256.Sum256([]byte("custos resolver test x25519 bob"))
	require.Equal(t, s[:], didtest.X25519KeyIn("resolver test", "bob").Bytes())
	require.Equal(t, didtest.X25519("bob").Multicodec()[2:], didtest.X25519KeyIn("didtest", "bob").PublicKey().Bytes())
}

// OneKey's create is a create of a one-key DID signed by its key.
func TestOneKey(t *testing.T) {
	k := didtest.Key("one")
	id, raw := didtest.OneKey("custos-test", k, "memo")
	tx, body, err := types.DecodeTx(raw, 1<<20)
	require.NoError(t, err)
	require.Equal(t, id.String(), body.Did)
	require.Equal(t, "memo", body.Memo)
	require.Len(t, tx.Signatures, 1)
	require.True(t, didtest.Pub(k).Verify(types.SignBytes(tx.Body), tx.Signatures[0].Signature))
}
