package resolver_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cometbft/cometbft/libs/log"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/testutil"
	"github.com/custos-ledger/custos/resolver"
)

// A path request is built from pieces a choice source picks: an endpoint
// prefix, a DID or DID URL (one of the scenario's, an unknown one, or
// garbage), a suffix, query options with good and bad values, an Accept
// header and a method, then a few byte-level mutations. The pieces reach
// every parser of the resolver far more often than random bytes do.

// chooser picks numbers in [0, n).
type chooser interface{ IntN(n int) int }

// byteChooser draws choices from fuzz input; once the input is used up it
// picks 0 (the first, most ordinary piece).
type byteChooser struct{ b []byte }

func (c *byteChooser) IntN(n int) int {
	if n <= 1 || len(c.b) == 0 {
		return 0
	}
	v := int(c.b[0])
	c.b = c.b[1:]
	if n > 256 && len(c.b) > 0 {
		v = v<<8 | int(c.b[0])
		c.b = c.b[1:]
	}
	return v % n
}

// pathRequest is one request of the fuzzer.
type pathRequest struct {
	method string
	target string // as it goes on the request line
	accept string // "" sends no Accept header
}

// pathPieces are the pieces requests are built from.
type pathPieces struct {
	dids      []string // registered, deactivated, unknown and malformed
	fragments []string
}

func newPathPieces(s *scenario) pathPieces {
	return pathPieces{
		dids: []string{
			s.alice.String(), s.bob.String(), s.carol.String(),
			"did:custos:2222222222222222222222", // well-formed, not registered
			"did:custos:", "did:custos", "did:", "did:key:z6Mk", "did:custos:0OIl", "did:custos:" + strings.Repeat("z", 80),
			"DID:CUSTOS:" + strings.ToUpper(s.alice.String()[len("did:custos:"):]), "", "status", "history", "..", ".",
		},
		fragments: []string{"key-1", "ctl", "sign", "enc", "svc", "", "#", "é", "a%2Fb", strings.Repeat("k", 300)},
	}
}

var (
	pathPrefixes = []string{resolver.PathIdentifiers, resolver.PathIdentifiers, resolver.PathIdentifiers, resolver.PathIdentifiers,
		resolver.PathIdentifiers, resolver.PathIdentifiers, resolver.PathKeys, resolver.PathKeys, resolver.PathKeys,
		"/1.0/identifiers", "/1.0/keys", "/1.0/", "/", "", "/1.0/identifiers//", "/1.0/keys//", "/2.0/identifiers/", "//1.0/keys/"}
	pathSuffixes = []string{"", "", "", "", "/history", "/history", "/status", "/status", "/", "//status", "/status/", "/history/history",
		"/status/status", "/history/status", resolver.PathHealth, resolver.PathMetrics}
	optionNames  = []string{"versionId", "versionTime", "proof", "at", "from", "limit", "VersionId", "x", "", "versionId[]", "%zz"}
	optionValues = []string{"1", "2", "3", "9", "0", "-1", "01", "18446744073709551615", "18446744073709551616", "true", "false",
		"2023-11-14T22:13:40Z", "2023-11-14T22:13:40.5Z", "2023-11-14T22:13:40+02:00", "0000-00-00", "9999-12-31T23:59:59Z",
		"", "%", "%zz", "+", "%00", "a;b", strings.Repeat("9", 40)}
	acceptValues = []string{"", "", "", "", resolver.MediaResolution, resolver.MediaResolutionLD, resolver.MediaDIDLD, resolver.MediaDIDJSON,
		resolver.MediaDID, resolver.MediaJSON, resolver.MediaDereferencing, "*/*", "text/html", "application/*",
		"application/did+json;q=0.9, */*;q=0.1", "application/did+json;q=2", "application/did+json;q=x", ";;,,", "*/*;q=0",
		`application/ld+json;profile="a b"`, "application/ld+json", "\x00", strings.Repeat("a/b,", 500)}
	pathMethods = []string{http.MethodGet, http.MethodGet, http.MethodGet, http.MethodGet, http.MethodGet, http.MethodGet,
		http.MethodHead, http.MethodPost, "OPTIONS"}
	// mutations are inserted at a random place of the target.
	mutations = []string{"%", "%2", "%23", "%3F", "%2F", "%00", "%FF", "/", "?", "#", "&", "=", ";", "..", "%25", "é", "\x7f", "+", "%C3"}
)

// pick returns one of xs.
func pick[T any](c chooser, xs []T) T { return xs[c.IntN(len(xs))] }

// genPathRequest builds a request from c's choices: two in three are well
// formed requests of an endpoint, some with one mutation; the others are
// built from every piece, good and bad.
func (p pathPieces) genPathRequest(c chooser) pathRequest {
	if c.IntN(3) > 0 {
		req := p.genWellFormed(c)
		if c.IntN(4) == 3 {
			at := c.IntN(len(req.target) + 1)
			req.target = req.target[:at] + pick(c, mutations) + req.target[at:]
		}
		return req
	}
	return p.genAny(c)
}

