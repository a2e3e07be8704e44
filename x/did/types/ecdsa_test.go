package types_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/sha256"
	"math/big"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	k1ecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/types"
)

// rfc6979P256 is the P-256 key of RFC 6979, appendix A.2.5, with its
// deterministic ECDSA signatures over SHA-256 of "sample" and "test" (r, s
// as printed there). The "sample" signature has a high s: Custos refuses it
// as it stands and accepts it with s replaced by n - s, computed here with
// pyca/cryptography (which verified both forms). The Multikey was computed
// once from 0x80 0x24 || 0x03 || x with a plain big-integer base58 routine
// in Python, independently of the Go code (y is odd, hence 0x03).
var rfc6979P256 = struct {
	x, y         string
	multikey     string
	sampleR      string
	sampleS      string // high
	sampleLowS   string // n - sampleS
	testR, testS string // low
}{
	x:          "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
	y:          "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
	multikey:   "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP",
	sampleR:    "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716",
	sampleS:    "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
	sampleLowS: "0834e36ad29a83bf2bc9385e491d6099c8fdf9d1ed67aa7ea5f51f93782857a9",
	testR:      "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367",
	testS:      "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083",
}

// k1Generator is the secp256k1 key whose secret is 1 (its public key is the
// generator G of SEC 2, section 2.4.1), with a signature over "custos" made
// by pyca/cryptography (random nonce, s then brought to the low half). The
// Multikey was computed like rfc6979P256's.
var k1Generator = struct {
	compressed string
	multikey   string
	sig        string
}{
	compressed: "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
	multikey:   "zQ3shVc2UkAfJCdc1TR8E66J85h48P43r93q8jGPkPpjF9Ef9",
	sig:        "6cf383f82179042ffc82813791dd98048994e384e91425e2dade5af3fc1a7f7870090bde833a6050033087251e9b63d476e69f3729b0af48de1b53fc48b4fd0a",
}

func TestP256KnownAnswer(t *testing.T) {
	v := rfc6979P256
	pk, err := types.ParseMultikey(v.multikey)
	require.NoError(t, err)
	require.Equal(t, types.KeyTypeP256, pk.Type())
	require.Equal(t, append([]byte{0x03}, unhex(t, v.x)...), pk.Raw())
	require.Equal(t, append([]byte{0x80, 0x24, 0x03}, unhex(t, v.x)...), pk.Multicodec())
	require.Equal(t, v.multikey, pk.Multibase())
	std, ok := pk.P256PublicKey()
	require.True(t, ok)
	require.Equal(t, v.y, std.Y.Text(16))

	cat := func(r, s string) []byte { return append(unhex(t, r), unhex(t, s)...) }
	tests := []struct {
		name  string
		msg   string
		sig   []byte
		ok    bool
		highS bool
	}{
		{name: "test, low s", msg: "test", sig: cat(v.testR, v.testS), ok: true},
		{name: "sample, high s as RFC 6979 gives it", msg: "sample", sig: cat(v.sampleR, v.sampleS), highS: true},
		{name: "sample, s normalised", msg: "sample", sig: cat(v.sampleR, v.sampleLowS), ok: true},
		{name: "wrong message", msg: "tesT", sig: cat(v.testR, v.testS)},
		{name: "r and s swapped (s then high)", msg: "test", sig: cat(v.testS, v.testR), highS: true},
		{name: "r zero", msg: "test", sig: cat(zero32, v.testS)},
		{name: "s zero", msg: "test", sig: cat(v.testR, zero32)},
		{name: "63 bytes", msg: "test", sig: cat(v.testR, v.testS)[:63]},
		{name: "65 bytes", msg: "test", sig: append(cat(v.testR, v.testS), 0)},
		{name: "DER encoded", msg: "test", sig: derSig(t, v.testR, v.testS)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.ok, pk.Verify([]byte(tc.msg), tc.sig))
			require.Equal(t, tc.highS, types.HighS(types.KeyTypeP256, tc.sig))
			require.Equal(t, []bool{tc.ok}, types.VerifyBatch([]types.Signed{{Key: pk, Msg: []byte(tc.msg), Sig: tc.sig}}))
		})
	}
	require.Equal(t, cat(v.sampleR, v.sampleLowS), types.NormalizeLowS(types.KeyTypeP256, cat(v.sampleR, v.sampleS)))
	require.Equal(t, cat(v.testR, v.testS), types.NormalizeLowS(types.KeyTypeP256, cat(v.testR, v.testS)))
}

