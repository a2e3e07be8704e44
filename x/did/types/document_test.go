package types_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/types"
)

// validDocument returns a document that passes ValidateDocument with the
// default params: two Ed25519 keys (both controllers, threshold 2), one
// X25519 key agreement key and one service.
func validDocument(t testing.TB) types.Document {
	t.Helper()
	return types.Document{
		VerificationMethods: []types.VerificationMethod{
			{Id: "key-1", PublicKey: edKey(t, 1).Multicodec()},
			{Id: "key-2", PublicKey: edKey(t, 2).Multicodec()},
			{Id: "agree-1", PublicKey: xKey(t, 3).Multicodec()},
		},
		Authentication:       []string{"key-1"},
		AssertionMethod:      []string{"key-1", "key-2"},
		KeyAgreement:         []string{"agree-1"},
		CapabilityInvocation: []string{"key-1", "key-2"},
		CapabilityDelegation: []string{"key-2"},
		Services: []types.Service{
			{Id: "hub", Type: "LinkedDomains", Endpoint: "https://example.com/"},
		},
		Threshold: 2,
	}
}

func TestValidateDocument(t *testing.T) {
	p := types.DefaultParams()
	manyVMs := func(n int) []types.VerificationMethod {
		vms := make([]types.VerificationMethod, n)
		for i := range vms {
			vms[i] = types.VerificationMethod{Id: "k" + string(rune('a'+i%26)) + strings.Repeat("x", i/26), PublicKey: edKey(t, byte(i+1)).Multicodec()}
		}
		return vms
	}
	manyServices := func(n int) []types.Service {
		s := make([]types.Service, n)
		for i := range s {
			s[i] = types.Service{Id: "svc" + strings.Repeat("x", i), Type: "T", Endpoint: "https://example.com/"}
		}
		return s
	}

	tests := []struct {
		name    string
		params  func(*types.Params)
		edit    func(*types.Document)
		wantErr error
	}{
		{name: "valid", edit: func(*types.Document) {}},
		{name: "document id is not checked", edit: func(d *types.Document) { d.Id = "not a DID" }},
		{name: "single key, threshold 1", edit: func(d *types.Document) {
			*d = types.Document{
				VerificationMethods:  []types.VerificationMethod{{Id: "k", PublicKey: edKey(t, 9).Multicodec()}},
				CapabilityInvocation: []string{"k"},
				Threshold:            1,
			}
		}},
		{name: "no services", edit: func(d *types.Document) { d.Services = nil }},
		{name: "verification methods at the limit", params: func(p *types.Params) { p.MaxVerificationMethods = 3 }, edit: func(*types.Document) {}},
		{name: "services at the limit", params: func(p *types.Params) { p.MaxServices = 1 }, edit: func(*types.Document) {}},
		{name: "32 verification methods by default", edit: func(d *types.Document) {
			d.VerificationMethods = manyVMs(32)
			d.Authentication, d.AssertionMethod, d.KeyAgreement, d.CapabilityDelegation = nil, nil, nil, nil
			d.CapabilityInvocation = []string{d.VerificationMethods[0].Id}
			d.Threshold = 1
		}},
		{name: "20 services by default", edit: func(d *types.Document) { d.Services = manyServices(20) }},
		{name: "threshold equals controller count", edit: func(d *types.Document) { d.Threshold = 2 }},
		{name: "X25519 key listed in no relationship", edit: func(d *types.Document) { d.KeyAgreement = nil }},
		{name: "Ed25519 key listed in no relationship", edit: func(d *types.Document) {
			d.VerificationMethods = append(d.VerificationMethods, types.VerificationMethod{Id: "spare", PublicKey: edKey(t, 7).Multicodec()})
		}},
		{name: "service type of 128 characters", edit: func(d *types.Document) { d.Services[0].Type = strings.Repeat("T", 128) }},
		{name: "service type with spaces", edit: func(d *types.Document) { d.Services[0].Type = "Linked Domains" }},
		{name: "endpoint at the byte limit", params: func(p *types.Params) { p.MaxServiceEndpointBytes = 40 }, edit: func(d *types.Document) {
			d.Services[0].Endpoint = "https://example.com/" + strings.Repeat("a", 20)
		}},
		{name: "endpoint urn", edit: func(d *types.Document) { d.Services[0].Endpoint = "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6" }},
		{name: "endpoint did URL", edit: func(d *types.Document) { d.Services[0].Endpoint = "did:custos:" + idCounting + "#hub" }},

		// Verification methods.
		{name: "no verification methods", edit: func(d *types.Document) { *d = types.Document{Threshold: 1} }, wantErr: types.ErrInvalidDocument},
		{name: "too many verification methods", params: func(p *types.Params) { p.MaxVerificationMethods = 2 }, edit: func(*types.Document) {}, wantErr: types.ErrLimitExceeded},
		{name: "33 verification methods by default", edit: func(d *types.Document) {
			d.VerificationMethods = manyVMs(33)
			d.Authentication, d.AssertionMethod, d.KeyAgreement, d.CapabilityDelegation = nil, nil, nil, nil
			d.CapabilityInvocation = []string{d.VerificationMethods[0].Id}
			d.Threshold = 1
		}, wantErr: types.ErrLimitExceeded},
		{name: "empty method id", edit: func(d *types.Document) { d.VerificationMethods[2].Id = "" }, wantErr: types.ErrInvalidDocument},
		{name: "method id with '#'", edit: func(d *types.Document) { d.VerificationMethods[0].Id = "#key-1" }, wantErr: types.ErrInvalidDocument},
		{name: "method id is a DID URL", edit: func(d *types.Document) {
			d.VerificationMethods[0].Id = "did:custos:" + idCounting + "#key-1"
		}, wantErr: types.ErrInvalidDocument},
		{name: "method id too long", edit: func(d *types.Document) { d.VerificationMethods[2].Id = strings.Repeat("a", 65) }, wantErr: types.ErrInvalidDocument},
		{name: "method key without codec", edit: func(d *types.Document) { d.VerificationMethods[0].PublicKey = edKey(t, 1).Raw() }, wantErr: types.ErrUnsupportedKeyType},
		{name: "method key empty", edit: func(d *types.Document) { d.VerificationMethods[0].PublicKey = nil }, wantErr: types.ErrUnsupportedKeyType},
		{name: "method key truncated", edit: func(d *types.Document) {
			d.VerificationMethods[0].PublicKey = d.VerificationMethods[0].PublicKey[:33]
		}, wantErr: types.ErrInvalidPublicKey},
		{name: "method key secp256k1 off the curve", edit: func(d *types.Document) {
			d.VerificationMethods[0].PublicKey = append([]byte{0xe7, 0x01, 0x02}, make([]byte, 32)...)
		}, wantErr: types.ErrInvalidPublicKey},
		{name: "method key P-256 uncompressed", edit: func(d *types.Document) {
			d.VerificationMethods[0].PublicKey = append([]byte{0x80, 0x24, 0x04}, make([]byte, 64)...)
		}, wantErr: types.ErrUncompressedKey},
		{name: "keyAgreement key P-256", edit: func(d *types.Document) {
			d.VerificationMethods[0].PublicKey = append([]byte{0x80, 0x24, 0x02}, make([]byte, 32)...)
			d.KeyAgreement = append(d.KeyAgreement, d.VerificationMethods[0].Id)
		}, wantErr: types.ErrInvalidDocument},
		{name: "duplicate method id", edit: func(d *types.Document) { d.VerificationMethods[1].Id = "key-1" }, wantErr: types.ErrInvalidDocument},
		{name: "duplicate key material", edit: func(d *types.Document) {
			d.VerificationMethods[1].PublicKey = d.VerificationMethods[0].PublicKey
		}, wantErr: types.ErrDuplicateKey},
		{name: "duplicate X25519 material", edit: func(d *types.Document) {
			d.VerificationMethods = append(d.VerificationMethods, types.VerificationMethod{Id: "agree-2", PublicKey: xKey(t, 3).Multicodec()})
		}, wantErr: types.ErrDuplicateKey},

		// Relationships.
		{name: "authentication names unknown key", edit: func(d *types.Document) { d.Authentication = []string{"nope"} }, wantErr: types.ErrInvalidDocument},
		{name: "assertionMethod names unknown key", edit: func(d *types.Document) { d.AssertionMethod = []string{"key-1", "nope"} }, wantErr: types.ErrInvalidDocument},
		{name: "keyAgreement names unknown key", edit: func(d *types.Document) { d.KeyAgreement = []string{"nope"} }, wantErr: types.ErrInvalidDocument},
		{name: "capabilityInvocation names unknown key", edit: func(d *types.Document) { d.CapabilityInvocation = []string{"key-1", "nope"} }, wantErr: types.ErrInvalidDocument},
		{name: "capabilityDelegation names unknown key", edit: func(d *types.Document) { d.CapabilityDelegation = []string{"nope"} }, wantErr: types.ErrInvalidDocument},
		{name: "relationship names a service", edit: func(d *types.Document) { d.Authentication = []string{"hub"} }, wantErr: types.ErrInvalidDocument},
		{name: "relationship uses an absolute DID URL", edit: func(d *types.Document) {
			d.Authentication = []string{"did:custos:" + idCounting + "#key-1"}
		}, wantErr: types.ErrInvalidDocument},
		{name: "relationship with '#' prefix", edit: func(d *types.Document) { d.Authentication = []string{"#key-1"} }, wantErr: types.ErrInvalidDocument},
		{name: "authentication lists a key twice", edit: func(d *types.Document) { d.Authentication = []string{"key-1", "key-1"} }, wantErr: types.ErrInvalidDocument},
		{name: "capabilityInvocation lists a key twice", edit: func(d *types.Document) {
			d.CapabilityInvocation = []string{"key-1", "key-2", "key-1"}
		}, wantErr: types.ErrInvalidDocument},
		{name: "keyAgreement lists a key twice", edit: func(d *types.Document) { d.KeyAgreement = []string{"agree-1", "agree-1"} }, wantErr: types.ErrInvalidDocument},
		{name: "X25519 in authentication", edit: func(d *types.Document) { d.Authentication = []string{"agree-1"} }, wantErr: types.ErrInvalidDocument},
		{name: "X25519 in assertionMethod", edit: func(d *types.Document) { d.AssertionMethod = []string{"agree-1"} }, wantErr: types.ErrInvalidDocument},
		{name: "X25519 in capabilityInvocation", edit: func(d *types.Document) {
			d.CapabilityInvocation = []string{"key-1", "agree-1"}
		}, wantErr: types.ErrInvalidDocument},
		{name: "X25519 in capabilityDelegation", edit: func(d *types.Document) { d.CapabilityDelegation = []string{"agree-1"} }, wantErr: types.ErrInvalidDocument},
		{name: "Ed25519 in keyAgreement", edit: func(d *types.Document) { d.KeyAgreement = []string{"key-1"} }, wantErr: types.ErrInvalidDocument},
		{name: "empty capabilityInvocation", edit: func(d *types.Document) { d.CapabilityInvocation = nil; d.Threshold = 0 }, wantErr: types.ErrInvalidDocument},
		{name: "empty capabilityInvocation, threshold 1", edit: func(d *types.Document) { d.CapabilityInvocation = []string{}; d.Threshold = 1 }, wantErr: types.ErrInvalidDocument},

		// Threshold.
		{name: "threshold 0", edit: func(d *types.Document) { d.Threshold = 0 }, wantErr: types.ErrInvalidDocument},
		{name: "threshold above controller count", edit: func(d *types.Document) { d.Threshold = 3 }, wantErr: types.ErrInvalidDocument},
		{name: "threshold far above", edit: func(d *types.Document) { d.Threshold = ^uint32(0) }, wantErr: types.ErrInvalidDocument},

		// Services.
		{name: "too many services", params: func(p *types.Params) { p.MaxServices = 1 }, edit: func(d *types.Document) {
			d.Services = manyServices(2)
		}, wantErr: types.ErrLimitExceeded},
		{name: "21 services by default", edit: func(d *types.Document) { d.Services = manyServices(21) }, wantErr: types.ErrLimitExceeded},
		{name: "services forbidden by params", params: func(p *types.Params) { p.MaxServices = 0 }, edit: func(*types.Document) {}, wantErr: types.ErrLimitExceeded},
		{name: "empty service id", edit: func(d *types.Document) { d.Services[0].Id = "" }, wantErr: types.ErrInvalidDocument},
		{name: "service id with space", edit: func(d *types.Document) { d.Services[0].Id = "my hub" }, wantErr: types.ErrInvalidDocument},
		{name: "service id too long", edit: func(d *types.Document) { d.Services[0].Id = strings.Repeat("s", 65) }, wantErr: types.ErrInvalidDocument},
		{name: "service id clashes with method id", edit: func(d *types.Document) { d.Services[0].Id = "key-2" }, wantErr: types.ErrInvalidDocument},
		{name: "duplicate service id", edit: func(d *types.Document) {
			d.Services = append(d.Services, types.Service{Id: "hub", Type: "Other", Endpoint: "https://example.org/"})
		}, wantErr: types.ErrInvalidDocument},
		{name: "empty service type", edit: func(d *types.Document) { d.Services[0].Type = "" }, wantErr: types.ErrInvalidDocument},
		{name: "service type of 129 characters", edit: func(d *types.Document) { d.Services[0].Type = strings.Repeat("T", 129) }, wantErr: types.ErrInvalidDocument},
		{name: "service type with newline", edit: func(d *types.Document) { d.Services[0].Type = "Linked\nDomains" }, wantErr: types.ErrInvalidDocument},
		{name: "service type with NUL", edit: func(d *types.Document) { d.Services[0].Type = "Linked\x00" }, wantErr: types.ErrInvalidDocument},
		{name: "service type with C1 control", edit: func(d *types.Document) { d.Services[0].Type = "Linked\u0085Domains" }, wantErr: types.ErrInvalidDocument},
		{name: "service type invalid UTF-8", edit: func(d *types.Document) { d.Services[0].Type = "Linked\xffDomains" }, wantErr: types.ErrInvalidDocument},
		{name: "endpoint empty", edit: func(d *types.Document) { d.Services[0].Endpoint = "" }, wantErr: types.ErrInvalidDocument},
		{name: "endpoint relative path", edit: func(d *types.Document) { d.Services[0].Endpoint = "/hub" }, wantErr: types.ErrInvalidDocument},
		{name: "endpoint without scheme", edit: func(d *types.Document) { d.Services[0].Endpoint = "example.com/hub" }, wantErr: types.ErrInvalidDocument},
		{name: "endpoint network-path reference", edit: func(d *types.Document) { d.Services[0].Endpoint = "//example.com/hub" }, wantErr: types.ErrInvalidDocument},
		{name: "endpoint fragment only", edit: func(d *types.Document) { d.Services[0].Endpoint = "#hub" }, wantErr: types.ErrInvalidDocument},
		{name: "endpoint with space", edit: func(d *types.Document) { d.Services[0].Endpoint = "https://example.com/a b" }, wantErr: types.ErrInvalidDocument},
		{name: "endpoint with tab", edit: func(d *types.Document) { d.Services[0].Endpoint = "https://example.com/a\tb" }, wantErr: types.ErrInvalidDocument},
		{name: "endpoint with newline", edit: func(d *types.Document) { d.Services[0].Endpoint = "https://example.com/\nx" }, wantErr: types.ErrInvalidDocument},
		{name: "endpoint with CR", edit: func(d *types.Document) { d.Services[0].Endpoint = "https://example.com/\rx" }, wantErr: types.ErrInvalidDocument},
		{name: "endpoint with NUL", edit: func(d *types.Document) { d.Services[0].Endpoint = "https://example.com/\x00" }, wantErr: types.ErrInvalidDocument},
		{name: "endpoint with DEL", edit: func(d *types.Document) { d.Services[0].Endpoint = "https://example.com/\x7f" }, wantErr: types.ErrInvalidDocument},
		{name: "endpoint with C1 control", edit: func(d *types.Document) { d.Services[0].Endpoint = "https://example.com/\u0085" }, wantErr: types.ErrInvalidDocument},
		{name: "endpoint invalid UTF-8", edit: func(d *types.Document) { d.Services[0].Endpoint = "https://example.com/\xff" }, wantErr: types.ErrInvalidDocument},
		{name: "endpoint with bad escape", edit: func(d *types.Document) { d.Services[0].Endpoint = "https://example.com/%zz" }, wantErr: types.ErrInvalidDocument},
		{name: "endpoint with bad scheme", edit: func(d *types.Document) { d.Services[0].Endpoint = "1http://example.com/" }, wantErr: types.ErrInvalidDocument},
		{name: "endpoint over the byte limit", params: func(p *types.Params) { p.MaxServiceEndpointBytes = 40 }, edit: func(d *types.Document) {
			d.Services[0].Endpoint = "https://example.com/" + strings.Repeat("a", 21)
		}, wantErr: types.ErrLimitExceeded},
		{name: "endpoint over 1 KiB by default", edit: func(d *types.Document) {
			d.Services[0].Endpoint = "https://example.com/" + strings.Repeat("a", 1024)
		}, wantErr: types.ErrLimitExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			params := p
			if tc.params != nil {
				tc.params(&params)
			}
			doc := validDocument(t)
			tc.edit(&doc)
			keys, err := types.ValidateDocument(&doc, params)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.Equal(t, tc.wantErr, types.Registered(err))
				require.Empty(t, keys.Fragments)
				return
			}
			require.NoError(t, err)
			require.Len(t, keys.Fragments, len(doc.VerificationMethods))
			require.Len(t, keys.Keys, len(doc.VerificationMethods))
			for i, vm := range doc.VerificationMethods {
				require.Equal(t, vm.Id, keys.Fragments[i])
				require.Equal(t, vm.PublicKey, keys.Keys[i].Multicodec())
			}
		})
	}
}

