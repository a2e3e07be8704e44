package keeper_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"math/big"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app/accel"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// p256Key returns the P-256 key whose scalar is SHA-256("custos test p256 "
// + name).
func p256Key(t testing.TB, name string) txbuild.P256Key {
	d := sha256.Sum256([]byte("custos test p256 " + name))
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	require.NoError(t, err)
	return txbuild.P256Key{Key: k}
}

// k1Key returns the secp256k1 key whose scalar is SHA-256("custos test
// secp256k1 " + name).
func k1Key(name string) txbuild.Secp256k1Key {
	d := sha256.Sum256([]byte("custos test secp256k1 " + name))
	return txbuild.Secp256k1Key{Key: secp256k1.PrivKeyFromBytes(d[:])}
}

// highS signs like k but turns s into n - s: a signature plain ECDSA
// accepts and Custos refuses.
type highS struct {
	txbuild.KeySigner
	n *big.Int
}

func (h highS) Sign(msg []byte) ([]byte, error) {
	sig, err := h.KeySigner.Sign(msg)
	if err != nil {
		return nil, err
	}
	s := new(big.Int).Sub(h.n, new(big.Int).SetBytes(sig[32:]))
	out := append([]byte(nil), sig...)
	s.FillBytes(out[32:])
	return out, nil
}

// createWith registers a one-key DID whose key signs through ks.
func (e *env) createWith(ks txbuild.KeySigner) types.ID {
	e.t.Helper()
	id, body, err := txbuild.Create(testChain, txbuild.SimpleDocument("key-1", ks.Public()), "")
	require.NoError(e.t, err)
	_, err = e.exec(e.sign(body, txbuild.NewKeySigner(id, "key-1", ks)))
	require.NoError(e.t, err)
	return id
}

// TestECDSAKeysControlDIDs: DIDs controlled by P-256 and secp256k1 keys are
// created, rotated within and across signing types, and the refusals that
// belong to ECDSA keys are named.
func TestECDSAKeysControlDIDs(t *testing.T) {
	e := newEnv(t)
	p1, p2 := p256Key(t, "p1"), p256Key(t, "p2")
	k1 := k1Key("k1")
	ed := txbuild.Ed25519Key(key("ecdsa ed"))

	t.Run("P-256 DID created, rotated to secp256k1, then to Ed25519", func(t *testing.T) {
		e := e.in(t)
		id := e.createWith(p1)
		require.Equal(t, p1.Public().Multicodec(), e.current(id).Document.VerificationMethods[0].PublicKey)
		_, err := e.exec(e.sign(txbuild.Rotate(testChain, id, 1, "key-1", k1.Public()),
			txbuild.NewKeySigner(id, "key-1", p1), txbuild.NewKeySigner(id, "key-1", k1)))
		require.NoError(t, err)
		require.Equal(t, k1.Public().Multicodec(), e.current(id).Document.VerificationMethods[0].PublicKey)
		_, err = e.exec(e.sign(txbuild.Rotate(testChain, id, 2, "key-1", ed.Public()),
			txbuild.NewKeySigner(id, "key-1", k1), txbuild.NewKeySigner(id, "key-1", ed)))
		require.NoError(t, err)
		require.Equal(t, uint64(3), e.head(id).Version)
		// The retired P-256 key no longer signs for the DID.
		e.refuse(e.sign(txbuild.Deactivate(testChain, id, 3), txbuild.NewKeySigner(id, "key-1", p1)), types.ErrBadSignature)
	})

	t.Run("Ed25519 DID rotated to P-256", func(t *testing.T) {
		e := e.in(t)
		id := e.createWith(ed)
		_, err := e.exec(e.sign(txbuild.Rotate(testChain, id, 1, "key-1", p2.Public()),
			txbuild.NewKeySigner(id, "key-1", ed), txbuild.NewKeySigner(id, "key-1", p2)))
		require.NoError(t, err)
		_, err = e.exec(e.sign(txbuild.Deactivate(testChain, id, 2), txbuild.NewKeySigner(id, "key-1", p2)))
		require.NoError(t, err)
	})

	n256 := elliptic.P256().Params().N
	nK1 := secp256k1.S256().N
	refusals := []struct {
		name string
		tx   func(e *env) []byte
		want *types.Error
	}{
		{name: "create signed with a high-S P-256 signature", want: types.ErrHighS, tx: func(e *env) []byte {
			k := p256Key(e.t, "high")
			id, body, _ := txbuild.Create(testChain, txbuild.SimpleDocument("key-1", k.Public()), "")
			return e.sign(body, txbuild.NewKeySigner(id, "key-1", highS{k, n256}))
		}},
		{name: "create signed with a high-S secp256k1 signature", want: types.ErrHighS, tx: func(e *env) []byte {
			k := k1Key("high")
			id, body, _ := txbuild.Create(testChain, txbuild.SimpleDocument("key-1", k.Public()), "")
			return e.sign(body, txbuild.NewKeySigner(id, "key-1", highS{k, nK1}))
		}},
		{name: "rotation proof of possession with a high-S signature", want: types.ErrHighS, tx: func(e *env) []byte {
			id := e.createWith(edk(e))
			k := p256Key(e.t, "new")
			return e.sign(txbuild.Rotate(testChain, id, 1, "key-1", k.Public()),
				txbuild.NewKeySigner(id, "key-1", edk(e)), txbuild.NewKeySigner(id, "key-1", highS{k, n256}))
		}},
		{name: "P-256 key without proof of possession", want: types.ErrMissingPossession, tx: func(e *env) []byte {
			id := e.createWith(edk(e))
			return e.sign(txbuild.Rotate(testChain, id, 1, "key-1", p256Key(e.t, "nopop").Public()), txbuild.NewKeySigner(id, "key-1", edk(e)))
		}},
		{name: "P-256 signature presented for a secp256k1 key", want: types.ErrBadSignature, tx: func(e *env) []byte {
			k := k1Key("swap")
			id, body, _ := txbuild.Create(testChain, txbuild.SimpleDocument("key-1", k.Public()), "")
			return e.sign(body, txbuild.NewKeySigner(id, "key-1", wrongKey{k.Public(), p256Key(e.t, "swap")}))
		}},
		{name: "rotation to an uncompressed P-256 key", want: types.ErrUncompressedKey, tx: func(e *env) []byte {
			id := e.createWith(edk(e))
			pk := p256Key(e.t, "unc").Key
			raw := append([]byte{0x80, 0x24}, elliptic.Marshal(elliptic.P256(), pk.X, pk.Y)...)
			return e.sign(rotateTo(id, raw), txbuild.NewKeySigner(id, "key-1", edk(e)))
		}},
		{name: "rotation to a P-256 point off the curve", want: types.ErrInvalidPublicKey, tx: func(e *env) []byte {
			id := e.createWith(edk(e))
			raw := append([]byte{0x80, 0x24, 0x02}, make([]byte, 32)...)
			raw[len(raw)-1] = 1 // x = 1: x^3 - 3x + b is no square mod p
			return e.sign(rotateTo(id, raw), txbuild.NewKeySigner(id, "key-1", edk(e)))
		}},
		{name: "rotation to a P-256 key of the wrong length", want: types.ErrInvalidPublicKey, tx: func(e *env) []byte {
			id := e.createWith(edk(e))
			raw := append([]byte{0x80, 0x24}, p256Key(e.t, "len").Public().Raw()[:32]...)
			return e.sign(rotateTo(id, raw), txbuild.NewKeySigner(id, "key-1", edk(e)))
		}},
		{name: "rotation of a keyAgreement key to P-256", want: types.ErrKeyTypeMismatch, tx: func(e *env) []byte {
			doc := txbuild.SimpleDocument("key-1", edk(e).Public())
			doc.VerificationMethods = append(doc.VerificationMethods, vm("enc", e.xpub("enc")))
			doc.KeyAgreement = []string{"enc"}
			id, body, _ := txbuild.Create(testChain, doc, "")
			_, err := e.exec(e.sign(body, txbuild.NewKeySigner(id, "key-1", edk(e))))
			require.NoError(e.t, err)
			k := p256Key(e.t, "agree")
			return e.sign(txbuild.Rotate(testChain, id, 1, "enc", k.Public()),
				txbuild.NewKeySigner(id, "key-1", edk(e)), txbuild.NewKeySigner(id, "enc", k))
		}},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			e := e.in(t)
			e.refuse(tc.tx(e), tc.want)
		})
	}
}

