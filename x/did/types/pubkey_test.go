package types_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	crand "crypto/rand"
	"encoding/hex"
	"math/big"
	"slices"
	"strings"
	"testing"

	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/multiformats/go-multibase"
	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/types"
)

// edPriv returns the Ed25519 private key whose 32-byte seed is n repeated.
func edPriv(n byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{n}, ed25519.SeedSize))
}

// edKey returns the public key of edPriv(n).
func edKey(t testing.TB, n byte) types.PublicKey {
	t.Helper()
	pk, err := types.NewEd25519(edPriv(n).Public().(ed25519.PublicKey))
	require.NoError(t, err)
	return pk
}

// xKey returns an X25519 public key whose raw bytes are n repeated.
func xKey(t testing.TB, n byte) types.PublicKey {
	t.Helper()
	pk, err := types.NewX25519(bytes.Repeat([]byte{n}, 32))
	require.NoError(t, err)
	return pk
}

// multikey encodes prefix || raw as "z" + base58btc.
func multikey(t testing.TB, prefix []byte, raw []byte) string {
	t.Helper()
	s, err := multibase.Encode(multibase.Base58BTC, append(append([]byte{}, prefix...), raw...))
	require.NoError(t, err)
	return s
}

var (
	codecEd25519   = []byte{0xed, 0x01}
	codecX25519    = []byte{0xec, 0x01}
	codecSecp256k1 = []byte{0xe7, 0x01}
	codecP256      = []byte{0x80, 0x24}
)

func TestParsePublicKey(t *testing.T) {
	raw32 := bytes.Repeat([]byte{7}, 32)
	cat := func(a, b []byte) []byte { return append(append([]byte{}, a...), b...) }
	tests := []struct {
		name     string
		in       []byte
		wantType types.KeyType
		wantErr  error
	}{
		{name: "Ed25519", in: cat(codecEd25519, raw32), wantType: types.KeyTypeEd25519},
		{name: "X25519", in: cat(codecX25519, raw32), wantType: types.KeyTypeX25519},

		{name: "nil", in: nil, wantErr: types.ErrUnsupportedKeyType},
		{name: "raw key without prefix", in: raw32, wantErr: types.ErrUnsupportedKeyType},
		{name: "half a prefix", in: []byte{0xed}, wantErr: types.ErrUnsupportedKeyType},
		{name: "Ed25519 prefix only", in: codecEd25519, wantErr: types.ErrInvalidPublicKey},
		{name: "Ed25519 31 bytes", in: cat(codecEd25519, raw32[:31]), wantErr: types.ErrInvalidPublicKey},
		{name: "Ed25519 33 bytes", in: cat(codecEd25519, append(raw32, 0)), wantErr: types.ErrInvalidPublicKey},
		{name: "X25519 31 bytes", in: cat(codecX25519, raw32[:31]), wantErr: types.ErrInvalidPublicKey},
		{name: "X25519 64 bytes", in: cat(codecX25519, append(raw32, raw32...)), wantErr: types.ErrInvalidPublicKey},
		{name: "secp256k1 x alone", in: cat(codecSecp256k1, raw32), wantErr: types.ErrInvalidPublicKey},
		{name: "P-256 x alone", in: cat(codecP256, raw32), wantErr: types.ErrInvalidPublicKey},
		{name: "Ed25519 private key codec", in: cat([]byte{0x80, 0x26}, raw32), wantErr: types.ErrUnsupportedKeyType},
		{name: "BLS12-381 G2", in: cat([]byte{0xeb, 0x01}, raw32), wantErr: types.ErrUnsupportedKeyType},
		{name: "non-minimal varint 0xed", in: cat([]byte{0xed, 0x81, 0x00}, raw32), wantErr: types.ErrUnsupportedKeyType},
		{name: "leading zero byte", in: cat([]byte{0}, cat(codecEd25519, raw32)), wantErr: types.ErrUnsupportedKeyType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pk, err := types.ParsePublicKey(tc.in)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.True(t, pk.IsZero())
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantType, pk.Type())
			require.Equal(t, raw32, pk.Raw())
			require.Equal(t, tc.in, pk.Multicodec())
		})
	}
}

