package commands_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/internal/testutil"
	"github.com/custos-ledger/custos/testnet"
)

func TestTestnetInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	// init refuses ports in use: take a free range (4 nodes, 10 ports each).
	base := testutil.FreeRange(t, 40)
	out, err := run(t, "testnet", "init", "--validators", "3", "--full-nodes", "1", "--output-dir", dir,
		"--base-port", strconv.Itoa(base), "--chain-id", "custos-cli-test", "--timeout-commit", "200ms", "--output", "json")
	require.NoError(t, err)
	var net testnet.Testnet
	require.NoError(t, json.Unmarshal([]byte(out), &net))
	require.Equal(t, "custos-cli-test", net.ChainID)
	require.Len(t, net.Validators(), 3)
	require.Len(t, net.FullNodes(), 1)
	require.Equal(t, "127.0.0.1:"+strconv.Itoa(base+30+2), net.Nodes[3].Resolver)
	loaded, err := testnet.Load(dir)
	require.NoError(t, err)
	require.Equal(t, net, loaded)

	_, err = run(t, "testnet", "init", "--output-dir", dir)
	require.ErrorContains(t, err, "--overwrite")

	out, err = run(t, "testnet", "init", "--validators", "2", "--output-dir", dir, "--base-port", strconv.Itoa(base), "--overwrite")
	require.NoError(t, err)
	require.Contains(t, out, "initialized a testnet of 2 validators and 0 full nodes")
	require.Contains(t, out, "--resolver.laddr 127.0.0.1:"+strconv.Itoa(base+2))
	require.NoDirExists(t, filepath.Join(dir, "node2"))
}

func TestTestnetRefusals(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no validators", []string{"--validators", "0"}, "at least 1"},
		{"ports past 32767", []string{"--base-port", "32760"}, "past 32767"},
		{"empty chain id", []string{"--chain-id", ""}, "chain id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"testnet", "init", "--output-dir", filepath.Join(dir, tc.name)}, tc.args...)
			_, err := run(t, args...)
			require.ErrorContains(t, err, tc.want)
		})
	}
	_, err := run(t, "testnet", "status", "--home-dir", dir)
	require.ErrorContains(t, err, "holds no testnet")
}

func TestTestnetStatusDown(t *testing.T) {
	dir := t.TempDir()
	_, err := run(t, "testnet", "init", "--validators", "2", "--output-dir", dir, "--base-port", strconv.Itoa(testutil.FreeRange(t, 20)))
	require.NoError(t, err)
	out, err := run(t, "testnet", "status", "--home-dir", dir, "--timeout", "1s", "--output", "json")
	require.ErrorContains(t, err, "2 of 2 nodes do not answer")
	var st []testnet.NodeStatus
	require.NoError(t, json.Unmarshal([]byte(out), &st))
	require.Len(t, st, 2)
	require.False(t, st[0].Up)
	_, err = os.Stat(filepath.Join(dir, "node1", "config", "genesis.json"))
	require.NoError(t, err)
}

// TestTestnetInitGovernance: testnet init names a governance DID whose keys
// are in node0's test keyring, and --governance-keys 0 names none.
func TestTestnetInitGovernance(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	_, err := run(t, "testnet", "init", "--validators", "2", "--output-dir", dir, "--base-port", strconv.Itoa(testutil.FreeRange(t, 20)),
		"--governance-keys", "3", "--governance-threshold", "2", "--min-validators", "2")
	require.NoError(t, err)
	var gen struct {
		AppState app.GenesisState `json:"app_state"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "node1", "config", "genesis.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &gen))
	g := gen.AppState.Governance
	require.NotNil(t, g)
	require.EqualValues(t, 2, g.Threshold)
	require.EqualValues(t, 2, gen.AppState.Params.MinValidators)
	require.Len(t, g.Keys, 3)
	for i, k := range g.Keys {
		name := "governance-" + strconv.Itoa(i+1)
		require.Equal(t, name, k.ID)
		show, err := run(t, "keys", "show", name, "--public-key", "--home", filepath.Join(dir, "node0"), "--keyring-backend", "test")
		require.NoError(t, err)
		require.Equal(t, k.PublicKeyMultibase, strings.TrimSpace(show))
	}

	for _, tc := range []struct {
		name string
		args []string
	}{
		{"threshold above the keys", []string{"--governance-keys", "2", "--governance-threshold", "3"}},
		{"threshold 0", []string{"--governance-threshold", "0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, append([]string{"testnet", "init", "--output-dir", filepath.Join(t.TempDir(), "n")}, tc.args...)...)
			require.ErrorContains(t, err, "--governance-threshold")
		})
	}

	none := filepath.Join(t.TempDir(), "none")
	_, err = run(t, "testnet", "init", "--validators", "1", "--output-dir", none, "--base-port", strconv.Itoa(testutil.FreeRange(t, 10)), "--governance-keys", "0")
	require.NoError(t, err)
	raw, err = os.ReadFile(filepath.Join(none, "node0", "config", "genesis.json"))
	require.NoError(t, err)
	gen.AppState.Governance = nil
	require.NoError(t, json.Unmarshal(raw, &gen))
	require.Nil(t, gen.AppState.Governance)
	require.NoDirExists(t, filepath.Join(none, "node0", "keyring-test"))
}
