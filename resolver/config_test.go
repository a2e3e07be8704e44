package resolver_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

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
