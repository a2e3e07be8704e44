package types_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/types"
)

// The base58btc texts below were computed once with a plain big-integer
// base58 routine in Python (Bitcoin alphabet, one '1' per leading zero byte),
// independently of the Go code under test.
const (
	idZero        = "1111111111111111"       // 16 zero bytes
	idMax         = "YcVfxkQb6JRzqk5kF2tNLv" // 16 bytes 0xff: the largest id, 22 characters
	idLeadingZero = "12drXXUifSrRnXLGbXg8E"  // 00 01 02 ... 0f
	idCounting    = "8DfbjXLth7APvt3qQPgtf"  // 01 02 ... 10
	id15Bytes     = "8AQGAut7N92awznwCnjuQ"  // 15 bytes 0xff
	id17Bytes     = "YruNJgvoA2CUCpKWeF9512" // 01 02 ... 11: 17 bytes in 22 characters
	id2Pow128     = "YcVfxkQb6JRzqk5kF2tNLw" // 2^128: one more than idMax, 17 bytes
)

func seqID(start byte) types.ID {
	var id types.ID
	for i := range id {
		id[i] = start + byte(i)
	}
	return id
}

func TestParseID(t *testing.T) {
	allFF := types.ID{}
	for i := range allFF {
		allFF[i] = 0xff
	}
	tests := []struct {
		name    string
		in      string
		want    types.ID
		wantErr error
	}{
		{name: "counting bytes", in: "did:custos:" + idCounting, want: seqID(1)},
		{name: "all zero id", in: "did:custos:" + idZero, want: types.ID{}},
		{name: "largest id", in: "did:custos:" + idMax, want: allFF},
		{name: "leading zero byte is one '1'", in: "did:custos:" + idLeadingZero, want: seqID(0)},

		{name: "empty", in: "", wantErr: types.ErrInvalidDID},
		{name: "prefix only", in: "did:custos:", wantErr: types.ErrInvalidDID},
		{name: "no did scheme", in: idCounting, wantErr: types.ErrInvalidDID},
		{name: "did:key", in: "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", wantErr: types.ErrInvalidDID},
		{name: "did:web", in: "did:web:example.com", wantErr: types.ErrInvalidDID},
		{name: "upper-case method", in: "did:CUSTOS:" + idCounting, wantErr: types.ErrInvalidDID},
		{name: "upper-case scheme", in: "DID:custos:" + idCounting, wantErr: types.ErrInvalidDID},
		{name: "multibase z prefix kept", in: "did:custos:z" + idCounting, wantErr: types.ErrInvalidDID},
		{name: "15 bytes", in: "did:custos:" + id15Bytes, wantErr: types.ErrInvalidDID},
		{name: "17 bytes in 22 characters", in: "did:custos:" + id17Bytes, wantErr: types.ErrInvalidDID},
		{name: "2^128 overflows 16 bytes", in: "did:custos:" + id2Pow128, wantErr: types.ErrInvalidDID},
		{name: "extra leading '1' makes 17 bytes", in: "did:custos:1" + idLeadingZero, wantErr: types.ErrInvalidDID},
		{name: "leading '1' dropped makes 15 bytes", in: "did:custos:" + idLeadingZero[1:], wantErr: types.ErrInvalidDID},
		{name: "extra leading '1' on a full id", in: "did:custos:1" + idCounting, wantErr: types.ErrInvalidDID},
		{name: "17 zero bytes", in: "did:custos:" + idZero + "1", wantErr: types.ErrInvalidDID},
		{name: "one character short", in: "did:custos:" + idCounting[:len(idCounting)-1], wantErr: types.ErrInvalidDID},
		{name: "one character past the largest id", in: "did:custos:" + idMax + "2", wantErr: types.ErrInvalidDID},
		{name: "too long", in: "did:custos:" + strings.Repeat("2", 25), wantErr: types.ErrInvalidDID},
		{name: "very long", in: "did:custos:" + strings.Repeat("a", 10000), wantErr: types.ErrInvalidDID},
		{name: "digit zero", in: "did:custos:" + "0" + idCounting[1:], wantErr: types.ErrInvalidDID},
		{name: "capital O", in: "did:custos:" + "O" + idCounting[1:], wantErr: types.ErrInvalidDID},
		{name: "capital I", in: "did:custos:" + "I" + idCounting[1:], wantErr: types.ErrInvalidDID},
		{name: "small l", in: "did:custos:" + "l" + idCounting[1:], wantErr: types.ErrInvalidDID},
		{name: "plus sign", in: "did:custos:" + "+" + idCounting[1:], wantErr: types.ErrInvalidDID},
		{name: "non-ASCII", in: "did:custos:" + "é" + idCounting[2:], wantErr: types.ErrInvalidDID},
		{name: "invalid UTF-8", in: "did:custos:" + "\xff" + idCounting[1:], wantErr: types.ErrInvalidDID},
		{name: "NUL byte", in: "did:custos:" + idCounting + "\x00", wantErr: types.ErrInvalidDID},
		{name: "leading space", in: " did:custos:" + idCounting, wantErr: types.ErrInvalidDID},
		{name: "trailing space", in: "did:custos:" + idCounting + " ", wantErr: types.ErrInvalidDID},
		{name: "trailing newline", in: "did:custos:" + idCounting + "\n", wantErr: types.ErrInvalidDID},
		{name: "with fragment", in: "did:custos:" + idCounting + "#key-1", wantErr: types.ErrInvalidDID},
		{name: "with path", in: "did:custos:" + idCounting + "/path", wantErr: types.ErrInvalidDID},
		{name: "with query", in: "did:custos:" + idCounting + "?versionId=1", wantErr: types.ErrInvalidDID},
		{name: "sub-namespace", in: "did:custos:testnet:" + idCounting, wantErr: types.ErrInvalidDID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := types.ParseID(tc.in)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.Equal(t, tc.wantErr, types.Registered(err))
				require.True(t, got.IsZero(), "a failed parse returns the zero ID")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.in, got.String(), "only the canonical text parses")
		})
	}
}

