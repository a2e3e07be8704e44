package types

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"math/big"
	"slices"

	"github.com/multiformats/go-multibase"
	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"
	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// KeyType is the kind of a public key, known by its multicodec prefix.
type KeyType uint8

// The key types. Ed25519, P-256 and secp256k1 keys sign (capabilityInvocation,
// authentication, assertionMethod...); X25519 keys only agree keys.
const (
	KeyTypeUnknown KeyType = iota
	KeyTypeEd25519
	KeyTypeX25519
	KeyTypeSecp256k1
	KeyTypeP256
)

// Multicodec prefixes (unsigned varints of the multicodec table codes).
var (
	prefixEd25519   = []byte{0xed, 0x01}
	prefixX25519    = []byte{0xec, 0x01}
	prefixSecp256k1 = []byte{0xe7, 0x01}
	prefixP256      = []byte{0x80, 0x24}
)

// String names the key type.
func (t KeyType) String() string {
	switch t {
	case KeyTypeEd25519:
		return "Ed25519"
	case KeyTypeX25519:
		return "X25519"
	case KeyTypeSecp256k1:
		return "secp256k1"
	case KeyTypeP256:
		return "P-256"
	}
	return "unknown"
}

// CanSign reports whether keys of this type make signatures.
func (t KeyType) CanSign() bool {
	return t == KeyTypeEd25519 || t == KeyTypeP256 || t == KeyTypeSecp256k1
}

// PublicKey is a parsed public key; its zero value is invalid. PublicKey
// values are comparable with ==.
type PublicKey struct {
	typ KeyType
	raw string
}

// ParsePublicKey parses the multicodec form: prefix || raw key.
func ParsePublicKey(b []byte) (PublicKey, error) {
	switch {
	case bytes.HasPrefix(b, prefixEd25519):
		return newKey(KeyTypeEd25519, b[len(prefixEd25519):], 32)
	case bytes.HasPrefix(b, prefixX25519):
		return newKey(KeyTypeX25519, b[len(prefixX25519):], 32)
	case bytes.HasPrefix(b, prefixSecp256k1):
		return newECDSAKey(KeyTypeSecp256k1, b[len(prefixSecp256k1):])
	case bytes.HasPrefix(b, prefixP256):
		return newECDSAKey(KeyTypeP256, b[len(prefixP256):])
	}
	return PublicKey{}, ErrUnsupportedKeyType.Wrap("unknown multicodec prefix: keys must be Ed25519 (0xed01), P-256 (0x8024), secp256k1 (0xe701) or X25519 (0xec01)")
}

// ParseMultikey parses a publicKeyMultibase value: "z" + base58btc(multicodec
// prefix || raw key).
func ParseMultikey(s string) (PublicKey, error) {
	if len(s) < 2 || s[0] != 'z' || len(s) > 128 {
		return PublicKey{}, ErrInvalidPublicKey.Wrapf("%q: a Multikey is 'z' + base58btc", Truncate(s))
	}
	enc, b, err := multibase.Decode(s)
	if err != nil || enc != multibase.Base58BTC {
		return PublicKey{}, ErrInvalidPublicKey.Wrapf("%q: not base58btc", Truncate(s))
	}
	return ParsePublicKey(b)
}

// NewEd25519 wraps a raw 32-byte Ed25519 public key.
func NewEd25519(raw []byte) (PublicKey, error) { return newKey(KeyTypeEd25519, raw, 32) }

// NewX25519 wraps a raw 32-byte X25519 public key.
func NewX25519(raw []byte) (PublicKey, error) { return newKey(KeyTypeX25519, raw, 32) }

func newKey(t KeyType, raw []byte, size int) (PublicKey, error) {
	if len(raw) != size {
		return PublicKey{}, ErrInvalidPublicKey.Wrapf("%s key must be %d bytes, got %d", t, size, len(raw))
	}
	switch t {
	case KeyTypeEd25519:
		if err := checkEd25519(raw); err != nil {
			return PublicKey{}, err
		}
	case KeyTypeX25519:
		if err := checkX25519(raw); err != nil {
			return PublicKey{}, err
		}
	}
	return PublicKey{typ: t, raw: string(raw)}, nil
}

// checkX25519 refuses the X25519 keys of small order (RFC 7748 §6.1): a
// Diffie-Hellman with one of them gives a shared secret from a handful of
// values, all-zero most often, whatever the other side's secret, so a
// message encrypted to the DID's keyAgreement key would be readable by
// anyone. These are the 5 u-coordinates below, in any of the encodings
// X25519 reads as them: the top bit is ignored and u is taken mod p, so
// p and p+1 are 0 and 1 again (the list libsodium and others refuse).
func checkX25519(raw []byte) error {
	if _, weak := smallOrderX25519[canonicalU(raw)]; weak {
		return ErrInvalidPublicKey.Wrap("X25519 key is a point of small order: a key agreement with it yields a secret anyone can guess")
	}
	return nil
}

