package resolver_test

// Go mirrors of the W3C DID test suite's rules
// (github.com/w3c/did-test-suite, packages/did-core-test-server/suites:
// did-resolution, did-url-dereferencing, did-core-properties), run on every
// execution of the conformance reports and on every document the method
// report holds.

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/resolver"
)

// DID Core §3.1 and §3.2, as ABNF turned regular expressions.
var (
	didRe    = regexp.MustCompile(`^did:[a-z0-9]+:(?:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+$`)
	didURLRe = regexp.MustCompile(`^(did:[a-z0-9]+:(?:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+)(/[^?#]*)?(\?[^#]*)?(#.*)?$`)
	// DID Core §7.1.3: XML Datetime normalized to UTC 00:00:00, no
	// sub-second precision.
	datetimeRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)
	mediaRe    = regexp.MustCompile(`^[a-z]+/[a-z0-9.+-]+(;.*)?$`)
	// The error keywords of DID Core §7.1.2, §7.2.2 and the DID Resolution
	// spec that this resolver may answer.
	keywords = map[string]bool{"invalidDid": true, "invalidDidUrl": true, "notFound": true, "representationNotSupported": true,
		"methodNotSupported": true, "invalidOptions": true, "internalError": true}
)

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func TestDIDSyntaxRules(t *testing.T) {
	for _, ok := range []string{"did:custos:VkCLTZGLKJ3FgnNnJGo4db", "did:example:123", "did:a:b:c", "did:x:%20"} {
		require.Regexp(t, didRe, ok)
	}
	for _, bad := range []string{"did:example_222", "did:Example:1", "did:x:", "did:x:a:", "did:x:a b", "did:x:%2", "dod:x:y"} {
		require.NotRegexp(t, didRe, bad)
	}
	require.Regexp(t, didURLRe, "did:custos:VkCLTZGLKJ3FgnNnJGo4db?versionId=1#key-1")
}

func TestW3CResolutionRules(t *testing.T) {
	method, _, _, resolutions, dereferences := reports(t)
	for i, e := range resolutions {
		t.Run(e.Function+"/"+e.outcome+"/"+strconv.Itoa(i), func(t *testing.T) { checkResolution(t, e) })
	}
	for i, e := range dereferences {
		t.Run("dereference/"+e.outcome+"/"+strconv.Itoa(i), func(t *testing.T) { checkDereference(t, e) })
	}
	for _, did := range method["dids"].([]string) {
		entry := method[did].(map[string]any)
		for _, ct := range method["supportedContentTypes"].([]string) {
			t.Run("document/"+ct+"/"+did, func(t *testing.T) {
				rep := entry[ct].(map[string]any)
				var doc map[string]any
				require.NoError(t, json.Unmarshal([]byte(rep["representation"].(string)), &doc))
				checkContext(t, doc, ct)
				checkDocument(t, doc)
				require.Equal(t, ct, rep["didResolutionMetadata"].(map[string]any)["contentType"])
				checkDocumentMetadata(t, rep["didDocumentMetadata"].(map[string]any), false)
			})
		}
	}
}

func isError(outcome string) bool { return strings.HasSuffix(outcome, "ErrorOutcome") }

