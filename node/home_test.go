package node

import (
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestInitHomeListensOnLoopback checks that every address a new home's
// config.toml gives a listener is a loopback address (or off), so that
// turning a feature on (metrics, profiling) never exposes it on every
// interface without the operator choosing so.
func TestInitHomeListensOnLoopback(t *testing.T) {
	home := t.TempDir()
	_, err := InitHome(InitOptions{Home: home, Moniker: "m"})
	require.NoError(t, err)
	cfg, err := LoadConfig(home, Overrides{})
	require.NoError(t, err)

	tests := []struct {
		setting string
		addr    string
		want    string // "" means off
	}{
		{setting: "rpc.laddr", addr: cfg.RPC.ListenAddress, want: "tcp://127.0.0.1:26657"},
		{setting: "p2p.laddr", addr: cfg.P2P.ListenAddress, want: "tcp://127.0.0.1:26656"},
		{setting: "instrumentation.prometheus_listen_addr", addr: cfg.Instrumentation.PrometheusListenAddr,
			want: "127.0.0.1:26660"},
		{setting: "rpc.pprof_laddr", addr: cfg.RPC.PprofListenAddress},
		{setting: "rpc.grpc_laddr", addr: cfg.RPC.GRPCListenAddress},
	}
	for _, tc := range tests {
		t.Run(tc.setting, func(t *testing.T) {
			require.Equal(t, tc.want, tc.addr)
			if tc.want == "" {
				return
			}
			host, _, err := net.SplitHostPort(strings.TrimPrefix(tc.addr, "tcp://"))
			require.NoError(t, err)
			ip := net.ParseIP(host)
			require.NotNil(t, ip, "host %q is not an IP address", host)
			require.True(t, ip.IsLoopback(), "%s listens on %s, not a loopback address", tc.setting, tc.addr)
		})
	}
}
