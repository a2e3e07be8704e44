package resolver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client calls a resolver over HTTP and offers DID Core's abstract
// functions (§7.1 resolve and resolveRepresentation, §7.2 dereference) on
// top of it, for programs and for the conformance reports of
// docs/conformance/.
type Client struct {
	// Base is the resolver's URL, e.g. "http://127.0.0.1:8080".
	Base string
	// HTTP sends the requests (http.DefaultClient when nil).
	HTTP *http.Client
}

// maxAnswerBytes bounds an answer a Client reads.
const maxAnswerBytes = 4 << 20

// Resolution is the output of resolve: the document as a data model (JSON
// object, or null) and the two metadata structures.
type Resolution struct {
	DIDResolutionMetadata map[string]any  `json:"didResolutionMetadata"`
	DIDDocument           json.RawMessage `json:"didDocument"`
	DIDDocumentMetadata   map[string]any  `json:"didDocumentMetadata"`
	// Status is the HTTP status of the answer.
	Status int `json:"-"`
}

// Representation is the output of resolveRepresentation: the document as a
// byte stream in the representation named by the metadata's contentType
// (empty when resolution failed).
type Representation struct {
	DIDResolutionMetadata map[string]any `json:"didResolutionMetadata"`
	DIDDocumentStream     string         `json:"didDocumentStream"`
	DIDDocumentMetadata   map[string]any `json:"didDocumentMetadata"`
	Status                int            `json:"-"`
}

// Resolve resolves did (a DID, or a DID URL with query options) with the
// given resolution options. The answer's contentType, which names the
// representation the HTTP binding used, is dropped: DID Core's resolve
// function returns the data model and no contentType.
func (c *Client) Resolve(ctx context.Context, did string, options map[string]string) (Resolution, error) {
	status, _, body, err := c.get(ctx, did, options, MediaResolution)
	if err != nil {
		return Resolution{}, err
	}
	var r Resolution
	if err := json.Unmarshal(body, &r); err != nil {
		return Resolution{}, fmt.Errorf("resolver client: the answer is not a resolution result: %w", err)
	}
	if r.DIDResolutionMetadata == nil || r.DIDDocumentMetadata == nil {
		return Resolution{}, errors.New("resolver client: the answer lacks resolution or document metadata")
	}
	delete(r.DIDResolutionMetadata, "contentType")
	r.Status = status
	return r, nil
}

// ResolveRepresentation resolves did into the representation accept names
// (application/did+ld+json, application/did+json or application/did). The
// HTTP answer of a document alone carries no metadata, so the client
// resolves first and then asks for that very version's representation.
func (c *Client) ResolveRepresentation(ctx context.Context, did, accept string, options map[string]string) (Representation, error) {
	res, err := c.Resolve(ctx, did, options)
	if err != nil {
		return Representation{}, err
	}
	if _, failed := res.DIDResolutionMetadata["error"]; failed {
		return Representation{DIDResolutionMetadata: res.DIDResolutionMetadata, DIDDocumentMetadata: res.DIDDocumentMetadata, Status: res.Status}, nil
	}
	pinned := map[string]string{}
	for k, v := range options {
		if k != optVersionTime {
			pinned[k] = v
		}
	}
	if v, ok := res.DIDDocumentMetadata["versionId"].(string); ok {
		pinned[optVersionID] = v
	}
	status, ctype, body, err := c.get(ctx, did, pinned, accept)
	if err != nil {
		return Representation{}, err
	}
	if mt, _, _ := strings.Cut(ctype, ";"); mt == MediaResolution {
		// The representation was refused (representationNotSupported).
		var r Resolution
		if err := json.Unmarshal(body, &r); err != nil {
			return Representation{}, fmt.Errorf("resolver client: the error answer is not a resolution result: %w", err)
		}
		return Representation{DIDResolutionMetadata: r.DIDResolutionMetadata, DIDDocumentMetadata: r.DIDDocumentMetadata, Status: status}, nil
	}
	if status != res.Status {
		return Representation{}, fmt.Errorf("resolver client: the representation answered %d, the resolution %d", status, res.Status)
	}
	return Representation{
		DIDResolutionMetadata: map[string]any{"contentType": ctype},
		DIDDocumentStream:     string(body),
		DIDDocumentMetadata:   res.DIDDocumentMetadata,
		Status:                status,
	}, nil
}

// Dereferencing is the output of dereference: the content as a byte
// stream (empty on failure) in the representation the metadata's
// contentType names.
type Dereferencing struct {
	DereferencingMetadata map[string]any `json:"dereferencingMetadata"`
	ContentStream         []byte         `json:"-"`
	ContentMetadata       map[string]any `json:"contentMetadata"`
	Status                int            `json:"-"`
}

// Dereference dereferences a DID URL (a DID, or a DID URL with a
// fragment) into the representation accept names, as
// ResolveRepresentation does for a DID.
func (c *Client) Dereference(ctx context.Context, didURL, accept string) (Dereferencing, error) {
	status, _, body, err := c.get(ctx, didURL, nil, MediaResolution)
	if err != nil {
		return Dereferencing{}, err
	}
	var d struct {
		Dereferencing
		Resolution
	}
	if err := json.Unmarshal(body, &d); err != nil {
		return Dereferencing{}, fmt.Errorf("resolver client: the answer is not a result: %w", err)
	}
	out := d.Dereferencing
	if !strings.Contains(didURL, "#") { // a resolution result
		out = Dereferencing{DereferencingMetadata: d.DIDResolutionMetadata, ContentMetadata: d.DIDDocumentMetadata}
	}
	out.Status, out.ContentStream = status, nil
	if out.DereferencingMetadata == nil || out.ContentMetadata == nil {
		return Dereferencing{}, errors.New("resolver client: the answer lacks its metadata")
	}
	if _, failed := out.DereferencingMetadata["error"]; failed {
		delete(out.DereferencingMetadata, "contentType")
		return out, nil
	}
	pinned := map[string]string{}
	if v, ok := out.ContentMetadata["versionId"].(string); ok {
		pinned[optVersionID] = v
	}
	status, ctype, body, err := c.get(ctx, didURL, pinned, accept)
	if err != nil {
		return Dereferencing{}, err
	}
	if status != out.Status {
		return Dereferencing{}, fmt.Errorf("resolver client: the representation answered %d, the result %d", status, out.Status)
	}
	out.DereferencingMetadata = map[string]any{"contentType": ctype}
	out.ContentStream = body
	return out, nil
}

func (c *Client) get(ctx context.Context, did string, options map[string]string, accept string) (int, string, []byte, error) {
	u := strings.TrimSuffix(c.Base, "/") + PathIdentifiers + url.PathEscape(did)
	if len(options) > 0 {
		q := url.Values{}
		for k, v := range options {
			q.Set(k, v)
		}
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", nil, fmt.Errorf("resolver client: %w", err)
	}
	req.Header.Set("Accept", accept)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return 0, "", nil, fmt.Errorf("resolver client: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxAnswerBytes))
	if err != nil {
		return 0, "", nil, fmt.Errorf("resolver client: %w", err)
	}
	return res.StatusCode, res.Header.Get("Content-Type"), body, nil
}
