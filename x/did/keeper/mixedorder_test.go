package keeper_test

import (
	"crypto/ed25519"
	"crypto/sha512"
	"testing"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// torsioned returns the public key of k plus the i-th point of small order
// (curve.EIGHT_TORSION[i], i in 0..7; 0 is the identity, so i = 0 gives
// k's own key): A + T, encoded canonically.
func torsioned(t testing.TB, k ed25519.PrivateKey, i int) []byte {
	t.Helper()
	var c curve.CompressedEdwardsY
	copy(c[:], k.Public().(ed25519.PublicKey))
	a, err := new(curve.EdwardsPoint).SetCompressedY(&c)
	require.NoError(t, err)
	var sum curve.EdwardsPoint
	sum.Add(a, curve.EIGHT_TORSION[i])
	var out curve.CompressedEdwardsY
	out.SetEdwardsPoint(&sum)
	return out[:]
}

// signAs makes an RFC 8032 signature of msg with k's secret scalar a, but
// hashing the given public key bytes pub in place of k's own:
// R = [r]B, h = SHA-512(R || pub || msg), S = r + h·a. Under pub = A + T,
// cofactored (ZIP-215) verification checks [8]([S]B - R - [h](A+T)) =
// [8](-[h]T) = identity: it holds, whatever T of small order.
func signAs(t testing.TB, k ed25519.PrivateKey, pub, msg []byte) []byte {
	t.Helper()
	h := sha512.Sum512(k.Seed())
	h[0] &= 248
	h[31] &= 127
	h[31] |= 64
	a, err := scalar.NewFromBytesModOrder(h[:32])
	require.NoError(t, err)
	rh := sha512.Sum512(append(append([]byte{}, h[32:]...), msg...))
	r, err := scalar.NewFromBytesModOrderWide(rh[:])
	require.NoError(t, err)
	var R curve.CompressedEdwardsY
	R.SetEdwardsPoint(curve.NewEdwardsPoint().MulBasepoint(curve.ED25519_BASEPOINT_TABLE, r))
	kh := sha512.Sum512(append(append(append([]byte{}, R[:]...), pub...), msg...))
	hs, err := scalar.NewFromBytesModOrderWide(kh[:])
	require.NoError(t, err)
	s := scalar.New().Mul(hs, a)
	s.Add(s, r)
	sig := append([]byte{}, R[:]...)
	sig = append(sig, make([]byte, 32)...)
	require.NoError(t, s.ToBytes(sig[32:]))
	return sig
}

// One secret, 8 controller keys: A and A + T for the 7 points T of small
// order other than the identity. Each encoding is canonical and none is of
// small order, each "proves possession" with a signature that verifies
// under ZIP-215, and together they would fill an 8-of-8 threshold. The
// create is refused (invalid_public_key) and changes nothing; so is an
// update that adds one mixed-order key to an honest DID, and a rotation to
// one. Before the prime-order check the create executed.
func TestMixedOrderKeysRefused(t *testing.T) {
	e := newEnv(t)
	secret := key("one secret")
	doc := types.Document{Threshold: 8}
	var frags []string
	var pubs [][]byte
	for i := range 8 {
		f := "key-" + string(rune('1'+i))
		p := torsioned(t, secret, i)
		pk, err := types.NewEd25519(p)
		require.NoError(t, err, "A + T%d parses: canonical, not of small order", i)
		require.True(t, pk.Verify([]byte("m"), signAs(t, secret, p, []byte("m"))), "one secret signs for A + T%d", i)
		doc.VerificationMethods = append(doc.VerificationMethods, vm(f, pk))
		frags = append(frags, f)
		pubs = append(pubs, p)
	}
	doc.Authentication = frags
	doc.CapabilityInvocation = frags
	id, body, err := txbuild.Create(testChain, doc, "")
	require.NoError(t, err)
	raw, err := body.Marshal()
	require.NoError(t, err)
	msg := types.SignBytes(raw)
	var sigs []types.Signature
	for i, f := range frags {
		sigs = append(sigs, types.Signature{VerificationMethod: types.URL{ID: id, Fragment: f}.String(), Signature: signAs(t, secret, pubs[i], msg)})
	}
	tx, err := types.EncodeTx(raw, sigs)
	require.NoError(t, err)
	e.refuse(tx, types.ErrInvalidPublicKey)
	require.Nil(t, e.head(id))

	// An honest DID of the same secret cannot add or rotate to A + T.
	owner := e.create(secret)
	mixed, err := types.NewEd25519(pubs[3])
	require.NoError(t, err)
	up := e.controlled(2, "key-1")
	up.VerificationMethods[0] = vm("key-1", pub(secret))
	up.VerificationMethods = append(up.VerificationMethods, vm("key-2", mixed))
	up.CapabilityInvocation = []string{"key-1", "key-2"}
	ub := txbuild.Update(testChain, owner, 1, up)
	upBody, err := ub.Marshal()
	require.NoError(t, err)
	upMsg := types.SignBytes(upBody)
	upTx, err := types.EncodeTx(upBody, []types.Signature{
		{VerificationMethod: types.URL{ID: owner, Fragment: "key-1"}.String(), Signature: ed25519.Sign(secret, upMsg)},
		{VerificationMethod: types.URL{ID: owner, Fragment: "key-2"}.String(), Signature: signAs(t, secret, pubs[3], upMsg)},
	})
	require.NoError(t, err)
	e.refuse(upTx, types.ErrInvalidPublicKey)

	rb := txbuild.Rotate(testChain, owner, 1, "key-1", mixed)
	rotBody, err := rb.Marshal()
	require.NoError(t, err)
	rotMsg := types.SignBytes(rotBody)
	rotTx, err := types.EncodeTx(rotBody, []types.Signature{
		{VerificationMethod: types.URL{ID: owner, Fragment: "key-1"}.String(), Signature: ed25519.Sign(secret, rotMsg)},
		{VerificationMethod: types.URL{ID: owner, Fragment: "key-1"}.String(), Signature: signAs(t, secret, pubs[3], rotMsg)},
	})
	require.NoError(t, err)
	e.refuse(rotTx, types.ErrInvalidPublicKey)
}