// checkResolution mirrors suites/did-resolution/did-resolution.js.
func checkResolution(t *testing.T, e execution) {
	did := e.Input["did"].(string)
	opts := e.Input["resolutionOptions"].(map[string]any)
	resMeta := e.Output["didResolutionMetadata"].(map[string]any)
	docMeta := e.Output["didDocumentMetadata"].(map[string]any)
	errKW, failed := resMeta["error"].(string)
	require.Equal(t, isError(e.outcome), failed, "an error outcome, and only one, has an error")
	if !failed || errKW != "invalidDid" {
		require.Regexp(t, didURLRe, did, "the input DID conforms to §3.1")
	}
	if failed {
		require.True(t, keywords[errKW], "error %q is a registered keyword", errKW)
		require.True(t, isASCII(errKW) && !strings.ContainsAny(errKW, " \t\n"), "a single ASCII keyword")
		require.Empty(t, docMeta, "an unsuccessful resolution has empty document metadata")
		require.NotContains(t, resMeta, "contentType")
	}
	switch e.outcome {
	case "invalidDidErrorOutcome":
		require.Equal(t, "invalidDid", errKW)
		require.NotRegexp(t, didRe, did)
	case "notFoundErrorOutcome":
		require.Equal(t, "notFound", errKW)
	case "representationNotSupportedErrorOutcome":
		require.Equal(t, "representationNotSupported", errKW)
	}
	switch e.Function {
	case "resolve":
		require.NotContains(t, opts, "accept", "accept MUST NOT be used with resolve")
		require.NotContains(t, resMeta, "contentType", "contentType MUST NOT be present if resolve was called")
		doc, _ := e.Output["didDocument"].(map[string]any)
		if failed {
			require.Nil(t, e.Output["didDocument"], "no document when resolution fails")
			break
		}
		require.NotNil(t, doc)
		require.Equal(t, strings.Split(did, "?")[0], doc["id"], "the document's id is the DID resolved")
		checkContext(t, doc, resolver.MediaDIDLD)
		if e.outcome != "deactivatedOutcome" {
			checkDocument(t, doc)
		}
	case "resolveRepresentation":
		stream := e.Output["didDocumentStream"].(string)
		if failed {
			require.Empty(t, stream, "an empty stream when resolution fails")
			break
		}
		ct, _ := resMeta["contentType"].(string)
		require.Regexp(t, mediaRe, ct, "contentType is a media type")
		require.Equal(t, opts["accept"], ct)
		var doc map[string]any
		require.NoError(t, json.Unmarshal([]byte(stream), &doc), "the stream is in the representation contentType names")
		checkContext(t, doc, ct)
		checkDocument(t, doc)
	default:
		t.Fatalf("unknown function %s", e.Function)
	}
	if !failed {
		checkDocumentMetadata(t, docMeta, e.outcome == "deactivatedOutcome")
	}
}

// checkDereference mirrors suites/did-url-dereferencing.
func checkDereference(t *testing.T, e execution) {
	meta := e.Output["dereferencingMetadata"].(map[string]any)
	stream := e.Output["contentStream"].(string)
	cm := e.Output["contentMetadata"].(map[string]any)
	errKW, failed := meta["error"].(string)
	require.Equal(t, isError(e.outcome), failed)
	if failed {
		require.True(t, keywords[errKW])
		require.Empty(t, stream)
		require.Empty(t, cm)
		switch e.outcome {
		case "invalidDidUrlErrorOutcome":
			require.Equal(t, "invalidDidUrl", errKW)
		case "notFoundErrorOutcome":
			require.Equal(t, "notFound", errKW)
		}
		return
	}
	didURL := e.Input["didUrl"].(string)
	require.Regexp(t, didURLRe, didURL)
	ct := meta["contentType"].(string)
	require.Equal(t, e.Input["dereferenceOptions"].(map[string]any)["accept"], ct)
	var node map[string]any
	require.NoError(t, json.Unmarshal([]byte(stream), &node))
	require.Equal(t, didURL, node["id"], "the content is the resource the DID URL names")
	checkContext(t, node, ct)
	checkDocumentMetadata(t, cm, false)
}

// checkContext: JSON-LD representations start @context with the DID
// context (§6.3.1); plain JSON carries none.
func checkContext(t *testing.T, doc map[string]any, contentType string) {
	t.Helper()
	ctx, has := doc["@context"]
	if contentType == resolver.MediaDIDJSON {
		require.False(t, has, "application/did+json carries no @context")
		return
	}
	require.True(t, has, "%s needs @context", contentType)
	list, ok := ctx.([]any)
	require.True(t, ok, "@context is an ordered set")
	require.Equal(t, "https://www.w3.org/ns/did/v1", list[0], "the first @context is the DID v1 context")
	require.Contains(t, list, "https://w3id.org/security/multikey/v1", "Multikey methods need the Multikey context")
}

