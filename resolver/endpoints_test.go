package resolver_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/resolver"
	"github.com/custos-ledger/custos/store"
	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/types"
)

func TestHistory(t *testing.T) {
	s := newScenario(t)
	ts := startServer(t, resolver.NewLocalSource(s.l.db, nil), func(c *resolver.Config) { c.MaxHistoryEvents = 2 })
	bob := s.bob.String()
	hist := func(p string, header ...string) response {
		p, q, _ := strings.Cut(p, "?")
		if q != "" {
			q = "?" + q
		}
		return ts.get(resolver.PathIdentifiers+p+"/history"+q, header...)
	}

	m := hist(bob).json(t)
	require.Equal(t, bob, m["id"])
	require.Equal(t, "3", m["versionId"])
	require.EqualValues(t, s.l.height, m["height"])
	events := m["events"].([]any)
	require.Len(t, events, 2, "a page holds MaxHistoryEvents events")
	require.EqualValues(t, 3, m["next"])
	first := events[0].(map[string]any)
	require.Equal(t, "create", first["operation"])
	require.Equal(t, "1", first["versionId"])
	require.EqualValues(t, 3, first["height"])
	require.Equal(t, didjson.FormatTime(tBobCreate), first["time"])
	require.Len(t, first["txHash"], 64)
	require.ElementsMatch(t, []any{bob + "#sign", bob + "#ctl", bob + "#enc"}, first["keysAdded"])
	second := events[1].(map[string]any)
	require.Equal(t, "rotateKey", second["operation"])
	require.Equal(t, []any{bob + "#sign"}, second["keysRotated"])

	m = hist(bob + "?from=3").json(t)
	events = m["events"].([]any)
	require.Len(t, events, 1)
	last := events[0].(map[string]any)
	require.Equal(t, "revokeKey", last["operation"])
	require.Equal(t, "compromised", last["reason"])
	require.Equal(t, didjson.FormatTime(tCompromise), last["compromisedSince"])
	require.NotContains(t, m, "next")

	m = hist(s.carol.String()).json(t)
	require.Equal(t, true, m["deactivated"])
	require.Equal(t, "deactivate", m["events"].([]any)[1].(map[string]any)["operation"])

	m = hist(bob + "?from=9").json(t)
	require.Empty(t, m["events"])

	for _, tc := range []struct {
		name, path string
		header     []string
		status     int
		keyword    string
	}{
		{"invalid DID", "did:custos:0OIl", nil, 400, "invalidDid"},
		{"DID URL", url.PathEscape(bob + "#sign"), nil, 400, "invalidDid"},
		{"not canonical", "did:custos:11111111111111111111111", nil, 400, "invalidDid"},
		{"unknown option", bob + "?versionId=1", nil, 400, "invalidOptions"},
		{"bad limit", bob + "?limit=-1", nil, 400, "invalidOptions"},
		{"bad from", bob + "?from=0", nil, 400, "invalidOptions"},
		{"not acceptable", bob, []string{"Accept", "text/html"}, 406, "representationNotSupported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := hist(tc.path, tc.header...)
			require.Equal(t, tc.status, res.status, "body: %s", res.body)
			require.Equal(t, tc.keyword, res.json(t)["error"])
		})
	}
	t.Run("unregistered DID", func(t *testing.T) {
		unknown, _, _ := simpleDID(t, "nobody")
		res := hist(unknown.String())
		require.Equal(t, 404, res.status)
		require.Equal(t, "notFound", res.json(t)["error"])
	})
}

