package testnet_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/internal/testutil"
	"github.com/custos-ledger/custos/node"
	"github.com/custos-ledger/custos/node/nodetest"
	"github.com/custos-ledger/custos/testnet"
)

func TestInit(t *testing.T) {
	tests := []struct {
		name             string
		validators, full int
	}{
		{"one validator", 1, 0},
		{"four validators", 4, 0},
		{"three validators and two full nodes", 3, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := testnet.DefaultOptions(filepath.Join(t.TempDir(), "net"))
			opts.Validators, opts.FullNodes = tc.validators, tc.full
			opts.BasePort = 27000
			opts.ChainID = "custos-test-7"
			opts.RecoveryMinDelay, opts.RecoveryExpiry = 2*time.Second, 30*time.Second
			net, err := testnet.Init(opts)
			require.NoError(t, err)
			require.Len(t, net.Nodes, tc.validators+tc.full)
			require.Len(t, net.Validators(), tc.validators)
			require.Len(t, net.FullNodes(), tc.full)

			checkGenesis(t, net, opts)
			checkConfigs(t, net, opts)
			checkPorts(t, net)

			loaded, err := testnet.Load(opts.Dir)
			require.NoError(t, err)
			require.Equal(t, net, loaded)
			ports, err := os.ReadFile(filepath.Join(opts.Dir, testnet.PortsFile))
			require.NoError(t, err)
			lines := strings.Split(strings.TrimSpace(string(ports)), "\n")
			require.Len(t, lines, 1+len(net.Nodes))
			for i, n := range net.Nodes {
				f := strings.Fields(lines[1+i])
				require.Equal(t, []string{n.Name, string(n.Role), strings.TrimPrefix(n.P2P, "tcp://"),
					strings.TrimPrefix(n.RPC, "tcp://"), n.Resolver, n.Prometheus, n.NodeID}, f)
			}
		})
	}
}

// checkGenesis: one genesis in every home, valid, with exactly the
// validator homes' keys at equal power and the Custos app_state.
func checkGenesis(t *testing.T, net testnet.Testnet, opts testnet.Options) {
	t.Helper()
	first, err := os.ReadFile(filepath.Join(net.Nodes[0].Home, "config", "genesis.json"))
	require.NoError(t, err)
	for _, n := range net.Nodes[1:] {
		b, err := os.ReadFile(filepath.Join(n.Home, "config", "genesis.json"))
		require.NoError(t, err)
		require.True(t, bytes.Equal(first, b), "%s has another genesis", n.Name)
	}
	gen, err := types.GenesisDocFromJSON(first)
	require.NoError(t, err)
	require.NoError(t, gen.ValidateAndComplete())
	require.Equal(t, opts.ChainID, gen.ChainID)
	require.Len(t, gen.Validators, opts.Validators)
	addrs := map[string]bool{}
	for i, v := range gen.Validators {
		n := net.Nodes[i]
		require.Equal(t, testnet.RoleValidator, n.Role)
		require.Equal(t, n.ValidatorAddress, v.Address.String())
		require.Equal(t, gen.Validators[0].Power, v.Power)
		require.Equal(t, n.Name, v.Name)
		key := readPrivValidatorAddress(t, n.Home)
		require.Equal(t, key, v.Address.String(), "%s: genesis holds another key than its own", n.Name)
		addrs[v.Address.String()] = true
	}
	require.Len(t, addrs, opts.Validators, "validators are not distinct")
	for _, n := range net.FullNodes() {
		require.Empty(t, n.ValidatorAddress)
		require.False(t, addrs[readPrivValidatorAddress(t, n.Home)], "full node %s is a validator", n.Name)
	}
	state, err := app.ParseGenesisState(gen.AppState)
	require.NoError(t, err)
	params, err := state.ToParams()
	require.NoError(t, err)
	require.EqualValues(t, opts.RecoveryMinDelay/time.Second, params.RecoveryMinDelay)
	require.EqualValues(t, opts.RecoveryExpiry/time.Second, params.RecoveryExpiry)
}

