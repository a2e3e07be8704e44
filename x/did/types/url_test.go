package types_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/types"
)

func TestParseURL(t *testing.T) {
	did := "did:custos:" + idCounting
	tests := []struct {
		name     string
		in       string
		wantFrag string
		wantErr  error
	}{
		{name: "key fragment", in: did + "#key-1", wantFrag: "key-1"},
		{name: "every allowed character", in: did + "#AZaz09-._~", wantFrag: "AZaz09-._~"},
		{name: "one character", in: did + "#k", wantFrag: "k"},
		{name: "64 characters", in: did + "#" + strings.Repeat("k", 64), wantFrag: strings.Repeat("k", 64)},
		{name: "multikey-style fragment", in: did + "#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", wantFrag: "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"},

		{name: "empty", in: "", wantErr: types.ErrInvalidDIDURL},
		{name: "DID without fragment", in: did, wantErr: types.ErrInvalidDIDURL},
		{name: "empty fragment", in: did + "#", wantErr: types.ErrInvalidDIDURL},
		{name: "fragment only", in: "#key-1", wantErr: types.ErrInvalidDIDURL},
		{name: "65 characters", in: did + "#" + strings.Repeat("k", 65), wantErr: types.ErrInvalidDIDURL},
		{name: "space in fragment", in: did + "#key 1", wantErr: types.ErrInvalidDIDURL},
		{name: "slash in fragment", in: did + "#key/1", wantErr: types.ErrInvalidDIDURL},
		{name: "second hash", in: did + "#key#1", wantErr: types.ErrInvalidDIDURL},
		{name: "percent-encoded", in: did + "#key%2D1", wantErr: types.ErrInvalidDIDURL},
		{name: "query-like fragment", in: did + "#key?x=1", wantErr: types.ErrInvalidDIDURL},
		{name: "colon in fragment", in: did + "#key:1", wantErr: types.ErrInvalidDIDURL},
		{name: "non-ASCII fragment", in: did + "#clé", wantErr: types.ErrInvalidDIDURL},
		{name: "NUL in fragment", in: did + "#key\x00", wantErr: types.ErrInvalidDIDURL},
		{name: "newline in fragment", in: did + "#key\n", wantErr: types.ErrInvalidDIDURL},
		{name: "path", in: did + "/keys#key-1", wantErr: types.ErrInvalidDIDURL},
		{name: "empty path", in: did + "/#key-1", wantErr: types.ErrInvalidDIDURL},
		{name: "query", in: did + "?versionId=1#key-1", wantErr: types.ErrInvalidDIDURL},
		{name: "path and query", in: did + "/a?b=c#key-1", wantErr: types.ErrInvalidDIDURL},
		{name: "did:key", in: "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", wantErr: types.ErrInvalidDIDURL},
		{name: "non-canonical id", in: "did:custos:1" + idCounting + "#key-1", wantErr: types.ErrInvalidDIDURL},
		{name: "relative reference", in: "key-1", wantErr: types.ErrInvalidDIDURL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := types.ParseURL(tc.in)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.Equal(t, tc.wantErr, types.Registered(err))
				require.Equal(t, types.URL{}, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, seqID(1), got.ID)
			require.Equal(t, tc.wantFrag, got.Fragment)
			require.Equal(t, tc.in, got.String())
		})
	}
}

func TestURLComparable(t *testing.T) {
	a, err := types.ParseURL("did:custos:" + idCounting + "#key-1")
	require.NoError(t, err)
	b := types.URL{ID: seqID(1), Fragment: "key-1"}
	require.True(t, a == b)
	require.False(t, a == types.URL{ID: seqID(1), Fragment: "key-2"})
}

func TestValidateFragment(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{name: "simple", in: "key-1"},
		{name: "all classes", in: "aZ09-._~"},
		{name: "single tilde", in: "~"},
		{name: "max length", in: strings.Repeat("a", types.MaxFragmentLen)},
		{name: "empty", in: "", wantErr: true},
		{name: "too long", in: strings.Repeat("a", types.MaxFragmentLen+1), wantErr: true},
		{name: "space", in: "a b", wantErr: true},
		{name: "hash", in: "#a", wantErr: true},
		{name: "slash", in: "a/b", wantErr: true},
		{name: "plus", in: "a+b", wantErr: true},
		{name: "at", in: "a@b", wantErr: true},
		{name: "tab", in: "a\tb", wantErr: true},
		{name: "DEL", in: "a\x7f", wantErr: true},
		{name: "non-ASCII letter", in: "ä", wantErr: true},
		{name: "invalid UTF-8", in: "\xff", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := types.ValidateFragment(tc.in)
			if tc.wantErr {
				require.ErrorIs(t, err, types.ErrInvalidFragment)
				return
			}
			require.NoError(t, err)
		})
	}
}
