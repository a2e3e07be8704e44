package didtest

import (
	"crypto/ed25519"
	"encoding/hex"

	"github.com/oasisprotocol/curve25519-voi/curve"
)

// SmallOrderEd25519 returns the canonical encodings of the 8 Ed25519
// points of small order (the torsion subgroup): under such a key anyone
// can make a signature that verifies for any message.
func SmallOrderEd25519() [][]byte {
	out := make([][]byte, 0, len(curve.EIGHT_TORSION))
	for _, p := range curve.EIGHT_TORSION {
		var c curve.CompressedEdwardsY
		c.SetEdwardsPoint(p)
		out = append(out, append([]byte(nil), c[:]...))
	}
	return out
}

// NonCanonicalEd25519 returns Ed25519 encodings that no honest key has:
// y = p and y = p + 1 (not reduced), and the identity with the sign of x
// set although x = 0.
func NonCanonicalEd25519() [][]byte {
	return [][]byte{
		mustHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), // y = p
		mustHex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), // y = p + 1
		mustHex("0100000000000000000000000000000000000000000000000000000000000080"), // y = 1, sign bit set
	}
}

// NotOnCurveEd25519 returns a canonical 32-byte Ed25519 encoding that is
// no point of the curve: no signature verifies under it.
func NotOnCurveEd25519() []byte {
	for y := byte(2); y < 255; y++ {
		raw := make([]byte, 32)
		raw[0] = y
		var c curve.CompressedEdwardsY
		copy(c[:], raw)
		if !c.IsCanonicalVartime() {
			continue
		}
		if _, err := new(curve.EdwardsPoint).SetCompressedY(&c); err != nil {
			return raw
		}
	}
	panic("didtest: no y below 255 off the curve")
}

// MixedOrderEd25519 returns k's public point plus a torsion point of
// order 8: a distinct encoding for which, under ZIP-215 verification, k's
// signatures may verify too.
func MixedOrderEd25519(k ed25519.PrivateKey) []byte {
	var c curve.CompressedEdwardsY
	copy(c[:], k.Public().(ed25519.PublicKey))
	a, err := new(curve.EdwardsPoint).SetCompressedY(&c)
	if err != nil {
		panic("didtest: " + err.Error())
	}
	var t *curve.EdwardsPoint
	for _, p := range curve.EIGHT_TORSION {
		var d curve.EdwardsPoint
		d.Add(p, p)
		d.Add(&d, &d)
		if !d.IsIdentity() { // order 8: 4P is not the identity
			t = p
			break
		}
	}
	var sum curve.EdwardsPoint
	sum.Add(a, t)
	var out curve.CompressedEdwardsY
	out.SetEdwardsPoint(&sum)
	return append([]byte(nil), out[:]...)
}

// X25519SmallOrder returns X25519 encodings of small order, which a key
// agreement turns into a secret anyone can guess: u = 0, u = 1, u = p - 1,
// and u = p (0 again, not reduced).
func X25519SmallOrder() [][]byte {
	return [][]byte{
		make([]byte, 32),
		mustHex("0100000000000000000000000000000000000000000000000000000000000000"),
		mustHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
		mustHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
	}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic("didtest: " + err.Error())
	}
	return b
}
