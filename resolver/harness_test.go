package resolver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/testutil"
	"github.com/custos-ledger/custos/resolver"
)

// testServer is a resolver serving on a free 127.0.0.1 port, shut down
// when the test ends.
type testServer struct {
	t      testing.TB
	srv    *resolver.Server
	base   string
	client *http.Client
}

func startServer(t testing.TB, src resolver.Source, configure ...func(*resolver.Config)) *testServer {
	t.Helper()
	cfg := resolver.DefaultConfig()
	cfg.ListenAddr = fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	cfg.ShutdownTimeout = time.Second
	for _, f := range configure {
		f(&cfg)
	}
	srv, err := resolver.New(cfg, src, nil)
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	t.Cleanup(func() {
		require.NoError(t, srv.Shutdown(context.Background()))
		require.NoError(t, <-srv.Err())
	})
	return &testServer{t: t, srv: srv, base: "http://" + cfg.ListenAddr, client: &http.Client{Timeout: 10 * time.Second}}
}

// response is an answer read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body as a JSON object.
func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body: %s", r.body)
	return m
}

// do sends a request for path (already escaped as it should go on the
// wire) with the given method and headers (name, value pairs).
func (ts *testServer) do(method, path string, header ...string) response {
	ts.t.Helper()
	req, err := http.NewRequest(method, ts.base+path, nil)
	require.NoError(ts.t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	res, err := ts.client.Do(req)
	require.NoError(ts.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(ts.t, err)
	return response{status: res.StatusCode, header: res.Header, body: body}
}

func (ts *testServer) get(path string, header ...string) response {
	ts.t.Helper()
	return ts.do(http.MethodGet, path, header...)
}

// path returns the value at a dotted path of nested JSON objects, nil when
// absent.
func path(m map[string]any, p ...string) any {
	var cur any = m
	for _, k := range p {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = obj[k]
	}
	return cur
}
