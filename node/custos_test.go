package node

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// custos init writes a [custos] section that loads back strictly and sets
// the mempool's and the RPC's limits together; a bad value or an unknown
// key in it is an error naming it.
func TestCustosSection(t *testing.T) {
	home := t.TempDir()
	_, err := InitHome(InitOptions{Home: home, Moniker: "m"})
	require.NoError(t, err)
	cfg, err := LoadConfig(home, Overrides{})
	require.NoError(t, err)
	require.Equal(t, 16*1024, cfg.Mempool.MaxTxBytes)
	require.Equal(t, RPCBodyBytes(16*1024), cfg.RPC.MaxBodyBytes)

	data, err := os.ReadFile(ConfigFile(home))
	require.NoError(t, err)
	for _, tc := range []struct{ name, edit, want string }{
		{"larger txs", "max_tx_bytes = 65536", ""},
		{"off", "max_tx_bytes = 0", ""},
		{"too small", "max_tx_bytes = 10", "custos.max_tx_bytes must be"},
		{"unknown key", "max_tx_bytes = 16384\nbroadcast_rate = 3", `unknown setting "custos.broadcast_rate"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The last max_tx_bytes is the [custos] one (mempool's comes first).
			i := strings.LastIndex(string(data), "max_tx_bytes = 16384\n")
			require.Greater(t, i, strings.Index(string(data), "[custos]"))
			edited := string(data[:i]) + tc.edit + "\n" + string(data[i+len("max_tx_bytes = 16384\n"):])
			require.NoError(t, os.WriteFile(ConfigFile(home), []byte(edited), 0o600))
			cfg, err := LoadConfig(home, Overrides{})
			if tc.want != "" {
				require.ErrorContains(t, err, tc.want)
				return
			}
			require.NoError(t, err)
			if tc.name == "larger txs" {
				require.Equal(t, 65536, cfg.Mempool.MaxTxBytes)
				require.Equal(t, RPCBodyBytes(65536), cfg.RPC.MaxBodyBytes)
			}
		})
	}
}