func TestValidateDocumentKeys(t *testing.T) {
	doc := validDocument(t)
	keys, err := types.ValidateDocument(&doc, types.DefaultParams())
	require.NoError(t, err)
	require.Equal(t, []string{"key-1", "key-2", "agree-1"}, keys.Fragments)

	got, ok := keys.Get("key-2")
	require.True(t, ok)
	require.Equal(t, edKey(t, 2), got)
	_, ok = keys.Get("hub")
	require.False(t, ok)
	require.True(t, keys.Contains(xKey(t, 3)))
	require.False(t, keys.Contains(edKey(t, 3)))

	again, err := types.KeysOf(&doc)
	require.NoError(t, err)
	require.Equal(t, keys, again)
}

func TestDocumentAccessors(t *testing.T) {
	doc := validDocument(t)
	tests := []struct {
		rel  types.Relationship
		json string
		refs []string
	}{
		{types.Authentication, "authentication", []string{"key-1"}},
		{types.AssertionMethod, "assertionMethod", []string{"key-1", "key-2"}},
		{types.KeyAgreement, "keyAgreement", []string{"agree-1"}},
		{types.CapabilityInvocation, "capabilityInvocation", []string{"key-1", "key-2"}},
		{types.CapabilityDelegation, "capabilityDelegation", []string{"key-2"}},
	}
	require.Len(t, types.Relationships(), len(tests))
	for i, tc := range tests {
		t.Run(tc.json, func(t *testing.T) {
			require.Equal(t, tc.rel, types.Relationships()[i], "rendering order")
			require.Equal(t, tc.json, tc.rel.JSONName())
			require.Equal(t, tc.refs, doc.Refs(tc.rel))
			for _, f := range tc.refs {
				require.True(t, doc.Has(tc.rel, f))
			}
			require.False(t, doc.Has(tc.rel, "hub"))

			d := validDocument(t)
			d.SetRefs(tc.rel, []string{"x"})
			require.Equal(t, []string{"x"}, d.Refs(tc.rel))
		})
	}
	require.Equal(t, "", types.Relationship(99).JSONName())
	require.Nil(t, doc.Refs(types.Relationship(99)))

	vm, ok := doc.Method("agree-1")
	require.True(t, ok)
	require.Equal(t, xKey(t, 3).Multicodec(), vm.PublicKey)
	_, ok = doc.Method("hub")
	require.False(t, ok)
}
