package commands

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/types"
)

func TestParseService(t *testing.T) {
	tests := []struct {
		in   string
		want types.Service
		err  string
	}{
		{in: "hub,LinkedDomains,https://example.com", want: types.Service{Id: "hub", Type: "LinkedDomains", Endpoint: "https://example.com"}},
		{in: "#hub,T,https://x.example/a,b,c", want: types.Service{Id: "hub", Type: "T", Endpoint: "https://x.example/a,b,c"}},
		{in: "hub,T", err: "give ID,TYPE,ENDPOINT"},
		{in: ",T,https://x", err: "give ID,TYPE,ENDPOINT"},
		{in: "h b,T,https://x", err: "only A-Z a-z 0-9"},
	}
	for _, tc := range tests {
		got, err := parseService(tc.in)
		if tc.err != "" {
			require.ErrorContains(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got)
	}
}

func TestParseRelationships(t *testing.T) {
	got, err := parseRelationships("capabilityInvocation,AUTH,assertion,keyagreement,delegation")
	require.NoError(t, err)
	require.Equal(t, []types.Relationship{types.CapabilityInvocation, types.Authentication, types.AssertionMethod, types.KeyAgreement, types.CapabilityDelegation}, got)
	got, err = parseRelationships("")
	require.NoError(t, err)
	require.Empty(t, got)
	_, err = parseRelationships("auth,owner")
	require.ErrorContains(t, err, `unknown relationship "owner"`)
}

func TestParseKeyID(t *testing.T) {
	id := types.DeriveID("c", []byte("a"))
	other := types.DeriveID("c", []byte("b"))
	for in, want := range map[string]string{"key-1": "key-1", "#key-1": "key-1", id.String() + "#k.2": "k.2"} {
		got, err := parseKeyID(id, in)
		require.NoError(t, err, in)
		require.Equal(t, want, got)
	}
	_, err := parseKeyID(id, other.String()+"#key-1")
	require.ErrorContains(t, err, "names a key of "+other.String())
	_, err = parseKeyID(id, "key 1")
	require.ErrorContains(t, err, `invalid --key-id "key 1"`)
	_, err = parseKeyID(id, "did:custos:x#key-1")
	require.ErrorContains(t, err, "invalid_did_url")
}

func TestNextFragment(t *testing.T) {
	require.Equal(t, "key-1", nextFragment(map[string]bool{}, "key-"))
	require.Equal(t, "key-4", nextFragment(map[string]bool{"key-1": true, "key-3": true, "hub": true, "key-x": true}, "key-"))
}

func TestDocumentEdits(t *testing.T) {
	doc := types.Document{
		VerificationMethods:  []types.VerificationMethod{{Id: "a"}, {Id: "b"}},
		Authentication:       []string{"a", "b"},
		CapabilityInvocation: []string{"a", "b"},
		Threshold:            1,
	}
	c := doc.Clone()
	removeFragment(&c, "a")
	require.Equal(t, []string{"b"}, c.Authentication)
	require.Len(t, c.VerificationMethods, 1)
	require.Equal(t, []string{"a", "b"}, doc.Authentication, "the original is untouched")
	setRelationships(&c, "b", []types.Relationship{types.AssertionMethod})
	require.Empty(t, c.Authentication)
	require.Empty(t, c.CapabilityInvocation)
	require.Equal(t, []string{"b"}, c.AssertionMethod)
}

func TestReadLine(t *testing.T) {
	r := strings.NewReader("one\r\ntwo\n\nthree")
	for _, want := range []string{"one", "two", "", "three"} {
		got, err := readLine(r)
		require.NoError(t, err)
		require.Equal(t, want, string(got))
	}
	_, err := readLine(r)
	require.ErrorIs(t, err, io.EOF)
	_, err = readLine(strings.NewReader(strings.Repeat("x", maxLine+1)))
	require.ErrorContains(t, err, "longer than")
}

func TestConfirm(t *testing.T) {
	for in, want := range map[string]bool{"y\n": true, "YES\n": true, " yes \n": true, "n\n": false, "\n": false, "": false, "yep\n": false} {
		var w strings.Builder
		got, err := confirm(strings.NewReader(in), &w, "Really?")
		require.NoError(t, err)
		require.Equal(t, want, got, "%q", in)
		require.Contains(t, w.String(), "Really? [y/N]: ")
	}
}
