package resolver_test

// Conformance with a DID library nobody here wrote:
// github.com/MetaMask/go-did-it v1.0.0-pre1 parses every kind of document
// the resolver emits and verifies signatures with each signing key.

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	did "github.com/MetaMask/go-did-it"
	"github.com/MetaMask/go-did-it/crypto/x25519"
	"github.com/MetaMask/go-did-it/document"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/resolver"
	"github.com/custos-ledger/custos/x/did/types"
)

// A did:custos method for go-did-it: Document fetches the DID document
// from the resolver at diditBase over HTTP.
var (
	diditOnce sync.Once
	diditMu   sync.Mutex
	diditBase string
)

type custosDID struct{ s string }

func (d custosDID) Method() string              { return types.Method }
func (d custosDID) String() string              { return d.s }
func (d custosDID) ResolutionIsExpensive() bool { return true }
func (d custosDID) Equal(o did.DID) bool        { return o != nil && o.String() == d.s }

func (d custosDID) Document(opts ...did.ResolutionOption) (did.Document, error) {
	params := did.CollectResolutionOpts(opts)
	diditMu.Lock()
	base := diditBase
	diditMu.Unlock()
	req, err := http.NewRequestWithContext(params.Context(), http.MethodGet, base+resolver.PathIdentifiers+url.PathEscape(d.s), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", resolver.MediaDIDLD)
	res, err := params.HttpClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", did.ErrResolutionFailure, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", did.ErrResolutionFailure, err)
	}
	switch res.StatusCode {
	case http.StatusOK:
		return document.FromJsonBytes(body)
	case http.StatusNotFound:
		return nil, did.ErrNotFound
	case http.StatusGone:
		return nil, fmt.Errorf("%w: deactivated", did.ErrResolutionFailure)
	}
	return nil, fmt.Errorf("%w: HTTP %d: %s", did.ErrResolutionFailure, res.StatusCode, body)
}

func registerCustosWithDIDIt(base string) {
	diditOnce.Do(func() {
		did.RegisterMethod(types.Method, func(s string) (did.DID, error) {
			if _, err := types.ParseID(s); err != nil {
				return nil, fmt.Errorf("%w: %v", did.ErrInvalidDid, err)
			}
			return custosDID{s: s}, nil
		})
	})
	diditMu.Lock()
	diditBase = base
	diditMu.Unlock()
}

func TestGoDIDIt(t *testing.T) {
	s := newScenario(t)
	ts := startServer(t, resolver.NewLocalSource(s.l.db, nil))
	registerCustosWithDIDIt(ts.base)

	bobSigners := map[string]ed25519.PrivateKey{"sign": s.bobKeys["sign"], "ctl": s.bobKeys["ctl"]}
	tests := []struct {
		name     string
		id       types.ID
		query    string
		status   int
		methods  int
		signers  map[string]ed25519.PrivateKey // fragment → private key of every signing method
		x25519   string                        // name of the keyAgreement key, if any
		services int
	}{
		{name: "one key", id: s.alice, status: 200, methods: 1, signers: map[string]ed25519.PrivateKey{"key-1": s.aliceKey}},
		{name: "several keys, X25519, services", id: s.bob, query: "?versionId=1", status: 200, methods: 3, signers: bobSigners, x25519: "bob/enc", services: 2},
		{name: "old version after a rotation", id: s.bob, query: "?versionId=2", status: 200, methods: 3,
			signers: map[string]ed25519.PrivateKey{"sign": s.bobSign2, "ctl": s.bobKeys["ctl"]}, x25519: "bob/enc", services: 2},
		{name: "latest, one key revoked", id: s.bob, status: 200, methods: 2, signers: map[string]ed25519.PrivateKey{"ctl": s.bobKeys["ctl"]}, x25519: "bob/enc", services: 2},
		{name: "deactivated", id: s.carol, status: 410, methods: 0},
		{name: "deactivated, old version", id: s.carol, query: "?versionId=1", status: 200, methods: 1, signers: map[string]ed25519.PrivateKey{"key-1": s.carolKey}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, accept := range []string{resolver.MediaDIDLD, resolver.MediaDIDJSON, resolver.MediaDID} {
				res := ts.get(resolver.PathIdentifiers+tc.id.String()+tc.query, "Accept", accept)
				require.Equal(t, tc.status, res.status, "body: %s", res.body)
				doc, err := document.FromJsonBytes(res.body)
				require.NoError(t, err, "go-did-it cannot parse %s: %s", accept, res.body)
				checkDIDItDocument(t, doc, tc.id, tc.methods, tc.signers, tc.x25519, tc.services)
				if accept != resolver.MediaDIDJSON {
					require.Equal(t, did.JsonLdContext, doc.Context()[0])
				}
			}
		})
	}

	t.Run("through did.Parse", func(t *testing.T) {
		d, err := did.Parse(s.bob.String())
		require.NoError(t, err)
		doc, err := d.Document()
		require.NoError(t, err)
		checkDIDItDocument(t, doc, s.bob, 2, map[string]ed25519.PrivateKey{"ctl": s.bobKeys["ctl"]}, "bob/enc", 2)

		_, err = did.Parse("did:custos:0OIl")
		require.ErrorIs(t, err, did.ErrInvalidDid)
		d, err = did.Parse(s.carol.String())
		require.NoError(t, err)
		_, err = d.Document()
		require.ErrorIs(t, err, did.ErrResolutionFailure)
		nobody, _, _ := simpleDID(t, "nobody")
		d, err = did.Parse(nobody.String())
		require.NoError(t, err)
		_, err = d.Document()
		require.ErrorIs(t, err, did.ErrNotFound)
	})
}

