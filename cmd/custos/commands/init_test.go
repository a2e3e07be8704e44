package commands_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/node"
)

var homeFiles = []string{
	"config/config.toml",
	"config/genesis.json",
	"config/node_key.json",
	"config/priv_validator_key.json",
	"data/priv_validator_state.json",
}

func TestInit(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		wantChainID string
		wantMoniker string
	}{
		{name: "defaults", wantChainID: node.DefaultChainID},
		{name: "chain id and moniker", args: []string{"--chain-id", "custos-test-1", "--moniker", "alice"},
			wantChainID: "custos-test-1", wantMoniker: "alice"},
		{name: "json output", args: []string{"--output", "json", "--moniker", "bob"},
			wantChainID: node.DefaultChainID, wantMoniker: "bob"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			out, err := run(t, append([]string{"init", "--home", home}, tc.args...)...)
			require.NoError(t, err)
			for _, f := range homeFiles {
				require.FileExists(t, filepath.Join(home, f))
			}

			gen, err := types.GenesisDocFromFile(filepath.Join(home, "config", "genesis.json"))
			require.NoError(t, err)
			require.NoError(t, gen.ValidateAndComplete())
			require.Equal(t, tc.wantChainID, gen.ChainID)
			require.Equal(t, int64(1<<20), gen.ConsensusParams.Block.MaxBytes)
			require.Equal(t, int64(-1), gen.ConsensusParams.Block.MaxGas)
			pv := privval.LoadFilePV(filepath.Join(home, "config", "priv_validator_key.json"),
				filepath.Join(home, "data", "priv_validator_state.json"))
			require.Len(t, gen.Validators, 1)
			require.Equal(t, int64(10), gen.Validators[0].Power)
			require.Equal(t, pv.Key.PubKey, gen.Validators[0].PubKey)

			state, err := app.ParseGenesisState(gen.AppState)
			require.NoError(t, err)
			require.Equal(t, app.NetworkGenesisState(), state, "custos init writes the network defaults")

			cfg, err := node.LoadConfig(home, node.Overrides{})
			require.NoError(t, err)
			require.Equal(t, "tcp://127.0.0.1:26657", cfg.RPC.ListenAddress)
			require.Equal(t, "tcp://127.0.0.1:26656", cfg.P2P.ListenAddress)
			require.Equal(t, time.Second, cfg.Consensus.TimeoutCommit)
			if tc.wantMoniker != "" {
				require.Equal(t, tc.wantMoniker, cfg.Moniker)
			}

			nodeKey, err := p2p.LoadNodeKey(filepath.Join(home, "config", "node_key.json"))
			require.NoError(t, err)
			for _, s := range []string{tc.wantChainID, string(nodeKey.ID()), home} {
				require.Contains(t, out, s)
			}
			if strings.Contains(strings.Join(tc.args, " "), "json") {
				var res node.InitResult
				require.NoError(t, json.Unmarshal([]byte(out), &res))
				require.Equal(t, node.InitResult{Home: home, ChainID: tc.wantChainID, Moniker: tc.wantMoniker,
					NodeID: string(nodeKey.ID()), ValidatorAddress: pv.Key.Address.String()}, res)
			}
		})
	}
}

func TestInitRefusals(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, home string)
		args  []string
		err   string
	}{
		{name: "second init", setup: initHome, err: "home already initialized: " + "%s/config/genesis.json exists; pass --overwrite"},
		{name: "overwrite over chain data", setup: func(t *testing.T, home string) {
			initHome(t, home)
			require.NoError(t, os.MkdirAll(filepath.Join(home, "data", "blockstore.db"), 0o700))
		}, args: []string{"--overwrite"}, err: "holds chain data"},
		{name: "overwrite over app data", setup: func(t *testing.T, home string) {
			initHome(t, home)
			require.NoError(t, os.MkdirAll(node.AppDataDir(home), 0o700))
		}, args: []string{"--overwrite"}, err: "holds chain data"},
		{name: "long chain id", args: []string{"--chain-id", strings.Repeat("c", 51)}, err: "is too long: use at most 50 bytes"},
		{name: "chain id with space", args: []string{"--chain-id", "a b"}, err: "contains a space"},
		{name: "empty chain id", args: []string{"--chain-id", ""}, err: "empty --chain-id"},
		{name: "moniker with quote", args: []string{"--moniker", `a"b`}, err: "choose a plain name"},
		{name: "extra argument", args: []string{"now"}, err: `unknown command "now"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			if tc.setup != nil {
				tc.setup(t, home)
			}
			_, err := run(t, append([]string{"init", "--home", home}, tc.args...)...)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, replaceHome(tc.err, home))
		})
	}
}

func TestInitOverwriteKeepsKeys(t *testing.T) {
	home := t.TempDir()
	first := initJSON(t, "init", "--home", home)
	second := initJSON(t, "init", "--home", home, "--overwrite", "--chain-id", "custos-2")
	require.Equal(t, first.NodeID, second.NodeID)
	require.Equal(t, first.ValidatorAddress, second.ValidatorAddress)
	require.Equal(t, "custos-2", second.ChainID)
	gen, err := types.GenesisDocFromFile(filepath.Join(home, "config", "genesis.json"))
	require.NoError(t, err)
	require.Equal(t, "custos-2", gen.ChainID)
}

func initHome(t *testing.T, home string) {
	t.Helper()
	_, err := run(t, "init", "--home", home)
	require.NoError(t, err)
}

func initJSON(t *testing.T, args ...string) node.InitResult {
	t.Helper()
	out, err := run(t, append(args, "-o", "json")...)
	require.NoError(t, err)
	var res node.InitResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	return res
}

// replaceHome puts home in place of %s in an expected message.
func replaceHome(msg, home string) string { return strings.ReplaceAll(msg, "%s", home) }

// TestInitGovernance: --governance-key names a governance DID whose one
// key is that keyring key (made when missing, kept when present); without
// it the genesis names none.
func TestInitGovernance(t *testing.T) {
	for _, existing := range []bool{false, true} {
		home := t.TempDir()
		if existing {
			_, err := run(t, "keys", "add", "gov", "--home", home, "--keyring-backend", "test")
			require.NoError(t, err)
		}
		_, err := run(t, "init", "--home", home, "--governance-key", "gov", "--keyring-backend", "test")
		require.NoError(t, err)
		gen, err := types.GenesisDocFromFile(filepath.Join(home, "config", "genesis.json"))
		require.NoError(t, err)
		g, err := app.ParseGenesisState(gen.AppState)
		require.NoError(t, err)
		require.NotNil(t, g.Governance)
		pub, err := run(t, "keys", "show", "gov", "--public-key", "--home", home, "--keyring-backend", "test")
		require.NoError(t, err)
		require.Equal(t, []app.GovernanceKey{{ID: "gov", PublicKeyMultibase: strings.TrimSpace(pub)}}, g.Governance.Keys)
		require.EqualValues(t, 1, g.Governance.Threshold)
	}
	home := t.TempDir()
	_, err := run(t, "init", "--home", home)
	require.NoError(t, err)
	gen, err := types.GenesisDocFromFile(filepath.Join(home, "config", "genesis.json"))
	require.NoError(t, err)
	g, err := app.ParseGenesisState(gen.AppState)
	require.NoError(t, err)
	require.Nil(t, g.Governance)
}
