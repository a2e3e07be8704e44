package keeper_test

import (
	"encoding/hex"
	"testing"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// A create naming an Ed25519 key of small order, with a "proof of
// possession" anyone can forge for such a key, is refused and changes
// nothing.
func TestCreateWithSmallOrderKeyRefused(t *testing.T) {
	e := newEnv(t)
	weak, err := hex.DecodeString("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
	require.NoError(t, err)
	doc := txbuild.SimpleDocument("key-1", pub(key("honest")))
	doc.VerificationMethods[0].PublicKey = append([]byte{0xed, 0x01}, weak...)
	id, body, err := txbuild.Create(testChain, doc, "")
	require.NoError(t, err)
	raw, err := body.Marshal()
	require.NoError(t, err)

	// (R = [s]B, s) verifies for any message under a small-order key.
	s := scalar.NewFromUint64(7)
	var r curve.CompressedEdwardsY
	r.SetEdwardsPoint(curve.NewEdwardsPoint().MulBasepoint(curve.ED25519_BASEPOINT_TABLE, s))
	forged := append([]byte(nil), r[:]...)
	forged = append(forged, make([]byte, 32)...)
	require.NoError(t, s.ToBytes(forged[32:]))
	tx, err := types.EncodeTx(raw, []types.Signature{{VerificationMethod: types.URL{ID: id, Fragment: "key-1"}.String(), Signature: forged}})
	require.NoError(t, err)

	e.refuse(tx, types.ErrInvalidPublicKey)
}

// An update adding a keyAgreement key of small order (here u = 0, the
// all-zero key: every key agreement with it gives the all-zero secret) is
// refused and changes nothing.
func TestUpdateWithSmallOrderX25519Refused(t *testing.T) {
	e := newEnv(t)
	k := key("x-owner")
	id := e.create(k)
	doc := txbuild.SimpleDocument("key-1", pub(k))
	doc.VerificationMethods = append(doc.VerificationMethods,
		types.VerificationMethod{Id: "enc", PublicKey: append([]byte{0xec, 0x01}, make([]byte, 32)...)})
	doc.KeyAgreement = []string{"enc"}
	tx := e.sign(txbuild.Update(testChain, id, 1, doc), txbuild.NewSigner(id, "key-1", k))
	e.refuse(tx, types.ErrInvalidPublicKey)
}

// notAPointKey returns a canonical 32-byte Ed25519 encoding that is no
// point of the curve.
func notAPointKey(t *testing.T) types.PublicKey {
	t.Helper()
	for y := byte(2); y < 255; y++ {
		raw := make([]byte, 32)
		raw[0] = y
		if pk, err := types.NewEd25519(raw); err == nil && !pk.IsCurvePoint() {
			return pk
		}
	}
	t.Fatal("no such y below 255")
	return types.PublicKey{}
}

// A new Ed25519 key that is no curve point cannot prove possession: the
// tx is refused with invalid_public_key, which names the reason, whether
// it carries a "signature" by the key (a create) or none (a rotation).
func TestNewKeyNotACurvePointRefused(t *testing.T) {
	e := newEnv(t)
	bad := notAPointKey(t)
	doc := txbuild.SimpleDocument("key-1", bad)
	id, body, err := txbuild.Create(testChain, doc, "")
	require.NoError(t, err)
	raw, err := body.Marshal()
	require.NoError(t, err)
	tx, err := types.EncodeTx(raw, []types.Signature{{VerificationMethod: types.URL{ID: id, Fragment: "key-1"}.String(), Signature: make([]byte, 64)}})
	require.NoError(t, err)
	e.refuse(tx, types.ErrInvalidPublicKey)

	k := key("point-owner")
	owned := e.create(k)
	rot := e.sign(txbuild.Rotate(testChain, owned, 1, "key-1", bad), txbuild.NewSigner(owned, "key-1", k))
	e.refuse(rot, types.ErrInvalidPublicKey)
	require.True(t, pub(k).IsCurvePoint())
}