// Well-formed option values.
var (
	goodVersions = []string{"1", "2", "3", "4"}
	goodTimes    = []string{"2023-11-14T22:13:30Z", "2023-11-14T22:13:40Z", "2023-11-14T22:13:55Z", "2023-11-14T22:14:10Z", "2020-01-01T00:00:00Z"}
	goodAccepts  = []string{"", "", resolver.MediaResolution, resolver.MediaResolutionLD, resolver.MediaDIDLD, resolver.MediaDIDJSON,
		resolver.MediaDID, resolver.MediaJSON, "*/*"}
)

// genWellFormed builds a request that an endpoint may well answer 200:
// a known DID, a valid shape, valid options.
func (p pathPieces) genWellFormed(c chooser) pathRequest {
	id := p.dids[c.IntN(4)] // alice, bob, carol, unregistered
	var target string
	switch c.IntN(5) {
	case 0, 1: // resolution or dereferencing
		target = resolver.PathIdentifiers + id
		if c.IntN(4) == 3 {
			target += "%23" + pick(c, p.fragments[:5])
		}
		switch c.IntN(5) {
		case 1:
			target += "?versionId=" + pick(c, goodVersions)
		case 2:
			target += "?versionTime=" + pick(c, goodTimes)
		case 3:
			target += "?proof=" + pick(c, []string{"true", "false"})
		}
	case 2:
		target = resolver.PathIdentifiers + id + "/history"
		switch c.IntN(3) {
		case 1:
			target += "?from=" + pick(c, goodVersions)
		case 2:
			target += "?limit=" + pick(c, goodVersions)
		}
	case 3:
		target = resolver.PathKeys + id + "%23" + pick(c, p.fragments[:5]) + "/status"
		if c.IntN(2) == 1 {
			target += "?at=" + pick(c, goodTimes)
		}
	default:
		target = pick(c, []string{resolver.PathHealth, resolver.PathMetrics})
	}
	method := http.MethodGet
	if c.IntN(8) == 7 {
		method = http.MethodHead
	}
	return pathRequest{method: method, target: target, accept: pick(c, goodAccepts)}
}

// genAny builds a request from every piece, good and bad.
func (p pathPieces) genAny(c chooser) pathRequest {
	var b strings.Builder
	b.WriteString(pick(c, pathPrefixes))
	id := pick(c, p.dids)
	switch c.IntN(6) {
	case 0, 1: // the DID as is
		b.WriteString(id)
	case 2: // a DID URL with an escaped fragment
		b.WriteString(id + "%23" + url.PathEscape(pick(c, p.fragments)))
	case 3: // a DID URL with an escaped query and maybe a fragment
		b.WriteString(url.PathEscape(id + "?" + pick(c, optionNames) + "=" + pick(c, optionValues)))
		if c.IntN(2) == 0 {
			b.WriteString("%23" + url.PathEscape(pick(c, p.fragments)))
		}
	case 4: // percent-escaped whole
		b.WriteString(url.PathEscape(id))
	default: // nothing
	}
	b.WriteString(pick(c, pathSuffixes))
	if n := c.IntN(7) - 3; n > 0 { // no query more often than not
		b.WriteByte('?')
		for i := range n {
			if i > 0 {
				b.WriteString(pick(c, []string{"&", "&", ";"}))
			}
			b.WriteString(pick(c, optionNames) + "=" + url.QueryEscape(pick(c, optionValues)))
		}
	}
	target := b.String()
	for range max(0, c.IntN(8)-5) { // mostly none
		at := c.IntN(len(target) + 1)
		target = target[:at] + pick(c, mutations) + target[at:]
	}
	return pathRequest{method: pick(c, pathMethods), target: target, accept: pick(c, acceptValues)}
}

// pathServer is a resolver over the scenario's real store.
func newPathServer(t testing.TB) (*resolver.Server, pathPieces) {
	t.Helper()
	s := newScenario(t)
	srv, err := resolver.New(resolver.DefaultConfig(), resolver.NewLocalSource(s.l.db, nil), nil)
	require.NoError(t, err)
	return srv, newPathPieces(s)
}

// checkAnswer fails on a 5xx, and on an answer that is not JSON where
// JSON is due.
func checkAnswer(t testing.TB, req pathRequest, path string, code int, body []byte) {
	t.Helper()
	if code >= 500 {
		t.Fatalf("%s %q (Accept %q): status %d: %s", req.method, req.target, req.accept, code, body)
	}
	if req.method != http.MethodHead && path != resolver.PathMetrics && len(body) > 0 && !json.Valid(body) {
		t.Fatalf("%s %q (Accept %q): status %d, the answer is not JSON: %q", req.method, req.target, req.accept, code, body)
	}
}