const zero32 = "0000000000000000000000000000000000000000000000000000000000000000"

// derSig is the ASN.1 DER form of (r, s): not the form Custos takes.
func derSig(t *testing.T, r, s string) []byte {
	t.Helper()
	enc := func(h string) []byte {
		b := unhex(t, h)
		if b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return append([]byte{0x02, byte(len(b))}, b...)
	}
	body := append(enc(r), enc(s)...)
	return append([]byte{0x30, byte(len(body))}, body...)
}

func TestSecp256k1KnownAnswer(t *testing.T) {
	v := k1Generator
	pk, err := types.ParseMultikey(v.multikey)
	require.NoError(t, err)
	require.Equal(t, types.KeyTypeSecp256k1, pk.Type())
	require.Equal(t, unhex(t, v.compressed), pk.Raw())
	require.Equal(t, v.multikey, pk.Multibase())
	sig := unhex(t, v.sig)
	require.True(t, pk.Verify([]byte("custos"), sig))
	require.False(t, pk.Verify([]byte("custos!"), sig))
	high := highOf(t, secp256k1.S256().N, sig)
	require.True(t, types.HighS(types.KeyTypeSecp256k1, high))
	require.False(t, pk.Verify([]byte("custos"), high), "a high-S signature is refused")
	require.Equal(t, sig, types.NormalizeLowS(types.KeyTypeSecp256k1, high))
}

// highOf returns sig with s replaced by n - s.
func highOf(t *testing.T, n *big.Int, sig []byte) []byte {
	t.Helper()
	s := new(big.Int).Sub(n, new(big.Int).SetBytes(sig[32:]))
	out := bytes.Clone(sig)
	s.FillBytes(out[32:])
	return out
}