func readPrivValidatorAddress(t *testing.T, home string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(home, "config", "priv_validator_key.json"))
	require.NoError(t, err)
	var k struct {
		Address string `json:"address"`
	}
	require.NoError(t, json.Unmarshal(b, &k))
	return k.Address
}

// checkConfigs: each config.toml loads, with its ports, its peers and the
// loopback settings.
func checkConfigs(t *testing.T, net testnet.Testnet, opts testnet.Options) {
	t.Helper()
	ids := map[string]bool{}
	for i, n := range net.Nodes {
		key, err := p2p.LoadNodeKey(filepath.Join(n.Home, "config", "node_key.json"))
		require.NoError(t, err)
		require.Equal(t, n.NodeID, string(key.ID()))
		ids[n.NodeID] = true

		cfg, err := node.LoadConfig(n.Home, node.Overrides{})
		require.NoError(t, err)
		require.Equal(t, n.Name, cfg.Moniker)
		require.Equal(t, n.P2P, cfg.P2P.ListenAddress)
		require.Equal(t, n.RPC, cfg.RPC.ListenAddress)
		require.Equal(t, n.Prometheus, cfg.Instrumentation.PrometheusListenAddr)
		require.True(t, cfg.Instrumentation.Prometheus)
		require.True(t, cfg.P2P.AllowDuplicateIP)
		require.False(t, cfg.P2P.AddrBookStrict)
		require.Equal(t, opts.TimeoutCommit, cfg.Consensus.TimeoutCommit)

		var want []string
		for j, m := range net.Nodes {
			if j != i && (n.Role == testnet.RoleFullNode || m.Role == testnet.RoleValidator) {
				want = append(want, m.NodeID+"@"+strings.TrimPrefix(m.P2P, "tcp://"))
			}
		}
		var got []string
		if cfg.P2P.PersistentPeers != "" {
			got = strings.Split(cfg.P2P.PersistentPeers, ",")
		}
		require.ElementsMatch(t, want, got, "%s: persistent peers", n.Name)
		require.Equal(t, []string{"start", "--home", n.Home, "--resolver.laddr", n.Resolver}, n.StartArgs())
	}
	require.Len(t, ids, len(net.Nodes), "node ids are not distinct")
}

// checkPorts: every address is on 127.0.0.1, distinct, below 32768 and
// in the node's block.
func checkPorts(t *testing.T, tn testnet.Testnet) {
	t.Helper()
	seen := map[string]string{}
	for i, n := range tn.Nodes {
		for off, addr := range []string{n.P2P, n.RPC, n.Resolver, n.Prometheus} {
			hp := strings.TrimPrefix(addr, "tcp://")
			host, port, err := net.SplitHostPort(hp)
			require.NoError(t, err)
			require.Equal(t, testnet.Host, host)
			p, err := strconv.Atoi(port)
			require.NoError(t, err)
			require.Less(t, p, 32768)
			require.Equal(t, 27000+testnet.PortStride*i+off, p)
			require.Empty(t, seen[hp], "%s used by %s and %s", hp, seen[hp], n.Name)
			seen[hp] = n.Name
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*testnet.Options)
		want string // "" means valid
	}{
		{"defaults", func(*testnet.Options) {}, ""},
		{"last port 32767", func(o *testnet.Options) { o.Validators, o.BasePort = 4, 32767-39 }, ""},
		{"past 32767", func(o *testnet.Options) { o.Validators, o.BasePort = 4, 32767-38 }, "past 32767"},
		{"full nodes count", func(o *testnet.Options) { o.FullNodes, o.BasePort = 1, 32767-39 }, "past 32767"},
		{"no validator", func(o *testnet.Options) { o.Validators = 0 }, "at least 1"},
		{"negative full nodes", func(o *testnet.Options) { o.FullNodes = -1 }, "0 or more"},
		{"too many", func(o *testnet.Options) { o.Validators, o.BasePort = 101, 2000 }, "at most 100"},
		{"privileged port", func(o *testnet.Options) { o.BasePort = 80 }, "1024 or more"},
		{"empty dir", func(o *testnet.Options) { o.Dir = "" }, "output folder"},
		{"empty chain id", func(o *testnet.Options) { o.ChainID = "" }, "chain id"},
		{"zero timeout", func(o *testnet.Options) { o.TimeoutCommit = 0 }, "timeout_commit"},
		{"negative delay", func(o *testnet.Options) { o.RecoveryMinDelay = -time.Second }, "negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := testnet.DefaultOptions("x")
			tc.edit(&o)
			err := o.Validate()
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestInitRefusesNonEmptyDir(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644))
	opts := testnet.DefaultOptions(dir)
	_, err := testnet.Init(opts)
	require.ErrorContains(t, err, "--overwrite")

	// --overwrite replaces only a testnet.
	opts.Overwrite = true
	_, err = testnet.Init(opts)
	require.ErrorContains(t, err, "holds none")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "a refused init left files behind")
}