func TestIDString(t *testing.T) {
	tests := []struct {
		name string
		id   types.ID
		want string
	}{
		{name: "zero", id: types.ID{}, want: "did:custos:" + idZero},
		{name: "leading zero byte", id: seqID(0), want: "did:custos:" + idLeadingZero},
		{name: "counting", id: seqID(1), want: "did:custos:" + idCounting},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.id.String())
			back, err := types.ParseID(tc.want)
			require.NoError(t, err)
			require.Equal(t, tc.id, back)
		})
	}
}

func TestIDIsZero(t *testing.T) {
	require.True(t, types.ID{}.IsZero())
	require.False(t, seqID(0).IsZero())
	require.False(t, types.ID{15: 1}.IsZero())
}

func TestDeriveID(t *testing.T) {
	base := types.DeriveID("custos-test", []byte("inception"))
	tests := []struct {
		name      string
		chainID   string
		inception []byte
	}{
		{name: "other chain", chainID: "custos-main", inception: []byte("inception")},
		{name: "other inception", chainID: "custos-test", inception: []byte("inception2")},
		{name: "empty inception", chainID: "custos-test", inception: nil},
		// The 0x00 separator keeps chain id and inception apart:
		// ("custos-tes", "tinception") must not collide with ("custos-test", "inception").
		{name: "shifted boundary", chainID: "custos-tes", inception: []byte("tinception")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := types.DeriveID(tc.chainID, tc.inception)
			require.NotEqual(t, base, got)
			require.Equal(t, got, types.DeriveID(tc.chainID, tc.inception), "derivation is deterministic")
			_, err := types.ParseID(got.String())
			require.NoError(t, err)
		})
	}
}

func TestTruncate(t *testing.T) {
	require.Equal(t, "short", types.Truncate("short"))
	long := strings.Repeat("x", 200)
	got := types.Truncate(long)
	require.Equal(t, strings.Repeat("x", 80)+"...", got)
	require.Equal(t, strings.Repeat("y", 80), types.Truncate(strings.Repeat("y", 80)))
}