func TestParseECDSAKeys(t *testing.T) {
	v := rfc6979P256
	x := unhex(t, v.x)
	y := unhex(t, v.y)
	p256P := elliptic.P256().Params().P.FillBytes(make([]byte, 32))
	k1P := secp256k1.S256().P.FillBytes(make([]byte, 32))
	k1G := unhex(t, k1Generator.compressed)
	smallX := func(n byte) []byte { b := make([]byte, 32); b[31] = n; return b }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name    string
		in      []byte
		want    types.KeyType
		wantErr error
	}{
		{name: "P-256 odd y", in: cat(codecP256, []byte{3}, x), want: types.KeyTypeP256},
		{name: "P-256 x = 0 is on the curve", in: cat(codecP256, []byte{2}, smallX(0)), want: types.KeyTypeP256},
		{name: "secp256k1 generator", in: cat(codecSecp256k1, k1G), want: types.KeyTypeSecp256k1},
		{name: "secp256k1 x = 1 is on the curve", in: cat(codecSecp256k1, []byte{3}, smallX(1)), want: types.KeyTypeSecp256k1},

		{name: "P-256 uncompressed", in: cat(codecP256, []byte{4}, x, y), wantErr: types.ErrUncompressedKey},
		{name: "secp256k1 uncompressed", in: cat(codecSecp256k1, []byte{4}, k1G[1:], make([]byte, 32)), wantErr: types.ErrUncompressedKey},
		{name: "P-256 hybrid form 0x06", in: cat(codecP256, []byte{6}, x, y), wantErr: types.ErrInvalidPublicKey},
		{name: "P-256 x alone", in: cat(codecP256, x), wantErr: types.ErrInvalidPublicKey},
		{name: "P-256 34 bytes", in: cat(codecP256, []byte{3}, x, []byte{0}), wantErr: types.ErrInvalidPublicKey},
		{name: "P-256 prefix only", in: codecP256, wantErr: types.ErrInvalidPublicKey},
		{name: "P-256 identity 0x00", in: cat(codecP256, []byte{0}), wantErr: types.ErrInvalidPublicKey},
		{name: "P-256 33 bytes from 0x00", in: cat(codecP256, []byte{0}, x), wantErr: types.ErrInvalidPublicKey},
		{name: "P-256 33 bytes from 0x04", in: cat(codecP256, []byte{4}, x), wantErr: types.ErrInvalidPublicKey},
		{name: "P-256 off the curve (x = 1)", in: cat(codecP256, []byte{2}, smallX(1)), wantErr: types.ErrInvalidPublicKey},
		{name: "P-256 off the curve (x = 4)", in: cat(codecP256, []byte{3}, smallX(4)), wantErr: types.ErrInvalidPublicKey},
		{name: "P-256 x = p", in: cat(codecP256, []byte{2}, p256P), wantErr: types.ErrInvalidPublicKey},
		{name: "P-256 x all ones", in: cat(codecP256, []byte{2}, bytes.Repeat([]byte{0xff}, 32)), wantErr: types.ErrInvalidPublicKey},
		{name: "secp256k1 off the curve (x = 0)", in: cat(codecSecp256k1, []byte{2}, smallX(0)), wantErr: types.ErrInvalidPublicKey},
		{name: "secp256k1 x = p", in: cat(codecSecp256k1, []byte{2}, k1P), wantErr: types.ErrInvalidPublicKey},
		{name: "secp256k1 32 bytes", in: cat(codecSecp256k1, k1G[1:]), wantErr: types.ErrInvalidPublicKey},
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
			require.Equal(t, tc.want, pk.Type())
			require.True(t, pk.Type().CanSign())
			require.Equal(t, tc.in, pk.Multicodec())
			require.True(t, pk.IsCurvePoint())
			require.NoError(t, pk.CheckPrimeOrder())
			again, err := types.ParseMultikey(pk.Multibase())
			require.NoError(t, err)
			require.Equal(t, pk, again)
		})
	}
}

// TestECDSASignAndVerify signs with the standard libraries (random nonces)
// and checks that Custos accepts the low-S form only, for each curve.
func TestECDSASignAndVerify(t *testing.T) {
	msg := []byte("custos/tx/v1\x00body")
	h := sha256.Sum256(msg)

	p256, err := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	require.NoError(t, err)
	pPub, err := types.NewP256(elliptic.MarshalCompressed(elliptic.P256(), p256.X, p256.Y))
	require.NoError(t, err)

	k1, err := secp256k1.GeneratePrivateKey()
	require.NoError(t, err)
	kPub, err := types.NewSecp256k1(k1.PubKey().SerializeCompressed())
	require.NoError(t, err)

	for i := 0; i < 16; i++ {
		r, s, err := ecdsa.Sign(crand.Reader, p256, h[:])
		require.NoError(t, err)
		sig := make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		low := types.NormalizeLowS(types.KeyTypeP256, sig)
		high := highOf(t, elliptic.P256().Params().N, low)
		require.True(t, pPub.Verify(msg, low))
		require.False(t, pPub.Verify(msg, high))
		require.True(t, types.HighS(types.KeyTypeP256, high))
		require.False(t, kPub.Verify(msg, low), "a P-256 signature is no secp256k1 signature")

		ks := k1ecdsa.SignCompact(k1, h[:], true) // recovery byte || r || s, low-S
		ksig := ks[1:]
		require.True(t, kPub.Verify(msg, ksig))
		require.False(t, kPub.Verify(msg, highOf(t, secp256k1.S256().N, ksig)))
		require.False(t, pPub.Verify(msg, ksig))
	}
}