func TestParseMultikey(t *testing.T) {
	raw := bytes.Repeat([]byte{9}, 32)
	ed := multikey(t, codecEd25519, raw)
	x := multikey(t, codecX25519, raw)
	flickr, err := multibase.Encode(multibase.Base58Flickr, append(append([]byte{}, codecEd25519...), raw...))
	require.NoError(t, err)
	b64, err := multibase.Encode(multibase.Base64url, append(append([]byte{}, codecEd25519...), raw...))
	require.NoError(t, err)
	hex, err := multibase.Encode(multibase.Base16, append(append([]byte{}, codecEd25519...), raw...))
	require.NoError(t, err)

	tests := []struct {
		name     string
		in       string
		wantType types.KeyType
		wantErr  error
	}{
		{name: "Ed25519", in: ed, wantType: types.KeyTypeEd25519},
		{name: "X25519", in: x, wantType: types.KeyTypeX25519},

		{name: "empty", in: "", wantErr: types.ErrInvalidPublicKey},
		{name: "z alone", in: "z", wantErr: types.ErrInvalidPublicKey},
		{name: "no multibase prefix", in: ed[1:], wantErr: types.ErrInvalidPublicKey},
		{name: "base58flickr Z", in: flickr, wantErr: types.ErrInvalidPublicKey},
		{name: "base64url u", in: b64, wantErr: types.ErrInvalidPublicKey},
		{name: "base16 f", in: hex, wantErr: types.ErrInvalidPublicKey},
		{name: "upper-case Z on base58btc text", in: "Z" + ed[1:], wantErr: types.ErrInvalidPublicKey},
		{name: "digit zero", in: "z0" + ed[2:], wantErr: types.ErrInvalidPublicKey},
		{name: "capital O", in: "zO" + ed[2:], wantErr: types.ErrInvalidPublicKey},
		{name: "capital I", in: "zI" + ed[2:], wantErr: types.ErrInvalidPublicKey},
		{name: "small l", in: "zl" + ed[2:], wantErr: types.ErrInvalidPublicKey},
		{name: "trailing space", in: ed + " ", wantErr: types.ErrInvalidPublicKey},
		{name: "non-ASCII", in: ed + "é", wantErr: types.ErrInvalidPublicKey},
		{name: "too long", in: "z" + strings.Repeat("2", 128), wantErr: types.ErrInvalidPublicKey},
		{name: "Ed25519 31 bytes", in: multikey(t, codecEd25519, raw[:31]), wantErr: types.ErrInvalidPublicKey},
		{name: "Ed25519 33 bytes", in: multikey(t, codecEd25519, append(raw, 1)), wantErr: types.ErrInvalidPublicKey},
		{name: "one character short", in: ed[:len(ed)-1], wantErr: types.ErrUnsupportedKeyType},
		{name: "one character long", in: ed + "2", wantErr: types.ErrUnsupportedKeyType},
		{name: "leading '1' adds a zero byte", in: "z1" + ed[1:], wantErr: types.ErrUnsupportedKeyType},
		{name: "raw key without codec", in: multikey(t, nil, raw), wantErr: types.ErrUnsupportedKeyType},
		{name: "secp256k1 x alone", in: multikey(t, codecSecp256k1, raw), wantErr: types.ErrInvalidPublicKey},
		{name: "P-256 x alone", in: multikey(t, codecP256, raw), wantErr: types.ErrInvalidPublicKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pk, err := types.ParseMultikey(tc.in)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.True(t, pk.IsZero())
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantType, pk.Type())
			require.Equal(t, raw, pk.Raw())
			require.Equal(t, tc.in, pk.Multibase())
			require.Equal(t, tc.in, pk.String())
		})
	}
}

func TestNewKeySizes(t *testing.T) {
	tests := []struct {
		name string
		new  func([]byte) (types.PublicKey, error)
		size int
		ok   bool
	}{
		{name: "Ed25519 32", new: types.NewEd25519, size: 32, ok: true},
		{name: "Ed25519 0", new: types.NewEd25519, size: 0},
		{name: "Ed25519 31", new: types.NewEd25519, size: 31},
		{name: "Ed25519 64", new: types.NewEd25519, size: 64},
		{name: "X25519 32", new: types.NewX25519, size: 32, ok: true},
		{name: "X25519 33", new: types.NewX25519, size: 33},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := make([]byte, tc.size)
			if tc.size > 0 {
				raw[0] = 9 // all zeros is a point of small order, refused
			}
			pk, err := tc.new(raw)
			if !tc.ok {
				require.ErrorIs(t, err, types.ErrInvalidPublicKey)
				require.True(t, pk.IsZero())
				return
			}
			require.NoError(t, err)
			require.False(t, pk.IsZero())
		})
	}
}

