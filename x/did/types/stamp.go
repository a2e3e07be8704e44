package types

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
)

// stampDomain separates stamp hashes from every other hash.
const stampDomain = "custos/stamp/v1"

// MaxStampNonce is the longest stamp nonce, in bytes.
const MaxStampNonce = 32

// MaxStampDifficulty is the highest stamp_difficulty a chain may set: 2^40
// hashes, days of a core, is past any sensible price of a create.
const MaxStampDifficulty = 40

// StampHash returns SHA-256("custos/stamp/v1" || 0x00 || body || nonce).
// The body holds the chain id, so a stamp is bound to one body on one
// chain.
func StampHash(body, nonce []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(stampDomain))
	h.Write([]byte{0})
	h.Write(body)
	h.Write(nonce)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// LeadingZeroBits returns the number of leading zero bits of h.
func LeadingZeroBits(h [32]byte) int {
	n := 0
	for i := 0; i < len(h); i += 8 {
		w := binary.BigEndian.Uint64(h[i : i+8])
		if w != 0 {
			return n + bits.LeadingZeros64(w)
		}
		n += 64
	}
	return n
}

// CheckStamp checks a create's stamp against the chain's difficulty, the
// cheapest test first: present, claiming at least difficulty bits, a
// nonce of at most MaxStampNonce bytes, then one hash that must have the
// claimed leading zero bits. When difficulty is 0 the create carries no
// stamp: a stamp of 0 bits would pass with any nonce, so anyone could make
// endless copies of a create seen in a mempool, each with its own tx hash.
func CheckStamp(s *Stamp, body []byte, difficulty uint32) error {
	if difficulty == 0 {
		if s != nil {
			return ErrStampInvalid.Wrap("this chain asks for no stamp (stamp_difficulty 0): send the create without one")
		}
		return nil
	}
	if s == nil {
		return ErrStampMissing.Wrapf("this chain requires a stamp of %d bits on every create (custos did create computes it)", difficulty)
	}
	if s.Bits < difficulty {
		return ErrStampTooWeak.Wrapf("the stamp claims %d bits, the chain requires %d", s.Bits, difficulty)
	}
	if s.Bits > 256 || len(s.Nonce) > MaxStampNonce {
		return ErrStampInvalid.Wrapf("a stamp claims at most 256 bits with a nonce of at most %d bytes (it claims %d bits, nonce of %d bytes)", MaxStampNonce, s.Bits, len(s.Nonce))
	}
	if got := LeadingZeroBits(StampHash(body, s.Nonce)); got < int(s.Bits) {
		return ErrStampInvalid.Wrapf("the stamp's hash over this body has %d leading zero bits, it claims %d: it was made for another body or chain", got, s.Bits)
	}
	return nil
}
