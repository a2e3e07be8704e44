package resolver_test

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/testutil"
	"github.com/custos-ledger/custos/resolver"
)

func TestConfigValidate(t *testing.T) {
	require.NoError(t, resolver.DefaultConfig().Validate())
	tests := []struct {
		name   string
		change func(*resolver.Config)
		err    string
	}{
		{"empty address", func(c *resolver.Config) { c.ListenAddr = "" }, "empty listen address"},
		{"no port", func(c *resolver.Config) { c.ListenAddr = "127.0.0.1" }, "missing port"},
		{"zero timeout", func(c *resolver.Config) { c.WriteTimeout = 0 }, "write timeout must be positive"},
		{"negative timeout", func(c *resolver.Config) { c.SourceTimeout = -time.Second }, "source timeout must be positive"},
		{"tiny headers", func(c *resolver.Config) { c.MaxHeaderBytes = 100 }, "max header bytes"},
		{"tiny URLs", func(c *resolver.Config) { c.MaxURLBytes = 10 }, "max URL bytes must be at least"},
		{"URL over headers", func(c *resolver.Config) { c.MaxURLBytes = c.MaxHeaderBytes + 1 }, "must not exceed"},
		{"negative cache", func(c *resolver.Config) { c.CacheEntries = -1 }, "cache entries"},
		{"no history", func(c *resolver.Config) { c.MaxHistoryEvents = 0 }, "max history events"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := resolver.DefaultConfig()
			tc.change(&c)
			require.ErrorContains(t, c.Validate(), tc.err)
			_, err := resolver.New(c, resolver.NewLocalSource(nil, nil), nil)
			require.ErrorContains(t, err, tc.err, "New checks the config")
		})
	}
	_, err := resolver.New(resolver.DefaultConfig(), nil, nil)
	require.ErrorContains(t, err, "no state source")
}

func TestServerLifecycle(t *testing.T) {
	s := newScenario(t)
	ts := startServer(t, resolver.NewLocalSource(s.l.db, nil))
	require.ErrorContains(t, ts.srv.Listen(), "Listen called twice")

	// A second server on the same address fails to listen, and a server
	// that only listened shuts down cleanly, freeing its address.
	cfg := resolver.DefaultConfig()
	cfg.ListenAddr = ts.srv.Addr().String()
	other, err := resolver.New(cfg, resolver.NewLocalSource(s.l.db, nil), nil)
	require.NoError(t, err)
	require.ErrorContains(t, other.Listen(), "address already in use")
	require.Nil(t, other.Addr())
}

// TestShutdownCutsUnusedConnections: a connection opened and never used
// (net/http waits 5s before it counts as idle) does not make Shutdown
// fail; it is closed.
func TestShutdownCutsUnusedConnections(t *testing.T) {
	s := newScenario(t)
	cfg := resolver.DefaultConfig()
	cfg.ListenAddr = fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	cfg.ShutdownTimeout = 200 * time.Millisecond
	srv, err := resolver.New(cfg, resolver.NewLocalSource(s.l.db, nil), nil)
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	conn, err := net.Dial("tcp", cfg.ListenAddr)
	require.NoError(t, err)
	defer conn.Close()
	time.Sleep(50 * time.Millisecond) // let the server accept it
	require.NoError(t, srv.Shutdown(context.Background()))
	require.NoError(t, <-srv.Err())
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err = conn.Read(make([]byte, 1))
	require.Error(t, err, "the server closed the unused connection")
}