func TestInitOverwrite(t *testing.T) {
	dir := t.TempDir()
	opts := testnet.DefaultOptions(dir)
	// --overwrite refuses a testnet whose ports are in use: take free ones.
	opts.Validators, opts.BasePort = 2, testutil.FreeRange(t, 20)
	first, err := testnet.Init(opts)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644))

	_, err = testnet.Init(opts)
	require.ErrorContains(t, err, "not empty")

	// A node that seems to run (its RPC port is taken) blocks --overwrite.
	opts.Overwrite = true
	l, err := net.Listen("tcp", strings.TrimPrefix(first.Nodes[1].RPC, "tcp://"))
	require.NoError(t, err)
	_, err = testnet.Init(opts)
	require.ErrorContains(t, err, "node1")
	require.ErrorContains(t, err, "seems to run")
	require.NoError(t, l.Close())

	opts.Validators = 3
	second, err := testnet.Init(opts)
	require.NoError(t, err)
	require.Len(t, second.Nodes, 3)
	require.NotEqual(t, first.Nodes[0].NodeID, second.Nodes[0].NodeID, "keys were reused")
	b, err := os.ReadFile(filepath.Join(dir, "notes.txt"))
	require.NoError(t, err)
	require.Equal(t, "mine", string(b), "--overwrite removed a file it did not write")
}

func TestStatusOfStoppedNetwork(t *testing.T) {
	opts := testnet.DefaultOptions(t.TempDir())
	opts.Validators, opts.FullNodes, opts.BasePort = 2, 1, testutil.FreeRange(t, 30)
	net, err := testnet.Init(opts)
	require.NoError(t, err)
	statuses := testnet.Status(context.Background(), net, 2*time.Second)
	require.Len(t, statuses, 3)
	for i, s := range statuses {
		require.Equal(t, net.Nodes[i].Name, s.Name)
		require.False(t, s.Up)
		require.NotEmpty(t, s.Error)
		require.False(t, s.ResolverUp)
	}
	var buf bytes.Buffer
	require.NoError(t, testnet.WriteStatus(&buf, statuses))
	require.Contains(t, buf.String(), "node2  full")
	require.Contains(t, buf.String(), "down")
}

// A node of another chain answering on a testnet node's RPC port (another
// process took the port) is not that node.
func TestStatusRefusesAForeignNode(t *testing.T) {
	foreign := nodetest.Start(t, nodetest.Home(t))
	opts := testnet.DefaultOptions(t.TempDir())
	opts.Validators, opts.BasePort = 1, testutil.FreeRange(t, 10)
	net, err := testnet.Init(opts)
	require.NoError(t, err)
	net.Nodes[0].RPC = foreign.Config().RPC.ListenAddress
	s := testnet.Status(context.Background(), net, 5*time.Second)[0]
	require.False(t, s.Up)
	require.Contains(t, s.Error, "not node0")
}