// fieldP is 2^255 - 19.
var fieldP = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))

// canonicalU returns the u-coordinate X25519 reads from raw (32 bytes,
// little-endian): the top bit cleared, reduced mod p.
func canonicalU(raw []byte) (u [32]byte) {
	be := make([]byte, 32)
	for i := range 32 {
		be[31-i] = raw[i]
	}
	be[0] &= 0x7f
	n := new(big.Int).SetBytes(be)
	n.Mod(n, fieldP)
	n.FillBytes(be)
	for i := range 32 {
		u[i] = be[31-i]
	}
	return u
}

// smallOrderX25519 holds the canonical u-coordinates of the points of
// small order: those of the curve's 8 torsion points (0, 1 and the two of
// order 8), from their Edwards forms, and p-1 (order 2 on the twist, which
// X25519 also computes on).
var smallOrderX25519 = func() map[[32]byte]struct{} {
	m := make(map[[32]byte]struct{})
	for _, p := range curve.EIGHT_TORSION {
		var u curve.MontgomeryPoint
		u.SetEdwards(p)
		m[canonicalU(u[:])] = struct{}{}
	}
	var pm1 [32]byte
	new(big.Int).Sub(fieldP, big.NewInt(1)).FillBytes(pm1[:])
	slices.Reverse(pm1[:])
	m[pm1] = struct{}{}
	return m
}()

// checkEd25519 refuses the Ed25519 encodings no honest key has: a
// non-canonical encoding (y not reduced, or the sign of x = 0 set), and
// the points of small order. Verification accepts small-order keys
// (CometBFT verifies by ZIP-215), and under such a key anyone can make a
// signature that verifies for any message, which would make proof of
// possession, and the key's control of the DID, meaningless. The check
// compares bytes only: an encoding that is no curve point at all is left
// to proof of possession, which it cannot pass (IsCurvePoint).
func checkEd25519(raw []byte) error {
	var c curve.CompressedEdwardsY
	copy(c[:], raw)
	if !c.IsCanonicalVartime() {
		return ErrInvalidPublicKey.Wrap("Ed25519 key is not canonically encoded")
	}
	if _, weak := smallOrderEd25519[c]; weak {
		return ErrInvalidPublicKey.Wrap("Ed25519 key is a point of small order: anyone could sign for it")
	}
	return nil
}

// smallOrderEd25519 holds the canonical encodings of the 8 points of
// small order.
var smallOrderEd25519 = func() map[curve.CompressedEdwardsY]struct{} {
	m := make(map[curve.CompressedEdwardsY]struct{}, len(curve.EIGHT_TORSION))
	for _, p := range curve.EIGHT_TORSION {
		var c curve.CompressedEdwardsY
		c.SetEdwardsPoint(p)
		m[c] = struct{}{}
	}
	return m
}()

// IsCurvePoint reports whether an Ed25519 key encodes a point of the curve;
// no signature verifies under one that does not. Parsing does not check it
// (a square root, about as dear as the rest of a parse, and every stored
// document is parsed on every operation): every Ed25519 key entering state
// must prove possession, which such a key cannot, and execution calls this
// to name the reason. Keys of other types answer true: P-256 and secp256k1
// keys are checked on their curve when parsed (ecdsa.go).
func (k PublicKey) IsCurvePoint() bool {
	if k.typ != KeyTypeEd25519 {
		return true
	}
	var c curve.CompressedEdwardsY
	copy(c[:], k.raw)
	_, err := new(curve.EdwardsPoint).SetCompressedY(&c)
	return err == nil
}

// CheckPrimeOrder refuses an Ed25519 key that is not a point of the
// curve's prime-order subgroup: not a curve point at all, or a point with a
// torsion part, A + T where T is one of the 8 points of small order. Under
// ZIP-215 (cofactored) verification, the secret of A signs for A + T as
// well, for each of the 8 choices of T: a key of mixed order would let one
// secret stand for up to 8 "distinct" keys, and so fill a controller
// threshold alone. Honest keys, [a]B for a secret scalar a, are always in
// the subgroup. Keys of other types answer nil: X25519 clamps its scalars
// to multiples of 8, which removes any torsion part, and keyAgreement keys
// never count toward a threshold (the small-order X25519 keys, which do
// matter, are refused by parsing).
//
// The check multiplies the point by the group order (about 33 µs), so
// parsing does not run it: every stored document is parsed on every
// operation and every resolution. The keeper runs it on each Ed25519
// material that enters a DID's document (create, update, rotation,
// recovery), where proof of possession is checked too. P-256 and secp256k1
// keys answer nil: their curves have cofactor 1, so the on-curve check of
// parsing is the whole check.
func (k PublicKey) CheckPrimeOrder() error {
	if k.typ != KeyTypeEd25519 {
		return nil
	}
	var c curve.CompressedEdwardsY
	copy(c[:], k.raw)
	p, err := new(curve.EdwardsPoint).SetCompressedY(&c)
	if err != nil {
		return ErrInvalidPublicKey.Wrapf("Ed25519 key %s is not a point of the curve: nothing can sign for it", k.Multibase())
	}
	var check curve.EdwardsPoint
	check.MultiscalarMulVartime([]*scalar.Scalar{scalar.BASEPOINT_ORDER}, []*curve.EdwardsPoint{p})
	if !check.IsIdentity() {
		return ErrInvalidPublicKey.Wrapf("Ed25519 key %s is not in the prime-order subgroup (it has a torsion part): the secret of another key could sign for it; use a key made as [secret]B, as every Ed25519 library does", k.Multibase())
	}
	return nil
}

