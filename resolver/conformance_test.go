package resolver_test

// The reports of docs/conformance/: the implementation files the W3C DID
// test suite (github.com/w3c/did-test-suite,
// packages/did-core-test-server/suites/implementations/) reads, made from
// real resolutions against the scenario ledger. The scenario is
// deterministic (keys, chain id and block times are fixed), so the files
// are golden: `go test ./resolver -run TestConformanceReports -update`
// writes them, and a plain run requires them to be up to date.

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/resolver"
	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/txbuild"
)

var update = flag.Bool("update", false, "rewrite docs/conformance/ from real resolutions")

// conformanceDir is where the reports live, from this package's folder.
var conformanceDir = filepath.Join("..", "docs", "conformance")

// execution is one call of a DID Core function with its input and output.
type execution struct {
	Function string         `json:"function"`
	Input    map[string]any `json:"input"`
	Output   map[string]any `json:"output"`
	outcome  string
}

// reports resolves the scenario through a real server and returns the
// three implementation files.
func reports(t *testing.T) (method, resolverReport, dereferencer map[string]any, resolutions, dereferences []execution) {
	s := newScenario(t)
	ts := startServer(t, resolver.NewLocalSource(s.l.db, nil))
	c := &resolver.Client{Base: ts.base}
	ctx := context.Background()
	unknown, _, err := txbuild.Create(testChain, txbuild.SimpleDocument("key-1", pub(key("nobody"))), "")
	require.NoError(t, err)
	alice, bob, carol := s.alice.String(), s.bob.String(), s.carol.String()

	resolve := func(outcome, did string, opts map[string]string) execution {
		r, err := c.Resolve(ctx, did, opts)
		require.NoError(t, err)
		var doc any
		require.NoError(t, json.Unmarshal(r.DIDDocument, &doc))
		return execution{Function: "resolve", outcome: outcome,
			Input:  map[string]any{"did": did, "resolutionOptions": anyMap(opts)},
			Output: map[string]any{"didResolutionMetadata": r.DIDResolutionMetadata, "didDocument": doc, "didDocumentMetadata": r.DIDDocumentMetadata}}
	}
	represent := func(outcome, did, accept string, opts map[string]string) execution {
		r, err := c.ResolveRepresentation(ctx, did, accept, opts)
		require.NoError(t, err)
		in := anyMap(opts)
		in["accept"] = accept
		return execution{Function: "resolveRepresentation", outcome: outcome,
			Input:  map[string]any{"did": did, "resolutionOptions": in},
			Output: map[string]any{"didResolutionMetadata": r.DIDResolutionMetadata, "didDocumentStream": r.DIDDocumentStream, "didDocumentMetadata": r.DIDDocumentMetadata}}
	}
	deref := func(outcome, didURL, accept string) execution {
		d, err := c.Dereference(ctx, didURL, accept)
		require.NoError(t, err)
		return execution{Function: "dereference", outcome: outcome,
			Input:  map[string]any{"didUrl": didURL, "dereferenceOptions": map[string]any{"accept": accept}},
			Output: map[string]any{"dereferencingMetadata": d.DereferencingMetadata, "contentStream": string(d.ContentStream), "contentMetadata": d.ContentMetadata}}
	}
	versionTime := didjson.FormatTime(tBobRotate)
	resolutions = []execution{
		resolve("defaultOutcome", alice, nil),
		resolve("defaultOutcome", bob, nil),
		resolve("defaultOutcome", bob, map[string]string{"versionId": "1"}),
		resolve("defaultOutcome", bob, map[string]string{"versionTime": versionTime}),
		resolve("invalidDidErrorOutcome", "did:custos:%zz", nil),
		resolve("invalidDidErrorOutcome", "did:example_222", nil),
		resolve("notFoundErrorOutcome", unknown.String(), nil),
		resolve("deactivatedOutcome", carol, nil),
		represent("defaultOutcome", bob, resolver.MediaDIDLD, nil),
		represent("defaultOutcome", bob, resolver.MediaDIDJSON, nil),
		represent("defaultOutcome", bob, resolver.MediaDIDLD, map[string]string{"versionId": "1"}),
		represent("representationNotSupportedErrorOutcome", alice, "application/did+cbor", nil),
		represent("notFoundErrorOutcome", unknown.String(), resolver.MediaDIDJSON, nil),
	}
	dereferences = []execution{
		deref("defaultOutcome", bob, resolver.MediaDIDLD),
		deref("defaultOutcome", bob+"#ctl", resolver.MediaDIDLD),
		deref("defaultOutcome", bob+"#ctl", resolver.MediaDIDJSON),
		deref("defaultOutcome", bob+"#hub", resolver.MediaDIDLD),
		deref("invalidDidUrlErrorOutcome", "did:custos:%zz#key-1", resolver.MediaDIDLD),
		deref("invalidDidUrlErrorOutcome", bob+"#bad%20fragment", resolver.MediaDIDLD),
		deref("notFoundErrorOutcome", bob+"#sign", resolver.MediaDIDLD),
		deref("notFoundErrorOutcome", unknown.String()+"#key-1", resolver.MediaDIDJSON),
	}

	header := func() map[string]any {
		return map[string]any{"didMethod": "did:custos", "implementation": "Custos resolver", "implementer": "Custos"}
	}
	resolverReport = header()
	resolverReport["expectedOutcomes"] = outcomes(resolutions, "defaultOutcome", "invalidDidErrorOutcome", "notFoundErrorOutcome", "representationNotSupportedErrorOutcome", "deactivatedOutcome")
	resolverReport["executions"] = resolutions
	dereferencer = header()
	dereferencer["expectedOutcomes"] = outcomes(dereferences, "defaultOutcome", "invalidDidUrlErrorOutcome", "notFoundErrorOutcome")
	dereferencer["executions"] = dereferences

	method = header()
	method["supportedContentTypes"] = []string{resolver.MediaDIDLD, resolver.MediaDIDJSON}
	method["dids"] = []string{alice, bob}
	method["didParameters"] = map[string]string{"versionId": bob + "?versionId=1", "versionTime": bob + "?versionTime=" + versionTime}
	for _, did := range []string{alice, bob} {
		entry := map[string]any{}
		for _, ct := range []string{resolver.MediaDIDLD, resolver.MediaDIDJSON} {
			r, err := c.ResolveRepresentation(ctx, did, ct, nil)
			require.NoError(t, err)
			var doc map[string]any
			require.NoError(t, json.Unmarshal([]byte(r.DIDDocumentStream), &doc))
			specific := map[string]any{}
			if ctx, ok := doc["@context"]; ok {
				specific["@context"] = ctx
				delete(doc, "@context")
			}
			entry["didDocumentDataModel"] = map[string]any{"properties": doc}
			entry[ct] = map[string]any{
				"didDocumentDataModel":  map[string]any{"representationSpecificEntries": specific},
				"representation":        r.DIDDocumentStream,
				"didDocumentMetadata":   r.DIDDocumentMetadata,
				"didResolutionMetadata": r.DIDResolutionMetadata,
			}
		}
		method[did] = entry
	}
	return method, resolverReport, dereferencer, resolutions, dereferences
}

func anyMap(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// outcomes indexes executions by expected outcome, as the suite's
// expectedOutcomes.
func outcomes(ex []execution, names ...string) map[string][]int {
	out := map[string][]int{}
	for _, n := range names {
		out[n] = []int{}
	}
	for i, e := range ex {
		out[e.outcome] = append(out[e.outcome], i)
	}
	return out
}

func TestConformanceReports(t *testing.T) {
	method, res, deref, _, _ := reports(t)
	files := map[string]any{
		"did-custos.json":          method,
		"resolver-custos.json":     res,
		"dereferencer-custos.json": deref,
	}
	for name, v := range files {
		b, err := json.MarshalIndent(v, "", "  ")
		require.NoError(t, err)
		b = append(b, '\n')
		p := filepath.Join(conformanceDir, name)
		if *update {
			require.NoError(t, os.MkdirAll(conformanceDir, 0o755))
			require.NoError(t, os.WriteFile(p, b, 0o644))
			continue
		}
		want, err := os.ReadFile(p)
		require.NoError(t, err, "run `go test ./resolver -run TestConformanceReports -update` to write it")
		require.Equal(t, string(want), string(b), "%s is out of date: run `go test ./resolver -run TestConformanceReports -update`", p)
	}
}
