package httpload_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/httpload"
)

// server answers 200 on /ok/..., 404 elsewhere, and counts requests.
func server(t *testing.T) (addr string, served *atomic.Int64) {
	served = new(atomic.Int64)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		if !strings.HasPrefix(r.URL.Path, "/ok/") {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("answer " + r.URL.Path))
	}))
	t.Cleanup(ts.Close)
	return ts.Listener.Addr().String(), served
}

func clients(t *testing.T, addr string, paths []string, n int) []httpload.Client {
	return clientsOf(t, httpload.Raw, addr, paths, n)
}

func clientsOf(t *testing.T, client func(string, []string, uint64) (httpload.Client, error), addr string, paths []string, n int) []httpload.Client {
	out := make([]httpload.Client, n)
	for i := range out {
		c, err := client(addr, paths, uint64(i))
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		out[i] = c
	}
	return out
}

func TestRun(t *testing.T) {
	addr, served := server(t)
	paths := []string{"/ok/a", "/ok/b", "/ok/c"}
	for _, tc := range []struct {
		name    string
		clients int
		n       int
		dur     time.Duration
	}{
		{"count, one client", 1, 50, 0},
		{"count, spread over clients", 4, 101, 0},
		{"duration", 3, 0, 200 * time.Millisecond},
		{"net/http", 2, 40, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := clients(t, addr, paths, tc.clients)
			if tc.name == "net/http" {
				cs = clientsOf(t, httpload.NetHTTP, "http://"+addr, paths, tc.clients)
			}
			before := served.Load()
			f, err := httpload.Run(cs, tc.n, tc.dur)
			require.NoError(t, err)
			if tc.n > 0 {
				require.Equal(t, tc.n, f.Requests)
			}
			require.Positive(t, f.Requests)
			require.Equal(t, int64(f.Requests), served.Load()-before, "every request measured reached the server once")
			require.Positive(t, f.P50)
			require.GreaterOrEqual(t, f.P99, f.P50)
			require.Positive(t, f.PerSecond())
		})
	}
}

func TestRunRefuses(t *testing.T) {
	addr, _ := server(t)
	_, err := httpload.Run(clients(t, addr, []string{"/ok/a", "/missing"}, 2), 100, 0)
	require.ErrorContains(t, err, "/missing: status 404")
	_, err = httpload.Run(nil, 10, 0)
	require.ErrorContains(t, err, "no clients")
	_, err = httpload.Run(clients(t, addr, []string{"/ok/a"}, 1), 0, 0)
	require.ErrorContains(t, err, "neither a request count nor a duration")
	_, err = httpload.Raw(addr, nil, 0)
	require.ErrorContains(t, err, "no paths")
	_, err = httpload.NetHTTP("http://"+addr, nil, 0)
	require.ErrorContains(t, err, "no paths")
	_, err = httpload.Run(clientsOf(t, httpload.NetHTTP, "http://"+addr, []string{"/missing"}, 1), 1, 0)
	require.ErrorContains(t, err, "/missing: status 404")
	require.Zero(t, httpload.Figures{}.PerSecond())
}
