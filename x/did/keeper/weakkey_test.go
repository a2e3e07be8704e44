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