// checkDocument mirrors suites/did-core-properties/did-core-properties.js.
func checkDocument(t *testing.T, doc map[string]any) {
	t.Helper()
	id, _ := doc["id"].(string)
	require.Regexp(t, didRe, id, "5.1.1 id is a DID")
	methods := map[string]bool{}
	if vms, ok := doc["verificationMethod"]; ok {
		list, ok := vms.([]any)
		require.True(t, ok, "5.2 verificationMethod is an ordered set")
		for _, v := range list {
			vm := v.(map[string]any)
			for _, p := range []string{"id", "type", "controller"} {
				require.Contains(t, vm, p, "5.2 a verification method has %s", p)
			}
			require.Regexp(t, didURLRe, vm["id"], "5.2 the id is a DID URL")
			require.Equal(t, "Multikey", vm["type"])
			require.Regexp(t, didRe, vm["controller"], "5.2 the controller is a DID")
			require.NotContains(t, vm, "publicKeyJwk")
			require.NotContains(t, vm, "publicKeyBase58", "5.2.1 one form of key material")
			require.True(t, strings.HasPrefix(vm["publicKeyMultibase"].(string), "z"), "Multikey base58btc")
			require.False(t, methods[vm["id"].(string)], "verification method ids are unique")
			methods[vm["id"].(string)] = true
		}
	}
	for _, rel := range []string{"authentication", "assertionMethod", "keyAgreement", "capabilityInvocation", "capabilityDelegation"} {
		refs, ok := doc[rel]
		if !ok {
			continue
		}
		list, ok := refs.([]any)
		require.True(t, ok, "5.3 %s is an ordered set", rel)
		require.NotEmpty(t, list, "5.3 %s has one or more methods", rel)
		for _, r := range list {
			s, ok := r.(string)
			require.True(t, ok, "Custos lists relationships by reference")
			require.Regexp(t, didURLRe, s, "5.3 an absolute DID URL")
			require.True(t, strings.HasPrefix(s, id+"#"))
			require.True(t, methods[s], "%s names a method of the document", s)
		}
	}
	if svcs, ok := doc["service"]; ok {
		list, ok := svcs.([]any)
		require.True(t, ok, "5.4 service is an ordered set")
		seen := map[string]bool{}
		for _, v := range list {
			svc := v.(map[string]any)
			for _, p := range []string{"id", "type", "serviceEndpoint"} {
				require.Contains(t, svc, p, "5.4 a service has %s", p)
			}
			sid := svc["id"].(string)
			_, err := url.Parse(sid)
			require.NoError(t, err, "5.4 the id is a URI")
			require.False(t, seen[sid], "5.4 service ids are unique")
			seen[sid] = true
			require.NotEmpty(t, svc["type"].(string))
			ep, err := url.Parse(svc["serviceEndpoint"].(string))
			require.NoError(t, err)
			require.True(t, ep.IsAbs(), "5.4 the endpoint is an absolute URI")
		}
	}
}

// checkDocumentMetadata mirrors the DID Document Metadata rules of
// did-resolution.js.
func checkDocumentMetadata(t *testing.T, m map[string]any, deactivated bool) {
	t.Helper()
	var created, updated time.Time
	if v, ok := m["created"]; ok {
		require.Regexp(t, datetimeRe, v)
		created, _ = time.Parse(time.RFC3339, v.(string))
	}
	if v, ok := m["updated"]; ok {
		require.Regexp(t, datetimeRe, v)
		updated, _ = time.Parse(time.RFC3339, v.(string))
		require.False(t, updated.Before(created), "updated is not before created")
	}
	if deactivated {
		require.Equal(t, true, m["deactivated"], "a deactivated DID says so")
	} else if v, ok := m["deactivated"]; ok {
		require.Equal(t, false, v)
	}
	v, ok := m["versionId"].(string)
	require.True(t, ok && isASCII(v), "versionId is an ASCII string")
	if next, ok := m["nextVersionId"]; ok {
		require.True(t, isASCII(next.(string)))
		require.NotEqual(t, v, next)
	}
}

// TestDeactivatedHasABody: 410 comes with the document's id and the
// deactivated flag, in every representation.
func TestDeactivatedHasABody(t *testing.T) {
	s := newScenario(t)
	ts := startServer(t, resolver.NewLocalSource(s.l.db, nil))
	for _, accept := range []string{"", resolver.MediaResolution, resolver.MediaDIDLD, resolver.MediaDIDJSON, resolver.MediaDID} {
		res := ts.get(resolver.PathIdentifiers+s.carol.String(), "Accept", accept)
		require.Equal(t, 410, res.status, accept)
		m := res.json(t)
		doc := m
		if d, ok := m["didDocument"].(map[string]any); ok {
			doc = d
			require.Equal(t, true, path(m, "didDocumentMetadata", "deactivated"))
		}
		require.Equal(t, s.carol.String(), doc["id"])
		require.NotContains(t, doc, "verificationMethod")
	}
}
