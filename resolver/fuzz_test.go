package resolver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/custos-ledger/custos/resolver"
)

// FuzzResolve sends arbitrary request targets and Accept headers through
// the resolver's handler, as net/http would hand them over, against real
// state: no input may panic, get a 500 or an answer that is not JSON.
// kind picks the endpoint the segment goes to (identifiers, history, key
// status, or the target as is).
func FuzzResolve(f *testing.F) {
	s := newScenario(f)
	srv, err := resolver.New(resolver.DefaultConfig(), resolver.NewLocalSource(s.l.db, nil), nil)
	if err != nil {
		f.Fatal(err)
	}
	for _, seg := range []string{s.alice.String(), s.bob.String() + "%23ctl", s.carol.String(), url.PathEscape(s.bob.String() + "?versionId=1#sign")} {
		f.Add(uint8(0), seg, "", "")
		f.Add(uint8(1), seg, "from=2", "application/json")
		f.Add(uint8(2), seg, "at=2023-11-14T22:13:40Z", "")
	}
	f.Add(uint8(0), s.bob.String(), "versionTime=2023-11-14T22:13:50Z", "application/did+json;q=0.9, */*;q=0.1")
	f.Fuzz(func(t *testing.T, kind uint8, segment, query, accept string) {
		var target string
		switch kind % 4 {
		case 0:
			target = resolver.PathIdentifiers + segment
		case 1:
			target = resolver.PathIdentifiers + segment + "/history"
		case 2:
			target = resolver.PathKeys + segment + "/status"
		default:
			target = segment
		}
		if query != "" {
			target += "?" + query
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return // net/http answers 400 itself before any handler runs
		}
		req := (&http.Request{
			Method: http.MethodGet, URL: u, RequestURI: target, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{}, Host: "127.0.0.1",
		}).WithContext(context.Background())
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 400, 404, 406, 410, 414:
		default:
			t.Fatalf("%q (Accept %q): status %d: %s", target, accept, rec.Code, rec.Body.Bytes())
		}
		if !json.Valid(rec.Body.Bytes()) && u.Path != resolver.PathMetrics {
			t.Fatalf("%q: the answer is not JSON: %q", target, rec.Body.Bytes())
		}
	})
}