func TestKeyStatus(t *testing.T) {
	s := newScenario(t)
	blockTime := func(h int64) (time.Time, bool) { return time.Unix(tCarolEnd+100, 0), true }
	ts := startServer(t, resolver.NewLocalSource(s.l.db, blockTime))
	status := func(didURL, at string) response {
		p := resolver.PathKeys + url.PathEscape(didURL) + "/status"
		if at != "" {
			p += "?at=" + url.QueryEscape(at)
		}
		return ts.get(p)
	}
	bobSign := s.bob.String() + "#sign"
	tests := []struct {
		name, url, at string
		status        string
		key           string // the material reported, "" when none
		from, until   int64
	}{
		{name: "before the DID", url: bobSign, at: didjson.FormatTime(tBobCreate - 1), status: "unknown"},
		{name: "first material", url: bobSign, at: didjson.FormatTime(tBobCreate), status: "valid", key: pub(s.bobKeys["sign"]).Multibase(), from: tBobCreate, until: tBobRotate},
		{name: "rotated out", url: bobSign, at: didjson.FormatTime(tBobRotate), status: "valid", key: pub(s.bobSign2).Multibase(), from: tBobRotate, until: tBobRevoke},
		{name: "compromised before its revocation", url: bobSign, at: didjson.FormatTime(tCompromise), status: "compromised", key: pub(s.bobSign2).Multibase(), from: tBobRotate, until: tBobRevoke},
		{name: "offsets and fractions", url: bobSign, at: time.Unix(tCompromise-1, 500_000_000).In(time.FixedZone("x", 3600)).Format(time.RFC3339Nano), status: "valid", key: pub(s.bobSign2).Multibase(), from: tBobRotate, until: tBobRevoke},
		{name: "compromised, latest", url: bobSign, status: "compromised", key: pub(s.bobSign2).Multibase(), from: tBobRotate, until: tBobRevoke},
		{name: "valid key", url: s.bob.String() + "#ctl", status: "valid", key: pub(s.bobKeys["ctl"]).Multibase(), from: tBobCreate},
		{name: "never a key", url: s.bob.String() + "#nope", status: "unknown"},
		{name: "deactivated", url: s.carol.String() + "#key-1", status: "retired", key: pub(s.carolKey).Multibase(), from: tBobCreate, until: tCarolEnd},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := status(tc.url, tc.at)
			require.Equal(t, http.StatusOK, res.status, "body: %s", res.body)
			m := res.json(t)
			require.Equal(t, tc.url, m["id"])
			require.Equal(t, tc.status, m["status"])
			require.EqualValues(t, s.l.height, m["height"])
			if tc.at == "" {
				require.Equal(t, true, m["atLatestState"])
				require.Equal(t, didjson.FormatTime(tCarolEnd+100), m["at"], "the latest block's time")
			} else {
				require.NotContains(t, m, "atLatestState")
			}
			if tc.key == "" {
				require.NotContains(t, m, "publicKeyMultibase")
				return
			}
			require.Equal(t, tc.key, m["publicKeyMultibase"])
			require.Equal(t, didjson.FormatTime(tc.from), m["validFrom"])
			if tc.until != 0 {
				require.Equal(t, didjson.FormatTime(tc.until), m["validUntil"])
			} else {
				require.NotContains(t, m, "validUntil")
			}
		})
	}
	for _, tc := range []struct {
		name, path string
		status     int
		keyword    string
	}{
		{"no fragment", resolver.PathKeys + s.bob.String() + "/status", 400, "invalidDidUrl"},
		{"raw # never reaches the server", resolver.PathKeys + s.bob.String() + "#sign/status", 404, "notFound"},
		{"bad fragment", resolver.PathKeys + s.bob.String() + "%23a%2Cb/status", 400, "invalidDidUrl"},
		{"bad DID", resolver.PathKeys + "did:custos:0%23k/status", 400, "invalidDidUrl"},
		{"bad at", resolver.PathKeys + url.PathEscape(bobSign) + "/status?at=yesterday", 400, "invalidOptions"},
		{"unknown option", resolver.PathKeys + url.PathEscape(bobSign) + "/status?when=now", 400, "invalidOptions"},
		{"no status suffix", resolver.PathKeys + url.PathEscape(bobSign), 404, "notFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := ts.get(tc.path)
			require.Equal(t, tc.status, res.status, "body: %s", res.body)
			require.Equal(t, tc.keyword, res.json(t)["error"])
		})
	}
}

func TestHealth(t *testing.T) {
	s := newScenario(t)
	ts := startServer(t, resolver.NewLocalSource(s.l.db, nil))
	res := ts.get(resolver.PathHealth)
	require.Equal(t, http.StatusOK, res.status)
	m := res.json(t)
	require.Equal(t, "ok", m["status"])
	require.Equal(t, testChain, m["chainId"])
	require.EqualValues(t, s.l.height, m["height"])
	require.Equal(t, "local", m["source"])

	empty, err := store.Open("", store.Options{InMemory: true, OutOfTree: types.IsLogKey})
	require.NoError(t, err)
	t.Cleanup(func() { empty.Close() })
	ts = startServer(t, resolver.NewLocalSource(empty, nil))
	res = ts.get(resolver.PathHealth)
	require.Equal(t, http.StatusServiceUnavailable, res.status)
	require.Equal(t, "unavailable", res.json(t)["status"])
	res = ts.get(resolver.PathIdentifiers + s.alice.String())
	require.Equal(t, http.StatusInternalServerError, res.status, "no state at all is a node fault")
}