// TestVerifyBatchMixed checks that a batch of keys of every signing type
// gives each item Verify's answer: a batch verifier that knew only Ed25519
// would answer false for a valid P-256 signature, and a cache filled from
// it would then refuse that signature on one node and not on another.
func TestVerifyBatchMixed(t *testing.T) {
	msg := []byte("batch")
	ed := edKey(t, 1)
	edSig := ed25519.Sign(edPriv(1), msg)
	v := rfc6979P256
	p, err := types.ParseMultikey(v.multikey)
	require.NoError(t, err)
	k, err := types.ParseMultikey(k1Generator.multikey)
	require.NoError(t, err)
	items := []types.Signed{
		{Key: ed, Msg: msg, Sig: edSig},
		{Key: p, Msg: []byte("test"), Sig: append(unhex(t, v.testR), unhex(t, v.testS)...)},
		{Key: k, Msg: []byte("custos"), Sig: unhex(t, k1Generator.sig)},
		{Key: p, Msg: []byte("sample"), Sig: append(unhex(t, v.sampleR), unhex(t, v.sampleS)...)},
		{Key: ed, Msg: msg, Sig: make([]byte, 64)},
		{Key: ed, Msg: msg, Sig: edSig},
		{Key: ed, Msg: msg, Sig: edSig},
		{Key: ed, Msg: msg, Sig: edSig},
	}
	got := types.VerifyBatch(items)
	require.Equal(t, []bool{true, true, true, false, false, true, true, true}, got)
	for i, it := range items {
		require.Equal(t, it.Key.Verify(it.Msg, it.Sig), got[i], "item %d", i)
	}
}

// FuzzVerifyECDSA checks Verify, HighS and NormalizeLowS on any 64 bytes
// under the RFC 6979 P-256 key and the secp256k1 generator key: no panic, a
// signature that verifies is never high-S, normalising is idempotent, and a
// high-S signature verifies once normalised exactly when plain ECDSA (which
// takes both halves) accepts it.
func FuzzVerifyECDSA(f *testing.F) {
	v := rfc6979P256
	f.Add([]byte("sample"), append(unhex(f, v.sampleR), unhex(f, v.sampleS)...))
	f.Add([]byte("test"), append(unhex(f, v.testR), unhex(f, v.testS)...))
	f.Add([]byte("custos"), unhex(f, k1Generator.sig))
	f.Add([]byte{}, make([]byte, 64))
	p, err := types.ParseMultikey(v.multikey)
	require.NoError(f, err)
	k, err := types.ParseMultikey(k1Generator.multikey)
	require.NoError(f, err)
	std, _ := p.P256PublicKey()
	f.Fuzz(func(t *testing.T, msg, sig []byte) {
		for _, pk := range []types.PublicKey{p, k} {
			ok := pk.Verify(msg, sig)
			high := types.HighS(pk.Type(), sig)
			if ok && high {
				t.Fatalf("%s: a high-S signature verified", pk.Type())
			}
			low := types.NormalizeLowS(pk.Type(), sig)
			if !bytes.Equal(types.NormalizeLowS(pk.Type(), low), low) || types.HighS(pk.Type(), low) {
				t.Fatalf("%s: NormalizeLowS is not idempotent on %x", pk.Type(), sig)
			}
			if !high && !bytes.Equal(low, sig) {
				t.Fatalf("%s: NormalizeLowS changed a low-S signature", pk.Type())
			}
		}
		if len(sig) == 64 {
			h := sha256.Sum256(msg)
			plain := ecdsa.Verify(std, h[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
			if got := p.Verify(msg, types.NormalizeLowS(types.KeyTypeP256, sig)); got != plain {
				t.Fatalf("P-256: normalised verify %v, plain ECDSA %v, on %x", got, plain, sig)
			}
		}
	})
}
