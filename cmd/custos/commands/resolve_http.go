package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"

	"github.com/custos-ledger/custos/resolver"
	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/types"
)

// ResolverEnv names the environment variable that sets --resolver.
const ResolverEnv = "CUSTOS_RESOLVER"

// httpReader reads DIDs through a Custos HTTP resolver (docs/resolver.md).
type httpReader struct {
	base string
	c    *resolver.Client
	hc   *http.Client
}

func newHTTPReader(base string, hc *http.Client) (httpReader, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return httpReader{}, fmt.Errorf("invalid --resolver %q: give the resolver's URL, e.g. http://127.0.0.1:8080", base)
	}
	return httpReader{base: base, c: &resolver.Client{Base: base, HTTP: hc}, hc: hc}, nil
}

func (r httpReader) Resolve(ctx context.Context, id types.ID, opts resolveOptions) (resolution, error) {
	o := map[string]string{}
	switch {
	case opts.VersionID != 0:
		o["versionId"] = strconv.FormatUint(opts.VersionID, 10)
	case !opts.VersionTime.IsZero():
		o["versionTime"] = didjson.FormatTime(opts.VersionTime.Unix())
	}
	res, err := r.c.Resolve(ctx, id.String(), o)
	if err != nil {
		return resolution{}, fmt.Errorf("resolver %s: %w", r.base, err)
	}
	switch res.Status {
	case http.StatusOK, http.StatusGone:
	case http.StatusNotFound:
		return resolution{}, types.ErrDIDNotFound.Wrapf("%s: %v", id, res.DIDResolutionMetadata["errorMessage"])
	default:
		return resolution{}, fmt.Errorf("resolver %s answered %d: %v %v", r.base, res.Status,
			res.DIDResolutionMetadata["error"], res.DIDResolutionMetadata["errorMessage"])
	}
	var out resolution
	if err := json.Unmarshal(res.DIDDocument, &out.Document); err != nil {
		return resolution{}, fmt.Errorf("resolver %s sent a document that does not decode: %v", r.base, err)
	}
	meta, err := json.Marshal(res.DIDDocumentMetadata)
	if err == nil {
		err = json.Unmarshal(meta, &out.Metadata)
	}
	if err != nil {
		return resolution{}, fmt.Errorf("resolver %s sent metadata that does not decode: %v", r.base, err)
	}
	return out, nil
}

func (r httpReader) History(ctx context.Context, id types.ID) ([]didjson.Event, error) {
	var all []didjson.Event
	for from := uint64(1); ; {
		u := r.base + resolver.PathIdentifiers + id.String() + "/history?from=" + strconv.FormatUint(from, 10)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := r.hc.Do(req)
		if err != nil {
			return nil, fmt.Errorf("resolver %s: %w", r.base, err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("resolver %s: %w", r.base, err)
		}
		switch resp.StatusCode {
		case http.StatusOK:
		case http.StatusNotFound:
			return nil, types.ErrDIDNotFound.Wrapf("%s is not registered", id)
		default:
			return nil, fmt.Errorf("resolver %s answered %d: %s", r.base, resp.StatusCode, body)
		}
		var page resolver.History
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, fmt.Errorf("resolver %s sent a history that does not decode: %v", r.base, err)
		}
		all = append(all, page.Events...)
		if page.Next == 0 {
			return all, nil
		}
		from = page.Next
	}
}

// resolverURL is --resolver, or else the environment's CUSTOS_RESOLVER.
func (f *readerFlags) resolverURL() string {
	if f.resolver != "" {
		return f.resolver
	}
	return os.Getenv(ResolverEnv)
}
