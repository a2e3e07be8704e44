package resolver

import (
	"encoding/json"
	"fmt"

	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/types"
)

// ContextResolution is the JSON-LD context of resolution and
// dereferencing results.
const ContextResolution = "https://w3id.org/did-resolution/v1"

// renderVersion renders a stored version of the DID id, created at
// created, in every representation, with its metadata.
func renderVersion(id types.ID, created int64, rec *types.VersionRecord) (*rendered, error) {
	doc, err := didjson.RenderDocument(&rec.Document)
	if err != nil {
		return nil, fmt.Errorf("resolver: render version %d of %s: %w", rec.Version, id, err)
	}
	if doc.ID != id.String() {
		return nil, fmt.Errorf("resolver: version %d of %s holds the document of %s", rec.Version, id, types.Truncate(doc.ID))
	}
	out := &rendered{deactivated: rec.Deactivated, nodes: make(map[string][]byte, len(doc.VerificationMethod)+len(doc.Service))}
	// The metadata depends on the head only through created (fixed) and
	// whether a later version exists.
	if out.metaLatest, err = json.Marshal(didjson.RenderMetadata(&types.Head{Created: created, Version: rec.Version}, rec)); err != nil {
		return nil, err
	}
	if out.metaOlder, err = json.Marshal(didjson.RenderMetadata(&types.Head{Created: created, Version: rec.Version + 1}, rec)); err != nil {
		return nil, err
	}
	if out.ld, err = json.Marshal(doc); err != nil {
		return nil, err
	}
	doc.Context = nil
	if out.plain, err = json.Marshal(doc); err != nil {
		return nil, err
	}
	for _, vm := range doc.VerificationMethod {
		if out.nodes[vm.ID], err = json.Marshal(vm); err != nil {
			return nil, err
		}
	}
	for _, s := range doc.Service {
		if out.nodes[s.ID], err = json.Marshal(s); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// contextPrefix starts a JSON-LD object with the document contexts.
var contextPrefix = func() []byte {
	b, err := json.Marshal(didjson.Contexts())
	if err != nil {
		panic(err)
	}
	return append(append([]byte(`{"@context":`), b...), ',')
}()

// withContext returns a JSON object (a verification method or service)
// with the document contexts added first.
func withContext(node []byte) []byte {
	out := make([]byte, 0, len(contextPrefix)+len(node))
	return append(append(out, contextPrefix...), node[1:]...)
}

// resolutionMetadata is didResolutionMetadata, or dereferencingMetadata.
type resolutionMetadata struct {
	ContentType  string     `json:"contentType,omitempty"`
	Error        string     `json:"error,omitempty"`
	ErrorMessage string     `json:"errorMessage,omitempty"`
	Custos       *proofMeta `json:"custos,omitempty"`
}

// The fixed parts of results, between which the document, the content
// and the metadata go.
var (
	resultHead   = []byte(`{"@context":"` + ContextResolution + `","didDocument":`)
	resultDocMD  = []byte(`,"didDocumentMetadata":`)
	resultResMD  = []byte(`,"didResolutionMetadata":`)
	derefHead    = []byte(`{"@context":"` + ContextResolution + `","dereferencingMetadata":`)
	derefContent = []byte(`,"contentStream":`)
	derefCMD     = []byte(`,"contentMetadata":`)
	closeBrace   = []byte("}")
	jsonNull     = []byte("null")
)

// resultParts are the parts of a resolution result: the document (nil for
// null), its metadata and the resolution metadata, each already JSON.
func resultParts(doc, docMeta, resMeta []byte) [7][]byte {
	if doc == nil {
		doc = jsonNull
	}
	return [7][]byte{resultHead, doc, resultDocMD, docMeta, resultResMD, resMeta, closeBrace}
}

// dereferencingParts are the parts of a dereferencing result.
func dereferencingParts(content, contentMeta, derefMeta []byte) [7][]byte {
	if content == nil {
		content = jsonNull
	}
	return [7][]byte{derefHead, derefMeta, derefContent, content, derefCMD, contentMeta, closeBrace}
}

// successMeta is the resolution metadata of every successful result: the
// document in it is JSON-LD.
var successMeta = mustJSON(resolutionMetadata{ContentType: MediaDIDLD})

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
