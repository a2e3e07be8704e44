package didjson_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/types"
)

// goldenRich is richDoc rendered. The z6Mk / z6LS prefixes are those of
// Ed25519 and X25519 Multikeys in the did:key spec
// (https://w3c-ccg.github.io/did-method-key/), whose vectors x/did/types
// checks byte for byte.
const goldenRich = `{"@context":["https://www.w3.org/ns/did/v1","https://w3id.org/security/multikey/v1"],` +
	`"id":"did:custos:8DfbjXLth7APvt3qQPgtf",` +
	`"verificationMethod":[` +
	`{"id":"did:custos:8DfbjXLth7APvt3qQPgtf#sign","type":"Multikey","controller":"did:custos:8DfbjXLth7APvt3qQPgtf","publicKeyMultibase":"z6MkjfQ8ajEkgkGwMRxgsFoxc63pf4miewb6JLZMdUpdNHQY"},` +
	`{"id":"did:custos:8DfbjXLth7APvt3qQPgtf#ctl","type":"Multikey","controller":"did:custos:8DfbjXLth7APvt3qQPgtf","publicKeyMultibase":"z6MktGGo7zFNcnDrdR38KdBh333iGHAc9cujYjc4WM7dt5mn"},` +
	`{"id":"did:custos:8DfbjXLth7APvt3qQPgtf#enc","type":"Multikey","controller":"did:custos:8DfbjXLth7APvt3qQPgtf","publicKeyMultibase":"z6LSpcwG7vnap6aPxn9itBpcRwz3MWWQ6ZssVnDHnGuR8mVf"}],` +
	`"authentication":["did:custos:8DfbjXLth7APvt3qQPgtf#sign"],` +
	`"assertionMethod":["did:custos:8DfbjXLth7APvt3qQPgtf#sign","did:custos:8DfbjXLth7APvt3qQPgtf#ctl"],` +
	`"keyAgreement":["did:custos:8DfbjXLth7APvt3qQPgtf#enc"],` +
	`"capabilityInvocation":["did:custos:8DfbjXLth7APvt3qQPgtf#ctl"],` +
	`"capabilityDelegation":["did:custos:8DfbjXLth7APvt3qQPgtf#ctl"],` +
	`"service":[{"id":"did:custos:8DfbjXLth7APvt3qQPgtf#hub","type":"LinkedDomains","serviceEndpoint":"https://example.com/"}]}`

func TestRenderDocumentGolden(t *testing.T) {
	doc := richDoc()
	d, err := didjson.RenderDocument(&doc)
	require.NoError(t, err)
	b, err := json.Marshal(d)
	require.NoError(t, err)
	require.Equal(t, goldenRich, string(b))

	d.Context = nil
	b, err = json.Marshal(d)
	require.NoError(t, err)
	require.Equal(t, "{"+goldenRich[strings.Index(goldenRich, `"id"`):], string(b), "plain JSON: the same without @context")
}

func TestRenderDocument(t *testing.T) {
	// The Ed25519 vector of the did:key spec, §Test Vectors.
	didKey, err := types.ParseMultikey("z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")
	require.NoError(t, err)
	tests := []struct {
		name  string
		doc   types.Document
		check func(t *testing.T, d didjson.Document)
		err   string
	}{
		{name: "one key", doc: types.Document{Id: fixedID.String(), VerificationMethods: []types.VerificationMethod{{Id: "key-1", PublicKey: didKey.Multicodec()}},
			Authentication: []string{"key-1"}, CapabilityInvocation: []string{"key-1"}, Threshold: 1},
			check: func(t *testing.T, d didjson.Document) {
				require.Equal(t, "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", d.VerificationMethod[0].PublicKeyMultibase)
				require.Equal(t, []string{fixedID.String() + "#key-1"}, d.Authentication)
				require.Nil(t, d.AssertionMethod, "empty relationships are left out")
				require.Nil(t, d.Service)
			}},
		{name: "P-256 and secp256k1 keys are Multikeys too", doc: types.Document{Id: fixedID.String(), VerificationMethods: []types.VerificationMethod{
			{Id: "hsm", PublicKey: mustMultikey(t, "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP").Multicodec()},
			{Id: "k1", PublicKey: mustMultikey(t, "zQ3shVc2UkAfJCdc1TR8E66J85h48P43r93q8jGPkPpjF9Ef9").Multicodec()}},
			AssertionMethod: []string{"k1"}, CapabilityInvocation: []string{"hsm"}, Threshold: 1},
			check: func(t *testing.T, d didjson.Document) {
				// The Multikeys of RFC 6979's P-256 key and of the secp256k1
				// generator, checked byte for byte in x/did/types.
				b, err := json.Marshal(d.VerificationMethod)
				require.NoError(t, err)
				require.Equal(t, `[{"id":"`+fixedID.String()+`#hsm","type":"Multikey","controller":"`+fixedID.String()+`","publicKeyMultibase":"zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"},`+
					`{"id":"`+fixedID.String()+`#k1","type":"Multikey","controller":"`+fixedID.String()+`","publicKeyMultibase":"zQ3shVc2UkAfJCdc1TR8E66J85h48P43r93q8jGPkPpjF9Ef9"}]`, string(b))
				require.Equal(t, []string{fixedID.String() + "#hsm"}, d.CapabilityInvocation)
			}},
		{name: "deactivated: the id alone", doc: types.Document{Id: fixedID.String()},
			check: func(t *testing.T, d didjson.Document) {
				b, err := json.Marshal(d)
				require.NoError(t, err)
				require.Equal(t, `{"@context":["https://www.w3.org/ns/did/v1","https://w3id.org/security/multikey/v1"],"id":"`+fixedID.String()+`"}`, string(b))
			}},
		{name: "bad id", doc: types.Document{Id: "did:custos:0"}, err: "invalid_did"},
		{name: "bad key", doc: types.Document{Id: fixedID.String(), VerificationMethods: []types.VerificationMethod{{Id: "k", PublicKey: []byte{0x01, 0x02}}}}, err: "unsupported_key_type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := didjson.RenderDocument(&tc.doc)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, didjson.Contexts(), d.Context)
			require.Equal(t, "https://www.w3.org/ns/did/v1", d.Context[0], "DID Core §6.3.1: the DID context first")
			tc.check(t, d)
		})
	}
}