func TestPublicKeyComparable(t *testing.T) {
	a := edKey(t, 1)
	b, err := types.ParseMultikey(a.Multibase())
	require.NoError(t, err)
	require.True(t, a == b)
	require.False(t, a == edKey(t, 2))

	// The same 32 bytes as Ed25519 and as X25519 are different keys.
	raw := bytes.Repeat([]byte{5}, 32)
	ed, err := types.NewEd25519(raw)
	require.NoError(t, err)
	x, err := types.NewX25519(raw)
	require.NoError(t, err)
	require.False(t, ed == x)

	// Raw returns a copy: changing it does not change the key.
	r := a.Raw()
	r[0] ^= 0xff
	require.NotEqual(t, r, a.Raw())
}

func TestZeroPublicKey(t *testing.T) {
	var zero types.PublicKey
	require.True(t, zero.IsZero())
	require.Equal(t, types.KeyTypeUnknown, zero.Type())
	require.Nil(t, zero.Multicodec())
	require.False(t, zero.Verify([]byte("m"), make([]byte, 64)))
}

func TestKeyType(t *testing.T) {
	tests := []struct {
		typ     types.KeyType
		name    string
		canSign bool
	}{
		{types.KeyTypeUnknown, "unknown", false},
		{types.KeyTypeEd25519, "Ed25519", true},
		{types.KeyTypeX25519, "X25519", false},
		{types.KeyTypeSecp256k1, "secp256k1", true},
		{types.KeyTypeP256, "P-256", true},
		{types.KeyType(200), "unknown", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.name, tc.typ.String())
			require.Equal(t, tc.canSign, tc.typ.CanSign())
		})
	}
}

func TestVerify(t *testing.T) {
	priv := edPriv(3)
	pk := edKey(t, 3)
	msg := []byte("custos verify test")
	sig := ed25519.Sign(priv, msg)
	flipped := append([]byte{}, sig...)
	flipped[10] ^= 1
	x, err := types.NewX25519(priv.Public().(ed25519.PublicKey))
	require.NoError(t, err)

	tests := []struct {
		name string
		key  types.PublicKey
		msg  []byte
		sig  []byte
		want bool
	}{
		{name: "valid", key: pk, msg: msg, sig: sig, want: true},
		{name: "other message", key: pk, msg: []byte("custos verify test!"), sig: sig},
		{name: "other key", key: edKey(t, 4), msg: msg, sig: sig},
		{name: "flipped bit", key: pk, msg: msg, sig: flipped},
		{name: "short signature", key: pk, msg: msg, sig: sig[:63]},
		{name: "long signature", key: pk, msg: msg, sig: append(append([]byte{}, sig...), 0)},
		{name: "empty signature", key: pk, msg: msg, sig: nil},
		{name: "X25519 key never verifies", key: x, msg: msg, sig: sig},
		{name: "zero key", key: types.PublicKey{}, msg: msg, sig: sig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.key.Verify(tc.msg, tc.sig))
		})
	}
}

func TestGoString(t *testing.T) {
	pk := edKey(t, 1)
	require.Equal(t, "PublicKey(Ed25519 "+pk.Multibase()+")", pk.GoString())
}

// The 8 Ed25519 points of small order (their canonical encodings, as
// listed in "Taming the many EdDSAs", Chalkias et al. 2020) and
// non-canonical encodings are refused as keys.
func TestWeakEd25519KeysRefused(t *testing.T) {
	for _, h := range []string{
		"0100000000000000000000000000000000000000000000000000000000000000", // identity
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2
		"0000000000000000000000000000000000000000000000000000000000000000", // order 4
		"0000000000000000000000000000000000000000000000000000000000000080", // order 4
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", // order 8
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", // order 8
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p: not reduced
		"0100000000000000000000000000000000000000000000000000000000000080", // x = 0 with its sign set
	} {
		raw, err := hex.DecodeString(h)
		require.NoError(t, err)
		_, err = types.NewEd25519(raw)
		require.ErrorIs(t, err, types.ErrInvalidPublicKey, h)
		_, err = types.ParsePublicKey(append([]byte{0xed, 0x01}, raw...))
		require.ErrorIs(t, err, types.ErrInvalidPublicKey, h)
	}
	_, err := types.NewEd25519(edKey(t, 1).Raw())
	require.NoError(t, err, "an honest key")
}