// checkDIDItDocument checks a document as go-did-it sees it: its id and
// methods, a signature by every signing method verifying under every
// relationship that lists it (and a wrong one not), key agreement with
// the X25519 key, and the services.
func checkDIDItDocument(t *testing.T, doc did.Document, id types.ID, methods int, signers map[string]ed25519.PrivateKey, x25519Name string, services int) {
	t.Helper()
	require.Equal(t, id.String(), doc.ID())
	require.Len(t, doc.VerificationMethods(), methods)
	msg := []byte("custos conformance: signed by " + id.String())
	relationships := map[string][]did.VerificationMethodSignature{
		"authentication": doc.Authentication(), "assertionMethod": doc.Assertion(),
		"capabilityInvocation": doc.CapabilityInvocation(), "capabilityDelegation": doc.CapabilityDelegation(),
	}
	verified := map[string]bool{}
	for rel, vms := range relationships {
		for _, vm := range vms {
			require.Equal(t, "Multikey", vm.Type())
			require.Equal(t, id.String(), vm.Controller())
			frag := strings.TrimPrefix(vm.ID(), id.String()+"#")
			priv, ok := signers[frag]
			require.True(t, ok, "%s lists %s, which the test holds no key for", rel, vm.ID())
			sig := ed25519.Sign(priv, msg)
			ok, err := vm.VerifyBytes(msg, sig)
			require.NoError(t, err)
			require.True(t, ok, "%s: %s does not verify its own key's signature", rel, vm.ID())
			ok, _ = vm.VerifyBytes(append([]byte("x"), msg...), sig)
			require.False(t, ok, "%s verifies a signature of another message", vm.ID())
			found, by := did.TryAllVerifyBytes(vms, msg, sig)
			require.True(t, found)
			require.Equal(t, vm.ID(), by.ID())
			verified[frag] = true
		}
	}
	for frag := range signers {
		require.True(t, verified[frag], "signing key #%s is in no relationship", frag)
	}
	if x25519Name == "" {
		require.Empty(t, doc.KeyAgreement())
	} else {
		peer := xkey("peer of " + x25519Name)
		local, err := x25519.PrivateKeyFromBytes(peer.Bytes())
		require.NoError(t, err)
		shared, vm, err := did.FindMatchingKeyAgreement(doc.KeyAgreement(), local)
		require.NoError(t, err)
		require.Equal(t, id.String()+"#enc", vm.ID())
		want, err := xkey(x25519Name).ECDH(peer.PublicKey())
		require.NoError(t, err)
		require.Equal(t, want, shared, "both ends of the key agreement agree")
	}
	require.Len(t, doc.Services(), services)
	if services > 0 {
		hub, ok := doc.Services().ServiceById(id.String() + "#hub")
		require.True(t, ok)
		require.Equal(t, []any{did.StrEndpoint("https://example.com/")}, hub.Endpoints)
	}
}

var _ = errors.New
