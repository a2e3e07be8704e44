package txbuild

import (
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/custos-ledger/custos/x/did/types"
)

// ProgressEvery is how many hashes FindStamp tries between two calls of
// its progress function.
const ProgressEvery = 1 << 20

// FindStamp computes a proof-of-work stamp of bits leading zero bits over
// body (types.StampHash): it tries 8-byte big-endian nonces from 0 up, on
// one core, 2^bits hashes on average. progress, if set, is called every
// ProgressEvery hashes with the number tried. It stops early when ctx is
// done.
func FindStamp(ctx context.Context, body []byte, bits uint32, progress func(tried uint64)) (*types.Stamp, error) {
	if bits > types.MaxStampDifficulty {
		return nil, fmt.Errorf("txbuild: a stamp of %d bits: at most %d", bits, types.MaxStampDifficulty)
	}
	// The hash state after the domain and the body, copied for each nonce:
	// a nonce then costs the hash of its last block or two.
	h := sha256.New()
	h.Write([]byte("custos/stamp/v1"))
	h.Write([]byte{0})
	h.Write(body)
	mid, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return nil, err
	}
	var nonce [8]byte
	var sum [32]byte
	for n := uint64(0); ; n++ {
		if n%ProgressEvery == 0 && n > 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if progress != nil {
				progress(n)
			}
		}
		binary.BigEndian.PutUint64(nonce[:], n)
		if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(mid); err != nil {
			return nil, err
		}
		h.Write(nonce[:])
		if types.LeadingZeroBits([32]byte(h.Sum(sum[:0]))) >= int(bits) {
			return &types.Stamp{Bits: bits, Nonce: append([]byte(nil), nonce[:]...)}, nil
		}
		if n == ^uint64(0) {
			return nil, errors.New("txbuild: no stamp found")
		}
	}
}

// AddStamp returns the tx envelope tx with a stamp of bits bits over its
// body (FindStamp). bits 0 returns tx unchanged: no stamp is needed.
func AddStamp(ctx context.Context, tx []byte, bits uint32, progress func(tried uint64)) ([]byte, error) {
	if bits == 0 {
		return tx, nil
	}
	var env types.Tx
	if err := env.Unmarshal(tx); err != nil {
		return nil, fmt.Errorf("txbuild: decode tx: %w", err)
	}
	s, err := FindStamp(ctx, env.Body, bits, progress)
	if err != nil {
		return nil, err
	}
	env.Stamp = s
	return env.Marshal()
}