func TestMetrics(t *testing.T) {
	s := newScenario(t)
	ts := startServer(t, resolver.NewLocalSource(s.l.db, nil))
	for range 3 {
		require.Equal(t, 200, ts.get(resolver.PathIdentifiers+s.alice.String()).status)
	}
	require.Equal(t, 404, ts.get("/nope").status)
	res := ts.get(resolver.PathMetrics)
	require.Equal(t, http.StatusOK, res.status)
	body := string(res.body)
	for _, want := range []string{
		`custos_resolver_requests_total{code="200",route="resolve"} 3`,
		`custos_resolver_requests_total{code="404",route="other"} 1`,
		`custos_resolver_request_duration_seconds_count{route="resolve"} 3`,
		"custos_resolver_cache_hits_total 2",
		"custos_resolver_cache_misses_total 1",
		"custos_resolver_cache_entries 1",
	} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, "go_goroutines", "a private registry, not the global one")
}

// TestHardening covers methods, sizes and malformed requests the Go HTTP
// client would not send.
func TestHardening(t *testing.T) {
	s := newScenario(t)
	ts := startServer(t, resolver.NewLocalSource(s.l.db, nil), func(c *resolver.Config) {
		c.MaxURLBytes = 512
		c.MaxHeaderBytes = 4096
	})
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
		res := ts.do(method, resolver.PathIdentifiers+s.alice.String())
		require.Equal(t, http.StatusMethodNotAllowed, res.status, method)
		require.Equal(t, "GET, HEAD", res.header.Get("Allow"))
	}
	res := ts.get(resolver.PathIdentifiers + s.alice.String() + "?x=" + strings.Repeat("a", 600))
	require.Equal(t, http.StatusRequestURITooLong, res.status)
	res = ts.get(resolver.PathHealth, "X-Big", strings.Repeat("b", 16000))
	require.Equal(t, http.StatusRequestHeaderFieldsTooLarge, res.status)

	raw := func(requestLine string) string {
		conn, err := net.Dial("tcp", ts.srv.Addr().String())
		require.NoError(t, err)
		defer conn.Close()
		require.NoError(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
		_, err = fmt.Fprintf(conn, "%s\r\nHost: x\r\nConnection: close\r\n\r\n", requestLine)
		require.NoError(t, err)
		line, err := bufio.NewReader(conn).ReadString('\n')
		require.NoError(t, err)
		return line
	}
	require.Contains(t, raw("GET /1.0/identifiers/did%zzcustos HTTP/1.1"), " 400 ")
	require.Contains(t, raw("GET /1.0/identifiers/did:custos:%ff%fe HTTP/1.1"), " 400 ")
	require.Contains(t, raw("GET /1.0/identifiers/"+s.alice.String()+" HTTP/1.1"), " 200 ")
	require.Contains(t, raw("GET /healthz?x=1 HTTP/1.1"), " 400 ")
}

// /healthz shows the chain's write policy.
func TestHealthShowsWritePolicy(t *testing.T) {
	db, err := store.Open("", store.Options{InMemory: true, OutOfTree: types.IsLogKey})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	p := types.DefaultParams()
	p.StampDifficulty = 24
	p.RateLimits = types.DefaultRateLimits()
	raw, err := p.Marshal()
	require.NoError(t, err)
	require.NoError(t, db.PendingSet(types.ChainIDKey(), []byte(testChain)))
	require.NoError(t, db.PendingSet(types.ParamsKey(), raw))
	_, err = db.Commit(1)
	require.NoError(t, err)
	ts := startServer(t, resolver.NewLocalSource(db, nil))
	m := ts.get("/healthz").json(t)
	wp := m["writePolicy"].(map[string]any)
	require.Equal(t, "open", wp["policy"])
	require.EqualValues(t, 24, wp["stampDifficulty"])
	require.Len(t, wp["rateLimits"], 3)
	require.Equal(t, map[string]any{"periodSeconds": float64(3600), "maxOps": float64(10)}, wp["rateLimits"].([]any)[0])
}

// The network endpoints serve JSON only, and all of them say so the same
// way: 406 for an Accept that rules JSON out, 200 for one that admits it.
func TestNetworkEndpointsServeJSONOnly(t *testing.T) {
	db, err := store.Open("", store.Options{InMemory: true, OutOfTree: types.IsLogKey})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	params := types.DefaultParams()
	raw, err := params.Marshal()
	require.NoError(t, err)
	require.NoError(t, db.PendingSet(types.ChainIDKey(), []byte(testChain)))
	require.NoError(t, db.PendingSet(types.ParamsKey(), raw))
	_, err = db.Commit(1)
	require.NoError(t, err)
	ts := startServer(t, resolver.NewLocalSource(db, nil))
	for _, p := range []string{"/1.0/network/validators", "/1.0/network/upgrade"} {
		require.Equal(t, http.StatusNotAcceptable, ts.get(p, "Accept", "text/html").status, p)
		require.Equal(t, http.StatusOK, ts.get(p, "Accept", "application/json").status, p)
	}
}
