package types

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"math/big"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	k1ecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// ECDSA keys (P-256, secp256k1) are kept as the 33-byte SEC 1 compressed
// point: 0x02 or 0x03 (the parity of y) then x, big-endian. Parsing checks
// that x is below the field prime and that the point is on the curve; both
// curves have cofactor 1, so every such point is in the prime-order group,
// and the compressed form cannot encode the identity. The 65-byte
// uncompressed form (0x04 || x || y) is refused with its own error, so one
// key has one encoding in state and one DID URL.
//
// Signatures are 64 bytes, r || s (each 32 bytes, big-endian: the JOSE
// ES256 / ES256K form), over SHA-256 of the signed bytes, with 1 <= r, s < n
// and s <= n/2 (low-S). For any valid (r, s), (r, n-s) is valid too; the
// low-S rule leaves one valid signature per signer and message, so a
// signature cannot be rewritten by a relayer into a second one for the
// same tx. Signers normalise s (NormalizeLowS).

// CompressedPointSize is the size of a compressed P-256 or secp256k1 key.
const CompressedPointSize = 33

var (
	p256Params = elliptic.P256().Params()
	p256HalfN  = new(big.Int).Rsh(p256Params.N, 1)
	k1HalfN    = new(big.Int).Rsh(secp256k1.S256().N, 1)
	k1P        = secp256k1.S256().P
)

// newECDSAKey parses the raw (prefix-less) form of a P-256 or secp256k1 key.
func newECDSAKey(t KeyType, raw []byte) (PublicKey, error) {
	if len(raw) == 65 && raw[0] == 0x04 {
		return PublicKey{}, ErrUncompressedKey.Wrapf("%s key is the 65-byte uncompressed point: encode it compressed (33 bytes, 0x02 or 0x03 then x)", t)
	}
	if len(raw) != CompressedPointSize {
		return PublicKey{}, ErrInvalidPublicKey.Wrapf("%s key must be the %d-byte compressed point, got %d bytes", t, CompressedPointSize, len(raw))
	}
	if raw[0] != 0x02 && raw[0] != 0x03 {
		return PublicKey{}, ErrInvalidPublicKey.Wrapf("%s key must start with 0x02 or 0x03 (a compressed point), got 0x%02x", t, raw[0])
	}
	fieldP := p256Params.P
	if t == KeyTypeSecp256k1 {
		fieldP = k1P
	}
	if new(big.Int).SetBytes(raw[1:]).Cmp(fieldP) >= 0 {
		return PublicKey{}, ErrInvalidPublicKey.Wrapf("%s key's x is not below the field prime", t)
	}
	if !onCurve(t, raw) {
		return PublicKey{}, ErrInvalidPublicKey.Wrapf("%s key is not a point of the curve: nothing can sign for it", t)
	}
	return PublicKey{typ: t, raw: string(raw)}, nil
}

// onCurve reports whether a compressed point with x below the field prime
// decompresses to a point of the curve.
func onCurve(t KeyType, raw []byte) bool {
	if t == KeyTypeP256 {
		x, _ := elliptic.UnmarshalCompressed(elliptic.P256(), raw)
		return x != nil
	}
	_, err := secp256k1.ParsePubKey(raw)
	return err == nil
}

// NewP256 wraps a P-256 public key in compressed (33-byte) form.
func NewP256(compressed []byte) (PublicKey, error) { return newECDSAKey(KeyTypeP256, compressed) }

// NewSecp256k1 wraps a secp256k1 public key in compressed (33-byte) form.
func NewSecp256k1(compressed []byte) (PublicKey, error) {
	return newECDSAKey(KeyTypeSecp256k1, compressed)
}

// P256PublicKey returns the key as a crypto/ecdsa key; ok is false for a
// key of another type.
func (k PublicKey) P256PublicKey() (pub *ecdsa.PublicKey, ok bool) {
	if k.typ != KeyTypeP256 {
		return nil, false
	}
	x, y := elliptic.UnmarshalCompressed(elliptic.P256(), []byte(k.raw))
	if x == nil {
		return nil, false
	}
	return &ecdsa.PublicKey{Curve: elliptic.P256(), X: x, Y: y}, true
}

func verifyP256(raw string, msg, sig []byte) bool {
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if s.Cmp(p256HalfN) > 0 {
		return false
	}
	x, y := elliptic.UnmarshalCompressed(elliptic.P256(), []byte(raw))
	if x == nil {
		return false
	}
	h := sha256.Sum256(msg)
	return ecdsa.Verify(&ecdsa.PublicKey{Curve: elliptic.P256(), X: x, Y: y}, h[:], r, s)
}

func verifySecp256k1(raw string, msg, sig []byte) bool {
	pub, err := secp256k1.ParsePubKey([]byte(raw))
	if err != nil {
		return false
	}
	var r, s secp256k1.ModNScalar
	if overflow := r.SetByteSlice(sig[:32]); overflow || r.IsZero() {
		return false
	}
	if overflow := s.SetByteSlice(sig[32:]); overflow || s.IsZero() || s.IsOverHalfOrder() {
		return false
	}
	h := sha256.Sum256(msg)
	return k1ecdsa.NewSignature(&r, &s).Verify(h[:], pub)
}

// HighS reports whether sig, made for a key of type t, is an ECDSA
// signature whose s is above half the group order: a signature Verify
// refuses however it would otherwise verify (ErrHighS names the refusal).
func HighS(t KeyType, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	s := new(big.Int).SetBytes(sig[32:])
	switch t {
	case KeyTypeP256:
		return s.Cmp(p256HalfN) > 0 && s.Cmp(p256Params.N) < 0
	case KeyTypeSecp256k1:
		return s.Cmp(k1HalfN) > 0 && s.Cmp(secp256k1.S256().N) < 0
	}
	return false
}

// NormalizeLowS returns the 64-byte r || s signature with s replaced by
// n - s when s is above n/2, for a key of type t (P-256 or secp256k1); any
// other signature is returned as it is. Both forms verify under plain ECDSA;
// only the low-S one is accepted by Custos.
func NormalizeLowS(t KeyType, sig []byte) []byte {
	if !HighS(t, sig) {
		return sig
	}
	n := p256Params.N
	if t == KeyTypeSecp256k1 {
		n = secp256k1.S256().N
	}
	s := new(big.Int).Sub(n, new(big.Int).SetBytes(sig[32:]))
	out := make([]byte, 64)
	copy(out, sig[:32])
	s.FillBytes(out[32:])
	return out
}