// edk is the Ed25519 key "ed" in e's namespace.
func edk(e *env) txbuild.Ed25519Key { return txbuild.Ed25519Key(e.key("ed")) }

// wrongKey claims one public key and signs with another.
type wrongKey struct {
	pub types.PublicKey
	txbuild.KeySigner
}

func (w wrongKey) Public() types.PublicKey { return w.pub }

// rotateTo is a rotation of id's key-1 at version 1 to the raw multicodec
// bytes raw.
func rotateTo(id types.ID, raw []byte) types.TxBody {
	b := txbuild.Rotate(testChain, id, 1, "key-1", types.PublicKey{})
	b.GetRotateKey().NewPublicKey = raw
	return b
}

// TestSigCacheECDSA: the signature cache and the prewarm that fills it
// answer for ECDSA keys exactly as verification does. A cache keyed on a
// key form that is empty for P-256 keys would vouch for one P-256 key's
// signature under any other, and a batch verifier that knows only Ed25519
// would cache a valid P-256 signature as invalid.
func TestSigCacheECDSA(t *testing.T) {
	msg := []byte("message")
	a, b := p256Key(t, "cache a"), p256Key(t, "cache b")
	sig, err := a.Sign(msg)
	require.NoError(t, err)
	c := accel.NewSigCache(16)
	require.True(t, c.Verify(a.Public(), msg, sig))
	require.False(t, c.Verify(b.Public(), msg, sig), "the cache vouched for a's signature under b")
	k := k1Key("cache k")
	ks, err := k.Sign(msg)
	require.NoError(t, err)
	require.True(t, c.Verify(k.Public(), msg, ks))
	require.False(t, c.Verify(k1Key("cache l").Public(), msg, ks))

	eng := accel.New(accel.Config{SigCache: 1024, Prewarm: true})
	e := newEnvWith(t, eng.Facts())
	var txs [][]byte
	for i, name := range []string{"w1", "w2", "w3", "w4", "w5"} {
		var ks txbuild.KeySigner = p256Key(t, name)
		if i%2 == 1 {
			ks = k1Key(name)
		}
		id, body, err := txbuild.Create(testChain, txbuild.SimpleDocument("key-1", ks.Public()), "")
		require.NoError(t, err)
		txs = append(txs, e.sign(body, txbuild.NewKeySigner(id, "key-1", ks)))
	}
	eng.PrepareBlock(e.k, e.db.Pending(), nil, txs)
	_, verified := eng.SigStats()
	require.Equal(t, uint64(len(txs)), verified, "prewarm verified the block's signatures")
	for _, tx := range txs {
		_, err := e.exec(tx)
		require.NoError(t, err)
	}
}