// Why: under a key of small order A, (R = [s]B, s) verifies for every
// message, since verification (ZIP-215, cofactored) checks
// [8][s]B = [8]R + [8][k]A and [8]A is the identity. Anyone could prove
// "possession" of such a key.
func TestSmallOrderKeyWouldVerifyForgeries(t *testing.T) {
	weak, err := hex.DecodeString("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
	require.NoError(t, err)
	s := scalar.NewFromUint64(424242)
	var r curve.CompressedEdwardsY
	r.SetEdwardsPoint(curve.NewEdwardsPoint().MulBasepoint(curve.ED25519_BASEPOINT_TABLE, s))
	sig := make([]byte, 64)
	copy(sig, r[:])
	require.NoError(t, s.ToBytes(sig[32:]))
	for _, msg := range []string{"rotate to the attacker's key", "anything at all"} {
		require.True(t, cmted25519.PubKey(weak).VerifySignature([]byte(msg), sig), "the forgery verifies under the weak key")
	}
}

// TestX25519SmallOrderRefused: an X25519 key is refused exactly when a key
// agreement with it, by Go's crypto/ecdh, fails because the shared secret
// would be all-zero: for the small-order u-coordinates in every encoding
// X25519 reads as them (top bit set, u+p), for the values around them, and
// for random keys.
func TestX25519SmallOrderRefused(t *testing.T) {
	priv, err := ecdh.X25519().NewPrivateKey(bytes.Repeat([]byte{7}, 32))
	require.NoError(t, err)
	agrees := func(raw []byte) bool {
		pub, err := ecdh.X25519().NewPublicKey(raw)
		require.NoError(t, err)
		_, err = priv.ECDH(pub)
		return err == nil
	}
	le := func(n *big.Int) []byte {
		b := n.FillBytes(make([]byte, 32))
		slices.Reverse(b)
		return b
	}
	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	var cands [][]byte
	for i := int64(0); i < 40; i++ {
		cands = append(cands, le(big.NewInt(i)), le(new(big.Int).Sub(p, big.NewInt(i+1))))
		if i < 19 {
			cands = append(cands, le(new(big.Int).Add(p, big.NewInt(i))))
		}
	}
	for _, pt := range curve.EIGHT_TORSION {
		var u curve.MontgomeryPoint
		u.SetEdwards(pt)
		cands = append(cands, bytes.Clone(u[:]))
		be := slices.Clone(u[:])
		slices.Reverse(be)
		if n := new(big.Int).Add(new(big.Int).SetBytes(be), p); n.BitLen() <= 255 {
			cands = append(cands, le(n))
		}
	}
	for i := 0; i < 200; i++ {
		r := make([]byte, 32)
		_, _ = crand.Read(r)
		cands = append(cands, r)
	}
	for _, c := range slices.Clone(cands) {
		hi := bytes.Clone(c)
		hi[31] |= 0x80
		cands = append(cands, hi)
	}
	refused := 0
	for _, raw := range cands {
		_, err := types.NewX25519(raw)
		if agrees(raw) {
			require.NoError(t, err, "%x", raw)
			continue
		}
		require.ErrorIs(t, err, types.ErrInvalidPublicKey, "%x: crypto/ecdh refuses it", raw)
		refused++
	}
	// 0, 1, p-1 and the two of order 8, with p and p+1, each also with the
	// top bit set.
	require.GreaterOrEqual(t, refused, 14)
}

// VerifyBatch answers as Verify does for each item: a bad signature, a
// signature under another key and an X25519 key are false, the rest true.
func TestVerifyBatch(t *testing.T) {
	var items []types.Signed
	for n := byte(1); n <= 6; n++ {
		msg := []byte{n, 'm'}
		items = append(items, types.Signed{Key: edKey(t, n), Msg: msg, Sig: ed25519.Sign(edPriv(n), msg)})
	}
	items[1].Sig = bytes.Clone(items[1].Sig)
	items[1].Sig[5] ^= 1
	items[3].Key = edKey(t, 9)
	items[4].Key = xKey(t, 5)
	got := types.VerifyBatch(items)
	for i, it := range items {
		require.Equal(t, it.Key.Verify(it.Msg, it.Sig), got[i], "item %d", i)
	}
	require.Equal(t, []bool{true, false, true, false, false, true}, got)
	require.Empty(t, types.VerifyBatch(nil))
}

// Known answers for the prime-order check. A is the public key of the
// Ed25519 seed 0x01 repeated 32 times (edPriv(1)); each other vector is
// A + T for a point T of small order (curve.EIGHT_TORSION[i], whose
// encodings TestWeakEd25519KeysRefused lists), added with curve25519-voi
// and encoded canonically; the test rebuilds each sum to show where it
// comes from. These keys parse (canonical, not of small order) but are
// refused by CheckPrimeOrder: under ZIP-215 the secret of A signs for every
// one of them.
func TestCheckPrimeOrder(t *testing.T) {
	const honest = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"
	mixed := []struct {
		torsion, sum string
	}{
		{"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", "9ea3f11f5bd34f0cd7147fd0a436c088f624c6100c1df6a53c0a29e05d60cea0"}, // order 8
		{"0000000000000000000000000000000000000000000000000000000000000080", "56b408aa732d2b51460ece91d25893af2340474699b8b8a4572b83df35545d3d"}, // order 4
		{"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", "3bcfb78c4ad06f9b8d7e8c50e37e33dd40042a7805f5df945fbf33620745bc68"}, // order 8
		{"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "63771c228bf60e6a02ad24d2c345a28d3598f640e26bede40c8b77fe4bf090a3"}, // order 2
		{"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", "4f5c0ee0a42cb0f328eb802f5bc93f7709db39eff3e2095ac3f5d61fa29f315f"}, // order 8
		{"0000000000000000000000000000000000000000000000000000000000000000", "974bf7558cd2d4aeb9f1316e2da76c50dcbfb8b96647475ba8d47c20caaba2c2"}, // order 4
		{"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", "b2304873b52f9064728173af1c81cc22bffbd587fa0a206ba040cc9df8ba4397"}, // order 8
	}
	require.Equal(t, honest, hex.EncodeToString(edKey(t, 1).Raw()))
	require.NoError(t, edKey(t, 1).CheckPrimeOrder())
	var ac curve.CompressedEdwardsY
	copy(ac[:], edKey(t, 1).Raw())
	a, err := new(curve.EdwardsPoint).SetCompressedY(&ac)
	require.NoError(t, err)
	for _, v := range mixed {
		t.Run(v.sum[:8], func(t *testing.T) {
			var tc curve.CompressedEdwardsY
			copy(tc[:], unhexT(t, v.torsion))
			tp, err := new(curve.EdwardsPoint).SetCompressedY(&tc)
			require.NoError(t, err)
			var sum curve.EdwardsPoint
			sum.Add(a, tp)
			var enc curve.CompressedEdwardsY
			enc.SetEdwardsPoint(&sum)
			require.Equal(t, v.sum, hex.EncodeToString(enc[:]), "A + T")

			pk, err := types.NewEd25519(unhexT(t, v.sum))
			require.NoError(t, err, "parses: canonical and not of small order")
			err = pk.CheckPrimeOrder()
			require.ErrorIs(t, err, types.ErrInvalidPublicKey)
			require.Contains(t, err.Error(), "prime-order subgroup")
		})
	}
	// Not a curve point (y = 2 has no x): refused, with its own reason.
	notPoint := make([]byte, 32)
	notPoint[0] = 2
	pk, err := types.NewEd25519(notPoint)
	require.NoError(t, err)
	require.False(t, pk.IsCurvePoint())
	err = pk.CheckPrimeOrder()
	require.ErrorIs(t, err, types.ErrInvalidPublicKey)
	require.Contains(t, err.Error(), "not a point of the curve")
	// Keys of other types pass: X25519 clamping removes a torsion part.
	require.NoError(t, xKey(t, 9).CheckPrimeOrder())
	// Random honest keys pass.
	for range 16 {
		p, _, err := ed25519.GenerateKey(crand.Reader)
		require.NoError(t, err)
		pk, err := types.NewEd25519(p)
		require.NoError(t, err)
		require.NoError(t, pk.CheckPrimeOrder())
	}
}

func unhexT(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}