// serveDirect hands req to the handler as net/http would; it reports false
// when net/http would refuse the target itself before any handler runs.
func serveDirect(t testing.TB, srv *resolver.Server, req pathRequest) bool {
	u, err := url.ParseRequestURI(req.target)
	if err != nil || strings.ContainsAny(req.target, " \x00\x7f") {
		return false
	}
	r := (&http.Request{Method: req.method, URL: u, RequestURI: req.target, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Host: "127.0.0.1"}).WithContext(context.Background())
	if req.accept != "" {
		r.Header.Set("Accept", req.accept)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, r)
	checkAnswer(t, req, u.Path, rec.Code, rec.Body.Bytes())
	return true
}

// FuzzResolverPaths builds requests (method, path, query, Accept) from the
// fuzz input's choices and sends them to the resolver's handler over a
// real store holding a few DIDs: no request may panic or get a 5xx, and
// every answer but /metrics' and HEAD's is JSON.
func FuzzResolverPaths(f *testing.F) {
	srv, pieces := newPathServer(f)
	// Each byte is one choice (see genPathRequest); a short input ends in
	// the first choices.
	seeds := [][]byte{
		{},
		{0, 6, 12},                              // GET /1.0/keys/status: no key named
		{0, 6, 11, 0, 6},                        // GET /1.0/keys//status
		{1, 0, 0},                               // GET /1.0/identifiers/<alice>
		{1, 1, 0, 0, 1, 1},                      // bob at versionId 2
		{1, 2, 3, 0, 0, 0},                      // carol's key status: deactivated
		{2, 0, 2, 0, 0, 0, 3, 5, 4},             // alice's history, mutated
		{0, 0, 1, 3, 1, 2, 3, 5, 4, 7, 1, 4, 2}, // a DID URL query and a request query
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		serveDirect(t, srv, pieces.genPathRequest(&byteChooser{b: data}))
	})
}

// pathRequests is how many requests TestResolverPathsRandom sends.
const pathRequests = 10000

// TestResolverPathsRandom sends pathRequests requests built from a fixed
// seed to a resolver serving on 127.0.0.1, over raw keep-alive
// connections, so that net/http's own parsing is in the way as in
// production: no request may get a 5xx or panic the handler.
func TestResolverPathsRandom(t *testing.T) {
	s := newScenario(t)
	logs := &panicLog{}
	cfg := resolver.DefaultConfig()
	cfg.ListenAddr = fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	srv, err := resolver.New(cfg, resolver.NewLocalSource(s.l.db, nil), logs)
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	t.Cleanup(func() {
		require.NoError(t, srv.Shutdown(context.Background()))
		require.NoError(t, <-srv.Err())
	})
	pieces := newPathPieces(s)
	rng := rand.New(rand.NewPCG(21, 9))
	addr := cfg.ListenAddr
	var conn net.Conn
	var br *bufio.Reader
	codes := map[int]int{}
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	for i := range pathRequests {
		req := pieces.genPathRequest(rng)
		if conn == nil {
			var err error
			conn, err = net.DialTimeout("tcp", addr, 5*time.Second)
			require.NoError(t, err)
			br = bufio.NewReader(conn)
		}
		require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
		var raw strings.Builder
		fmt.Fprintf(&raw, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n", req.method, req.target)
		if req.accept != "" {
			fmt.Fprintf(&raw, "Accept: %s\r\n", req.accept)
		}
		raw.WriteString("\r\n")
		_, err := io.WriteString(conn, raw.String())
		require.NoError(t, err, "request %d", i)
		res, err := http.ReadResponse(br, &http.Request{Method: req.method})
		require.NoError(t, err, "request %d: %s %q", i, req.method, req.target)
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		require.NoError(t, err)
		codes[res.StatusCode]++
		p := req.target
		if u, err := url.ParseRequestURI(req.target); err == nil {
			p = u.Path
		}
		if res.StatusCode == http.StatusBadRequest && res.Header.Get("Content-Type") == "text/plain; charset=utf-8" {
			body = nil // net/http's own refusal of a malformed request line or header
		}
		checkAnswer(t, req, p, res.StatusCode, body)
		if res.Close {
			conn.Close()
			conn = nil
		}
	}
	require.Empty(t, logs.panics(), "the handler panicked")
	t.Logf("%d requests: status counts %v", pathRequests, codes)
	// The run reaches every endpoint's answers, not only net/http's 400s.
	for _, code := range []int{200, 400, 404, 405, 406, 410} {
		require.NotZero(t, codes[code], "no request got %d: the generator no longer reaches that answer", code)
	}
}

// panicLog records the resolver's log lines that report a panic.
type panicLog struct {
	mu  sync.Mutex
	got []string
}

func (l *panicLog) Debug(string, ...any) {}
func (l *panicLog) Info(string, ...any)  {}
func (l *panicLog) Error(msg string, kv ...any) {
	if strings.Contains(msg, "panic") {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.got = append(l.got, fmt.Sprint(append([]any{msg}, kv...)...))
	}
}
func (l *panicLog) With(...any) log.Logger { return l }

func (l *panicLog) panics() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.got...)
}
