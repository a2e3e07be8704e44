package resolver_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/resolver"
	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/txbuild"
)

func TestResolve(t *testing.T) {
	s := newScenario(t)
	ts := startServer(t, resolver.NewLocalSource(s.l.db, nil))
	alice, bob, carol := s.alice.String(), s.bob.String(), s.carol.String()
	unknown, _, err := txbuild.Create(testChain, txbuild.SimpleDocument("key-1", pub(key("nobody"))), "")
	require.NoError(t, err)
	at := func(unix int64) string { return url.QueryEscape(didjson.FormatTime(unix)) }

	tests := []struct {
		name   string
		path   string
		accept string
		status int
		ctype  string
		check  func(t *testing.T, m map[string]any)
	}{
		{name: "default is the JSON-LD resolution result", path: alice, status: 200, ctype: resolver.MediaResolutionLD,
			check: func(t *testing.T, m map[string]any) {
				require.Equal(t, alice, path(m, "didDocument", "id"))
				require.Equal(t, "1", path(m, "didDocumentMetadata", "versionId"))
				require.Equal(t, didjson.FormatTime(tAlice), path(m, "didDocumentMetadata", "created"))
				require.Nil(t, path(m, "didDocumentMetadata", "updated"), "version 1 was never updated")
				require.Nil(t, path(m, "didDocumentMetadata", "nextVersionId"))
				require.Equal(t, resolver.MediaDIDLD, path(m, "didResolutionMetadata", "contentType"))
				require.Nil(t, path(m, "didResolutionMetadata", "error"))
			}},
		{name: "did-resolution", path: alice, accept: "application/did-resolution", status: 200, ctype: resolver.MediaResolution},
		{name: "ld+json with the profile", path: alice, accept: `application/ld+json;profile="https://w3id.org/did-resolution"`, status: 200, ctype: resolver.MediaResolutionLD},
		{name: "ld+json with another profile", path: alice, accept: `application/ld+json;profile="https://example.com/p"`, status: 406, ctype: resolver.MediaResolution},
		{name: "wildcard", path: alice, accept: "*/*", status: 200, ctype: resolver.MediaResolutionLD},
		{name: "did+ld+json", path: alice, accept: "application/did+ld+json", status: 200, ctype: resolver.MediaDIDLD,
			check: func(t *testing.T, m map[string]any) {
				require.Equal(t, alice, m["id"])
				require.Equal(t, []any{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"}, m["@context"])
			}},
		{name: "did+json has no @context", path: alice, accept: "application/did+json", status: 200, ctype: resolver.MediaDIDJSON,
			check: func(t *testing.T, m map[string]any) {
				require.Equal(t, alice, m["id"])
				require.NotContains(t, m, "@context")
			}},
		{name: "application/did", path: alice, accept: "application/did", status: 200, ctype: resolver.MediaDID},
		{name: "q values", path: alice, accept: "application/did+json;q=0.5, application/did+ld+json", status: 200, ctype: resolver.MediaDIDLD},
		{name: "q=0 refuses", path: alice, accept: "application/did+json;q=0", status: 406, ctype: resolver.MediaResolution},
		{name: "unsupported representation", path: alice, accept: "text/html", status: 406, ctype: resolver.MediaResolution,
			check: func(t *testing.T, m map[string]any) {
				require.Equal(t, "representationNotSupported", path(m, "didResolutionMetadata", "error"))
				require.Nil(t, m["didDocument"])
				require.Equal(t, map[string]any{}, m["didDocumentMetadata"])
			}},
		{name: "percent-encoded DID", path: url.PathEscape(alice), status: 200, ctype: resolver.MediaResolutionLD},
		{name: "fully percent-encoded DID", path: "did%3Acustos%3A" + alice[len("did:custos:"):], status: 200},
		{name: "invalid DID", path: "did:custos:0OIl", status: 400, ctype: resolver.MediaResolutionLD,
			check: func(t *testing.T, m map[string]any) {
				require.Equal(t, "invalidDid", path(m, "didResolutionMetadata", "error"))
				require.NotEmpty(t, path(m, "didResolutionMetadata", "errorMessage"))
				require.Nil(t, m["didDocument"])
			}},
		{name: "not a DID", path: "hello", status: 400, check: errorIs("invalidDid")},
		{name: "DID Core syntax error", path: "did:example_222", status: 400, check: errorIs("invalidDid")},
		{name: "control character", path: alice + "%00", status: 400, check: errorIs("invalidDid")},
		{name: "another method", path: "did:example:123", status: 400, check: errorIs("methodNotSupported")},
		{name: "empty", path: "", status: 400, check: errorIs("invalidDid")},
		{name: "path in the DID URL", path: alice + "/path", status: 400, check: errorIs("invalidDidUrl")},
		{name: "encoded path in the DID URL", path: alice + "%2Fpath", status: 400, check: errorIs("invalidDidUrl")},
		{name: "not registered", path: unknown.String(), status: 404, ctype: resolver.MediaResolutionLD, check: errorIs("notFound")},
		{name: "not registered, document asked", path: unknown.String(), accept: "application/did+json", status: 404, ctype: resolver.MediaResolution, check: errorIs("notFound")},

		{name: "latest of a rotated DID", path: bob, status: 200, check: func(t *testing.T, m map[string]any) {
			require.Equal(t, "3", path(m, "didDocumentMetadata", "versionId"))
			require.Equal(t, didjson.FormatTime(tBobRevoke), path(m, "didDocumentMetadata", "updated"))
			require.Nil(t, path(m, "didDocumentMetadata", "nextVersionId"))
			require.Len(t, path(m, "didDocument", "verificationMethod"), 2, "sign was revoked")
		}},
		{name: "versionId", path: bob + "?versionId=1", status: 200, check: func(t *testing.T, m map[string]any) {
			require.Equal(t, "1", path(m, "didDocumentMetadata", "versionId"))
			require.Equal(t, "2", path(m, "didDocumentMetadata", "nextVersionId"))
			vms := path(m, "didDocument", "verificationMethod").([]any)
			require.Equal(t, pub(s.bobKeys["sign"]).Multibase(), vms[0].(map[string]any)["publicKeyMultibase"])
		}},
		{name: "versionId in the DID URL", path: url.PathEscape(bob + "?versionId=2"), status: 200, check: func(t *testing.T, m map[string]any) {
			require.Equal(t, "2", path(m, "didDocumentMetadata", "versionId"))
			vms := path(m, "didDocument", "verificationMethod").([]any)
			require.Equal(t, pub(s.bobSign2).Multibase(), vms[0].(map[string]any)["publicKeyMultibase"])
		}},
		{name: "versionId twice", path: url.PathEscape(bob+"?versionId=2") + "?versionId=2", status: 400, check: errorIs("invalidOptions")},
		{name: "versionId past the latest", path: bob + "?versionId=4", status: 404, check: errorIs("notFound")},
		{name: "versionId zero", path: bob + "?versionId=0", status: 400, check: errorIs("invalidOptions")},
		{name: "versionId not a number", path: bob + "?versionId=abc", status: 400, check: errorIs("invalidOptions")},
		{name: "versionTime before the rotation", path: bob + "?versionTime=" + at(tBobRotate-1), status: 200, check: versionIs("1", "2")},
		{name: "versionTime at the rotation", path: bob + "?versionTime=" + at(tBobRotate), status: 200, check: versionIs("2", "3")},
		{name: "versionTime after the last change", path: bob + "?versionTime=" + at(tBobRevoke+1000), status: 200, check: versionIs("3", "")},
		{name: "versionTime at creation", path: bob + "?versionTime=" + at(tBobCreate), status: 200, check: versionIs("1", "2")},
		{name: "versionTime before creation", path: bob + "?versionTime=" + at(tBobCreate-1), status: 404, check: errorIs("notFound")},
		{name: "versionTime not whole-second UTC", path: bob + "?versionTime=" + url.QueryEscape("2024-01-01T00:00:00.5Z"), status: 400, check: errorIs("invalidOptions")},
		{name: "versionTime with an offset", path: bob + "?versionTime=" + url.QueryEscape("2024-01-01T00:00:00+01:00"), status: 400, check: errorIs("invalidOptions")},
		{name: "versionId and versionTime", path: bob + "?versionId=1&versionTime=" + at(tBobRotate), status: 400, check: errorIs("invalidOptions")},
		{name: "proof", path: bob + "?proof=true", status: 200},
		{name: "proof false", path: bob + "?proof=false", status: 200},
		{name: "unknown option", path: bob + "?foo=1", status: 400, check: errorIs("invalidOptions")},
		{name: "bad query encoding", path: bob + "?versionId=%zz", status: 400, check: errorIs("invalidOptions")},

		{name: "deactivated", path: carol, status: 410, ctype: resolver.MediaResolutionLD, check: func(t *testing.T, m map[string]any) {
			require.Equal(t, map[string]any{"@context": []any{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"}, "id": carol}, m["didDocument"])
			require.Equal(t, true, path(m, "didDocumentMetadata", "deactivated"))
			require.Equal(t, "2", path(m, "didDocumentMetadata", "versionId"))
			require.Nil(t, path(m, "didResolutionMetadata", "error"))
		}},
		{name: "deactivated, document asked", path: carol, accept: "application/did+json", status: 410, ctype: resolver.MediaDIDJSON, check: func(t *testing.T, m map[string]any) {
			require.Equal(t, map[string]any{"id": carol}, m)
		}},
		{name: "deactivated, older version", path: carol + "?versionId=1", status: 200, check: func(t *testing.T, m map[string]any) {
			require.Equal(t, "2", path(m, "didDocumentMetadata", "nextVersionId"))
			require.Nil(t, path(m, "didDocumentMetadata", "deactivated"))
		}},
		{name: "deactivated at versionTime", path: carol + "?versionTime=" + at(tCarolEnd), status: 410},

		{name: "dereference a key", path: bob + "%23ctl", status: 200, ctype: resolver.MediaDereferencingLD, check: func(t *testing.T, m map[string]any) {
			require.Equal(t, bob+"#ctl", path(m, "contentStream", "id"))
			require.Equal(t, "Multikey", path(m, "contentStream", "type"))
			require.Equal(t, "3", path(m, "contentMetadata", "versionId"))
			require.Equal(t, resolver.MediaDIDLD, path(m, "dereferencingMetadata", "contentType"))
		}},
		{name: "dereference a key, plain", path: bob + "%23ctl", accept: "application/did+json", status: 200, ctype: resolver.MediaDIDJSON, check: func(t *testing.T, m map[string]any) {
			require.Equal(t, map[string]any{"id": bob + "#ctl", "type": "Multikey", "controller": bob, "publicKeyMultibase": pub(s.bobKeys["ctl"]).Multibase()}, m)
		}},
		{name: "dereference a service", path: bob + "%23hub", accept: "application/did+ld+json", status: 200, ctype: resolver.MediaDIDLD, check: func(t *testing.T, m map[string]any) {
			require.Equal(t, "https://example.com/", m["serviceEndpoint"])
			require.Contains(t, m, "@context")
		}},
		{name: "dereference an old key", path: url.PathEscape(bob + "?versionId=1#sign"), accept: "application/did+json", status: 200, check: func(t *testing.T, m map[string]any) {
			require.Equal(t, pub(s.bobKeys["sign"]).Multibase(), m["publicKeyMultibase"])
		}},
		{name: "dereference a revoked key", path: bob + "%23sign", status: 404, ctype: resolver.MediaDereferencingLD, check: func(t *testing.T, m map[string]any) {
			require.Equal(t, "notFound", path(m, "dereferencingMetadata", "error"))
			require.Nil(t, m["contentStream"])
		}},
		{name: "bad fragment", path: bob + "%23a%20b", status: 400, ctype: resolver.MediaDereferencingLD, check: func(t *testing.T, m map[string]any) {
			require.Equal(t, "invalidDidUrl", path(m, "dereferencingMetadata", "error"))
		}},
		{name: "bad DID in a DID URL", path: "did:custos:0OIl%23key-1", status: 400, ctype: resolver.MediaDereferencingLD, check: func(t *testing.T, m map[string]any) {
			require.Equal(t, "invalidDidUrl", path(m, "dereferencingMetadata", "error"))
		}},
		{name: "empty Accept is any", path: alice, accept: " ", status: 200, ctype: resolver.MediaResolutionLD},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.accept != "" {
				hdr = []string{"Accept", tc.accept}
			}
			res := ts.get(resolver.PathIdentifiers+tc.path, hdr...)
			require.Equal(t, tc.status, res.status, "body: %s", res.body)
			if tc.ctype != "" {
				require.Equal(t, tc.ctype, res.header.Get("Content-Type"))
			}
			require.Equal(t, strconv.Itoa(len(res.body)), res.header.Get("Content-Length"))
			if tc.check != nil {
				tc.check(t, res.json(t))
			}
		})
	}
}

// errorIs checks the error keyword of a failed resolution.
func errorIs(keyword string) func(*testing.T, map[string]any) {
	return func(t *testing.T, m map[string]any) {
		t.Helper()
		require.Equal(t, keyword, path(m, "didResolutionMetadata", "error"), "%v", m)
		require.Nil(t, m["didDocument"])
		require.Equal(t, map[string]any{}, m["didDocumentMetadata"])
		require.NotContains(t, m["didResolutionMetadata"], "contentType")
	}
}

// versionIs checks the versionId and nextVersionId of a resolution.
func versionIs(version, next string) func(*testing.T, map[string]any) {
	return func(t *testing.T, m map[string]any) {
		t.Helper()
		require.Equal(t, version, path(m, "didDocumentMetadata", "versionId"))
		if next == "" {
			require.Nil(t, path(m, "didDocumentMetadata", "nextVersionId"))
		} else {
			require.Equal(t, next, path(m, "didDocumentMetadata", "nextVersionId"))
		}
	}
}

func TestResolveHeaders(t *testing.T) {
	s := newScenario(t)
	ts := startServer(t, resolver.NewLocalSource(s.l.db, nil))
	res := ts.get(resolver.PathIdentifiers + s.bob.String() + "?versionId=1")
	require.Equal(t, http.StatusOK, res.status)
	require.Equal(t, "public, max-age=31536000, immutable", res.header.Get("Cache-Control"), "a version never changes")
	require.Equal(t, strconv.FormatInt(s.l.height, 10), res.header.Get(resolver.HeaderHeight))
	require.Equal(t, "Accept", res.header.Get("Vary"))

	res = ts.get(resolver.PathIdentifiers + s.bob.String())
	require.Equal(t, "no-cache", res.header.Get("Cache-Control"), "the latest version changes")

	head := ts.do(http.MethodHead, resolver.PathIdentifiers+s.bob.String())
	require.Equal(t, http.StatusOK, head.status)
	require.Empty(t, head.body)
	require.Equal(t, strconv.Itoa(len(res.body)), head.header.Get("Content-Length"))
}

// TestResolveSeesNewBlocks resolves, commits a change, and resolves again:
// the head is read on every request while the rendering of a version
// comes from the cache.
func TestResolveSeesNewBlocks(t *testing.T) {
	s := newScenario(t)
	ts := startServer(t, resolver.NewLocalSource(s.l.db, nil))
	m := ts.get(resolver.PathIdentifiers + s.alice.String()).json(t)
	require.Equal(t, "1", path(m, "didDocumentMetadata", "versionId"))

	s.l.block(5, sign(t, txbuild.Rotate(testChain, s.alice, 1, "key-1", pub(key("alice2"))),
		txbuild.NewSigner(s.alice, "key-1", s.aliceKey), txbuild.NewSigner(s.alice, "key-1", key("alice2"))))
	m = ts.get(resolver.PathIdentifiers + s.alice.String()).json(t)
	require.Equal(t, "2", path(m, "didDocumentMetadata", "versionId"))
	m = ts.get(resolver.PathIdentifiers + s.alice.String() + "?versionId=1").json(t)
	require.Equal(t, "2", path(m, "didDocumentMetadata", "nextVersionId"), "the cached version 1 gets the new head's metadata")
}