// Type returns the key type.
func (k PublicKey) Type() KeyType { return k.typ }

// IsZero reports whether k is the zero value.
func (k PublicKey) IsZero() bool { return k.typ == KeyTypeUnknown }

// Raw returns the raw key bytes.
func (k PublicKey) Raw() []byte { return []byte(k.raw) }

// Multicodec returns prefix || raw key, the form kept in state.
func (k PublicKey) Multicodec() []byte {
	var p []byte
	switch k.typ {
	case KeyTypeEd25519:
		p = prefixEd25519
	case KeyTypeX25519:
		p = prefixX25519
	case KeyTypeP256:
		p = prefixP256
	case KeyTypeSecp256k1:
		p = prefixSecp256k1
	default:
		return nil
	}
	return append(append(make([]byte, 0, len(p)+len(k.raw)), p...), k.raw...)
}

// Multibase returns the publicKeyMultibase form, "z" + base58btc(multicodec).
func (k PublicKey) Multibase() string {
	s, err := multibase.Encode(multibase.Base58BTC, k.Multicodec())
	if err != nil {
		panic("types: base58btc encoding unavailable: " + err.Error())
	}
	return s
}

// String returns the Multibase form.
func (k PublicKey) String() string { return k.Multibase() }

// Verify reports whether sig is a valid signature of msg by k: Ed25519
// under ZIP-215; P-256 and secp256k1 as ECDSA over SHA-256(msg), sig the
// 64 bytes r || s with s in the lower half of the group order (a high-S
// signature verifies nothing: HighS names the refusal). Keys that cannot
// sign verify nothing.
func (k PublicKey) Verify(msg, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	switch k.typ {
	case KeyTypeEd25519:
		return ed25519.VerifyWithOptions(ed25519.PublicKey(k.raw), msg, sig, zip215)
	case KeyTypeP256:
		return verifyP256(k.raw, msg, sig)
	case KeyTypeSecp256k1:
		return verifySecp256k1(k.raw, msg, sig)
	}
	return false
}

// zip215 is the Ed25519 verification rule, CometBFT's: ZIP-215, under which
// every implementation that follows it accepts the same signatures, so
// nodes cannot disagree on one. Verify calls curve25519-voi directly, not
// CometBFT's PubKey.VerifySignature (the same rule behind an LRU cache of
// 4,096 expanded keys): DID keys are mostly seen once or twice, so that
// cache missed and re-expanded them (a few µs more per verification,
// BenchmarkVerify) and evicted the validators' keys CometBFT verifies votes with.
var zip215 = &ed25519.Options{Verify: ed25519.VerifyOptionsZIP_215}

// Signed is a signature Sig claimed by Key over Msg.
type Signed struct {
	Key      PublicKey
	Msg, Sig []byte
}

// VerifyBatch reports, for each item, whether its key signed its message
// with its signature, under Verify's rule, verifying the Ed25519 ones
// together: cheaper than one by one when they all hold. Random scalars make
// the batch sound; each answer is still Verify's (a failed batch is checked
// one by one). Items of other key types are verified one by one.
func VerifyBatch(items []Signed) []bool {
	out := make([]bool, len(items))
	bv := ed25519.NewBatchVerifierWithCapacity(len(items))
	var idx []int
	for i, it := range items {
		if it.Key.typ != KeyTypeEd25519 || len(it.Sig) != 64 {
			out[i] = it.Key.Verify(it.Msg, it.Sig)
			continue
		}
		bv.AddWithOptions(ed25519.PublicKey(it.Key.raw), it.Msg, it.Sig, zip215)
		idx = append(idx, i)
	}
	if len(idx) == 0 {
		return out
	}
	_, valid := bv.Verify(rand.Reader)
	for j, i := range idx {
		out[i] = valid[j]
	}
	return out
}

// GoString is for debugging output.
func (k PublicKey) GoString() string { return fmt.Sprintf("PublicKey(%s %s)", k.typ, k.Multibase()) }
