package node

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/stretchr/testify/require"
)

func writeConfig(t *testing.T, home string, cfg *cmtcfg.Config) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(home, "config"), 0o700))
	cmtcfg.WriteConfigFile(ConfigFile(home), cfg)
}

func writeConfigText(t *testing.T, home, text string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(home, "config"), 0o700))
	require.NoError(t, os.WriteFile(ConfigFile(home), []byte(text), 0o600))
}

// TestLoadConfigRoundTrip writes configs with CometBFT's own template and
// checks that LoadConfig reads back exactly what was written.
func TestLoadConfigRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		edit func(*cmtcfg.Config)
	}{
		{name: "defaults", edit: func(*cmtcfg.Config) {}},
		{name: "every kind of setting", edit: func(c *cmtcfg.Config) {
			c.Moniker = "mönïker with spaces"
			c.DBPath = "db's dir"
			c.LogLevel = "consensus:debug,*:error"
			c.LogFormat = cmtcfg.LogFormatJSON
			c.FilterPeers = true
			c.RPC.ListenAddress = "tcp://127.0.0.1:20001"
			c.RPC.CORSAllowedOrigins = []string{"https://a.example", "*"}
			c.RPC.MaxBodyBytes = 1 << 40
			c.RPC.TimeoutBroadcastTxCommit = 1500 * time.Millisecond
			c.P2P.PersistentPeers = "id1@127.0.0.1:20002,id2@127.0.0.1:20003"
			c.P2P.SendRate = 1
			c.P2P.PexReactor = false
			c.Mempool.KeepInvalidTxsInCache = true
			c.StateSync.RPCServers = []string{"127.0.0.1:1", "127.0.0.1:2"}
			c.StateSync.ChunkFetchers = 7
			c.StateSync.MaxSnapshotChunks = 4_000_000_000
			c.StateSync.TrustHeight = 99
			c.Consensus.TimeoutCommit = 100 * time.Millisecond
			c.Consensus.CreateEmptyBlocks = false
			c.TxIndex.Indexer = "null"
			c.Instrumentation.Prometheus = true
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			want := cmtcfg.DefaultConfig()
			tc.edit(want)
			writeConfig(t, home, want)
			want.SetRoot(home)

			got, err := LoadConfig(home, Overrides{})
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
	}
}

func TestLoadConfigOverrides(t *testing.T) {
	home := t.TempDir()
	writeConfig(t, home, cmtcfg.DefaultConfig())
	got, err := LoadConfig(home, Overrides{
		RPCListenAddr:   "tcp://127.0.0.1:20010",
		P2PListenAddr:   "tcp://127.0.0.1:20011",
		PersistentPeers: "abc@127.0.0.1:20012",
		TimeoutCommit:   250 * time.Millisecond,
		LogLevel:        "debug",
	})
	require.NoError(t, err)
	require.Equal(t, "tcp://127.0.0.1:20010", got.RPC.ListenAddress)
	require.Equal(t, "tcp://127.0.0.1:20011", got.P2P.ListenAddress)
	require.Equal(t, "abc@127.0.0.1:20012", got.P2P.PersistentPeers)
	require.Equal(t, 250*time.Millisecond, got.Consensus.TimeoutCommit)
	require.Equal(t, "debug", got.LogLevel)
	require.Equal(t, home, got.RootDir)
	require.Equal(t, home, got.Consensus.RootDir)
}

func TestLoadConfigWeakTyping(t *testing.T) {
	home := t.TempDir()
	writeConfigText(t, home, `
filter_peers = "true"
[statesync]
chunk_fetchers = "9"
rpc_servers = "a:1, b:2,"
trust_period = 5000
[rpc]
cors_allowed_methods = ["GET"]
[blocksync]
`)
	got, err := LoadConfig(home, Overrides{})
	require.NoError(t, err)
	require.True(t, got.FilterPeers)
	require.Equal(t, int32(9), got.StateSync.ChunkFetchers)
	require.Equal(t, []string{"a:1", "b:2"}, got.StateSync.RPCServers)
	require.Equal(t, 5000*time.Nanosecond, got.StateSync.TrustPeriod)
	require.Equal(t, []string{"GET"}, got.RPC.CORSAllowedMethods)
}

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		err  string
	}{
		{name: "unknown top-level", text: "monikr = \"x\"", err: `line 1: unknown setting "monikr"`},
		{name: "typo in a table", text: "[rpc]\nladdrr = \"x\"", err: `line 2: unknown setting "rpc.laddrr"`},
		{name: "unknown table", text: "[rpcc]\nladdr = \"x\"", err: `line 2: unknown setting "rpcc.laddr"`},
		{name: "unknown empty table", text: "[rpcc]", err: `line 1: unknown setting "rpcc"`},
		{name: "every unknown named", text: "a = 1\n[rpc]\nb = 2", err: "line 1: unknown setting \"a\"\nline 3: unknown setting \"rpc.b\""},
		{name: "quoted key with a dot", text: "\"rpc.laddr\" = \"x\"", err: `unknown setting "rpc.laddr"`},
		{name: "table nested too deep", text: "[rpc.laddr]\nx = 1", err: `line 2: unknown setting "rpc.laddr.x"`},
		{name: "table for a setting", text: "moniker = {}", err: "moniker: want a string, got a table"},
		{name: "home is not a setting", text: "home = \"/x\"", err: `unknown setting "home"`},
		{name: "nested struct", text: "[p2p]\ntest_fuzz_config = 1", err: `unknown setting "p2p.test_fuzz_config"`},
		{name: "string for bool", text: "filter_peers = \"maybe\"", err: `line 1: filter_peers: want true or false, got the string "maybe"`},
		{name: "int for string", text: "moniker = 3", err: "moniker: want a string, got the integer 3"},
		{name: "float for int", text: "[rpc]\nmax_body_bytes = 1.5", err: "line 2: rpc.max_body_bytes: want an integer that fits int64, got the float 1.5"},
		{name: "date for string", text: "moniker = 1979-05-27", err: "moniker: want a string, got the date or time 1979-05-27"},
		{name: "array for string", text: "moniker = []", err: "moniker: want a string, got an array"},
		{name: "bad duration", text: "[consensus]\ntimeout_commit = \"1 sec\"", err: "want a duration"},
		{name: "bool for duration", text: "[consensus]\ntimeout_commit = true", err: "want a duration"},
		{name: "int overflow", text: "[statesync]\nchunk_fetchers = 3000000000", err: "want an integer that fits int32"},
		{name: "negative uint", text: "[statesync]\nmax_snapshot_chunks = -1", err: "want an integer that fits uint32"},
		{name: "list of ints", text: "[rpc]\ncors_allowed_origins = [1]", err: "want a list of strings, found the integer 1"},
		{name: "syntax", text: "[rpc\n", err: "line 1, column"},
		{name: "key set twice", text: "[rpc]\nladdr = \"a\"\nladdr = \"b\"", err: "key laddr is already defined"},
		{name: "fails validation", text: "[rpc]\nmax_open_connections = -1", err: "invalid node config"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			writeConfigText(t, home, tc.text)
			_, err := LoadConfig(home, Overrides{})
			require.ErrorContains(t, err, tc.err)
		})
	}
}

func TestLoadConfigMissing(t *testing.T) {
	_, err := LoadConfig(t.TempDir(), Overrides{})
	require.ErrorContains(t, err, "run `custos init --home")
}
