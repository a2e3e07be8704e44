package types_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/types"
)

// Known answer: computed independently with Python's hashlib,
// sha256(b"custos/stamp/v1\x00" + b"body" + bytes(7) + b"\x01").
func TestStampHashKnownAnswer(t *testing.T) {
	h := types.StampHash([]byte("body"), []byte{0, 0, 0, 0, 0, 0, 0, 1})
	require.Equal(t, "deeedc25156d57dabe73d62c904863427ee2d4c4750352c7e5503b7777576a32", hex.EncodeToString(h[:]))
}

func TestLeadingZeroBits(t *testing.T) {
	for _, tc := range []struct {
		hex  string
		want int
	}{
		{"80", 0},
		{"40", 1},
		{"01", 7},
		{"0080", 8},
		{"000000000000000001", 71},
		{"", 256},
	} {
		var h [32]byte
		b, err := hex.DecodeString(tc.hex)
		require.NoError(t, err)
		copy(h[:], b)
		require.Equal(t, tc.want, types.LeadingZeroBits(h), tc.hex)
	}
}

func TestCheckStamp(t *testing.T) {
	body := []byte("body")
	// The nonce 1 over "body" hashes to 0xde...: no leading zero bit.
	one := []byte{0, 0, 0, 0, 0, 0, 0, 1}
	tests := []struct {
		name       string
		stamp      *types.Stamp
		difficulty uint32
		want       *types.Error
	}{
		{"none needed", nil, 0, nil},
		{"missing", nil, 1, types.ErrStampMissing},
		{"claims too little", &types.Stamp{Bits: 3, Nonce: one}, 4, types.ErrStampTooWeak},
		{"claims more than its hash", &types.Stamp{Bits: 1, Nonce: one}, 1, types.ErrStampInvalid},
		{"claims past 256 bits", &types.Stamp{Bits: 257, Nonce: one}, 1, types.ErrStampInvalid},
		{"nonce too long", &types.Stamp{Bits: 1, Nonce: make([]byte, types.MaxStampNonce+1)}, 1, types.ErrStampInvalid},
		{"any stamp on a chain without stamps (copies of one create)", &types.Stamp{Nonce: one}, 0, types.ErrStampInvalid},
		{"a real stamp on a chain without stamps", &types.Stamp{Bits: 0}, 0, types.ErrStampInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := types.CheckStamp(tc.stamp, body, tc.difficulty)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
		})
	}
}