func mustMultikey(t *testing.T, s string) types.PublicKey {
	t.Helper()
	pk, err := types.ParseMultikey(s)
	require.NoError(t, err)
	return pk
}

func TestContextsIsACopy(t *testing.T) {
	c := didjson.Contexts()
	c[0] = "changed"
	require.Equal(t, "https://www.w3.org/ns/did/v1", didjson.Contexts()[0])
}

// whole is DID Core's datetime form: XML Datetime normalized to UTC,
// without sub-second precision.
var whole = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

func TestFormatTime(t *testing.T) {
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{0, "1970-01-01T00:00:00Z"},
		{1_700_000_000, "2023-11-14T22:13:20Z"},
		{951_782_400, "2000-02-29T00:00:00Z"},
		{253_402_300_799, "9999-12-31T23:59:59Z"},
	} {
		got := didjson.FormatTime(tc.unix)
		require.Equal(t, tc.want, got)
		require.Regexp(t, whole, got)
	}
}

func TestRenderMetadata(t *testing.T) {
	head := &types.Head{Version: 3, Created: 100, Updated: 300, Events: 3}
	tests := []struct {
		name string
		head *types.Head
		rec  types.VersionRecord
		want didjson.Metadata
	}{
		{name: "first version, never updated", head: &types.Head{Version: 1, Created: 100, Updated: 100},
			rec:  types.VersionRecord{Version: 1, Time: 100},
			want: didjson.Metadata{Created: "1970-01-01T00:01:40Z", VersionID: "1"}},
		{name: "first of three", head: head, rec: types.VersionRecord{Version: 1, Time: 100},
			want: didjson.Metadata{Created: "1970-01-01T00:01:40Z", VersionID: "1", NextVersionID: "2"}},
		{name: "middle", head: head, rec: types.VersionRecord{Version: 2, Time: 200},
			want: didjson.Metadata{Created: "1970-01-01T00:01:40Z", Updated: "1970-01-01T00:03:20Z", VersionID: "2", NextVersionID: "3"}},
		{name: "latest", head: head, rec: types.VersionRecord{Version: 3, Time: 300},
			want: didjson.Metadata{Created: "1970-01-01T00:01:40Z", Updated: "1970-01-01T00:05:00Z", VersionID: "3"}},
		{name: "deactivated", head: &types.Head{Version: 2, Deactivated: true, Created: 100, Updated: 200},
			rec:  types.VersionRecord{Version: 2, Time: 200, Deactivated: true},
			want: didjson.Metadata{Created: "1970-01-01T00:01:40Z", Updated: "1970-01-01T00:03:20Z", VersionID: "2", Deactivated: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := didjson.RenderMetadata(tc.head, &tc.rec)
			require.Equal(t, tc.want, got)
			b, err := json.Marshal(got)
			require.NoError(t, err)
			var m map[string]any
			require.NoError(t, json.Unmarshal(b, &m))
			if !got.Deactivated {
				require.NotContains(t, m, "deactivated", "DID Core: false may be left out")
			}
		})
	}
}
