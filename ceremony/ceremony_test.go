package ceremony_test

import (
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/ceremony"
	"github.com/custos-ledger/custos/node"
	"github.com/custos-ledger/custos/x/did/types"
	"github.com/custos-ledger/custos/x/network/pop"
)

// home makes a `custos init` home and returns its config and info file.
func home(t *testing.T, moniker string) (*cmtcfg.Config, ceremony.Info) {
	t.Helper()
	dir := t.TempDir()
	_, err := node.InitHome(node.InitOptions{Home: dir, Moniker: moniker, ChainID: "scratch"})
	require.NoError(t, err)
	cfg, err := node.LoadConfig(dir, node.Overrides{})
	require.NoError(t, err)
	in, err := ceremony.InfoFromHome(cfg, "node.example.org:26656")
	require.NoError(t, err)
	return cfg, in
}

func encode(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestInfoFromHome(t *testing.T) {
	cfg, in := home(t, "alice")
	require.Equal(t, "alice", in.Moniker)
	require.Equal(t, "ed25519", in.PubKey.Type)
	require.NoError(t, pop.Verify(in.PubKey.Value, in.ProofOfPossession))
	require.Equal(t, in.NodeID+"@node.example.org:26656", in.P2PAddress)
	parsed, err := ceremony.ParseInfo(encode(t, in))
	require.NoError(t, err)
	require.Equal(t, in, parsed)
	// Without an address, none is claimed.
	bare, err := ceremony.InfoFromHome(cfg, "")
	require.NoError(t, err)
	require.Empty(t, bare.P2PAddress)
}

func TestInfoRefusals(t *testing.T) {
	_, in := home(t, "alice")
	_, other := home(t, "bob")
	tests := []struct {
		name string
		edit func(in *ceremony.Info)
		want string
	}{
		{"another key's proof", func(in *ceremony.Info) { in.ProofOfPossession = other.ProofOfPossession }, "does not verify"},
		{"no proof", func(in *ceremony.Info) { in.ProofOfPossession = nil }, "no proof_of_possession"},
		{"claimed key without its private key", func(in *ceremony.Info) { in.PubKey.Value = other.PubKey.Value }, "does not verify"},
		{"secp256k1 key", func(in *ceremony.Info) { in.PubKey.Type = "secp256k1" }, "only \"ed25519\""},
		{"short key", func(in *ceremony.Info) { in.PubKey.Value = in.PubKey.Value[:31] }, "31 bytes"},
		{"bad node id", func(in *ceremony.Info) { in.NodeID = "xyz" }, "node_id"},
		{"upper-case node id", func(in *ceremony.Info) { in.NodeID = strings.ToUpper(in.NodeID) }, "lowercase"},
		{"address of another node", func(in *ceremony.Info) { in.P2PAddress = other.P2PAddress }, "names node"},
		{"address without port", func(in *ceremony.Info) { in.P2PAddress = in.NodeID + "@host" }, "host:port"},
		{"empty moniker", func(in *ceremony.Info) { in.Moniker = "" }, "empty moniker"},
		{"quote in moniker", func(in *ceremony.Info) { in.Moniker = `a"b` }, "quote"},
		{"unknown field", nil, "unknown field \"power\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := in
			c.PubKey.Value = append([]byte(nil), in.PubKey.Value...)
			var m map[string]any
			if tc.edit != nil {
				tc.edit(&c)
			}
			require.NoError(t, json.Unmarshal(encode(t, c), &m))
			if tc.edit == nil {
				m["power"] = 10
			}
			_, err := ceremony.ParseInfo(encode(t, m))
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func newGenesis(t *testing.T) *ceremony.Genesis {
	t.Helper()
	g, err := ceremony.New(ceremony.NewOptions{ChainID: "net-1", AppState: app.DefaultGenesisState()})
	require.NoError(t, err)
	return g
}

func TestAddValidator(t *testing.T) {
	_, alice := home(t, "alice")
	_, bob := home(t, "bob")
	_, alice2 := home(t, "alice")
	g := newGenesis(t)
	require.ErrorContains(t, g.Validate(), "no validator")
	require.NoError(t, g.AddValidator(alice, 10))
	require.NoError(t, g.AddValidator(bob, 20))
	require.NoError(t, g.Validate())

	forged := bob
	forged.PubKey.Value = alice.PubKey.Value
	tests := []struct {
		name  string
		in    ceremony.Info
		power int64
		want  string
	}{
		{"the same info twice", alice, 10, "duplicate validator"},
		{"another key under a moniker in use", alice2, 10, "duplicate moniker"},
		{"a key without its proof", forged, 10, "does not verify"},
		{"zero power", func() ceremony.Info { _, c := home(t, "carol"); return c }(), 0, "above 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorContains(t, g.AddValidator(tc.in, tc.power), tc.want)
			require.Len(t, g.Doc.Validators, 2, "a refusal adds nothing")
		})
	}
	require.Equal(t, "alice", g.Doc.Validators[0].Name)
	require.Equal(t, int64(20), g.Doc.Validators[1].Power)
}

func multikey(t *testing.T, seed byte) string {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(append(make([]byte, 31), seed))
	pk, err := types.NewEd25519(priv.Public().(ed25519.PublicKey))
	require.NoError(t, err)
	return pk.Multibase()
}

func TestGovernanceKeys(t *testing.T) {
	g := newGenesis(t)
	gov, err := g.Governance()
	require.NoError(t, err)
	require.Zero(t, gov.Threshold, "no governance until a key is added")
	require.ErrorContains(t, g.SetGovernanceThreshold(1), "no governance key")

	id, err := g.AddGovernanceKey(multikey(t, 1), "")
	require.NoError(t, err)
	require.Equal(t, "gov-1", id)
	id, err = g.AddGovernanceKey(multikey(t, 2), "ops-bob")
	require.NoError(t, err)
	require.Equal(t, "ops-bob", id)
	id, err = g.AddGovernanceKey(multikey(t, 3), "")
	require.NoError(t, err)
	require.Equal(t, "gov-3", id)
	require.NoError(t, g.SetGovernanceThreshold(2))

	x25519, err := types.NewX25519(append([]byte{9}, make([]byte, 31)...))
	require.NoError(t, err)
	tests := []struct {
		name, key, id, want string
	}{
		{"the same key again", multikey(t, 1), "", "duplicate governance key"},
		{"an id in use", multikey(t, 4), "ops-bob", "duplicate governance key id"},
		{"not a multikey", "z6MkNotAKey", "", "Multikey"},
		{"a key that cannot sign", x25519.Multibase(), "", "must sign"},
		{"an id that is no fragment", multikey(t, 4), "a b", "governance key id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := g.AddGovernanceKey(tc.key, tc.id)
			require.ErrorContains(t, err, tc.want)
		})
	}
	for _, n := range []uint32{0, 4} {
		require.ErrorContains(t, g.SetGovernanceThreshold(n), "from 1 to the number")
	}
	gov, err = g.Governance()
	require.NoError(t, err)
	require.Equal(t, uint32(2), gov.Threshold)
	require.Equal(t, []ceremony.GovernanceKey{
		{ID: "gov-1", PublicKeyMultibase: multikey(t, 1)},
		{ID: "ops-bob", PublicKeyMultibase: multikey(t, 2)},
		{ID: "gov-3", PublicKeyMultibase: multikey(t, 3)},
	}, gov.Keys)
	// The section is the shared format of TEAM's app_state.governance.
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(g.Doc.AppState, &m))
	require.JSONEq(t, `{"threshold":2,"keys":[{"id":"gov-1","public_key_multibase":"`+multikey(t, 1)+`"},`+
		`{"id":"ops-bob","public_key_multibase":"`+multikey(t, 2)+`"},{"id":"gov-3","public_key_multibase":"`+multikey(t, 3)+`"}]}`,
		string(m["governance"]))
}

func TestInstall(t *testing.T) {
	aliceCfg, alice := home(t, "alice")
	bobCfg, _ := home(t, "bob")
	g := newGenesis(t)
	require.NoError(t, g.AddValidator(alice, 10))
	file := filepath.Join(t.TempDir(), "genesis.json")
	sum, err := g.Write(file)
	require.NoError(t, err)

	tests := []struct {
		name string
		cfg  *cmtcfg.Config
		opts ceremony.InstallOptions
		want string
	}{
		{"chain id of the home's own genesis", aliceCfg, ceremony.InstallOptions{Genesis: file}, `this home expects "scratch"`},
		{"another chain id", aliceCfg, ceremony.InstallOptions{Genesis: file, ChainID: "net-2"}, `for chain "net-1"`},
		{"not a validator", bobCfg, ceremony.InstallOptions{Genesis: file, ChainID: "net-1"}, "not a validator of the genesis"},
		{"no such file", aliceCfg, ceremony.InstallOptions{Genesis: file + ".missing", ChainID: "net-1"}, "cannot read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ceremony.Install(tc.cfg, tc.opts)
			require.ErrorContains(t, err, tc.want)
		})
	}

	res, err := ceremony.Install(aliceCfg, ceremony.InstallOptions{Genesis: file, ChainID: "net-1"})
	require.NoError(t, err)
	require.Equal(t, "alice", res.Validator)
	require.Equal(t, sum, res.SHA256)
	installed, err := os.ReadFile(aliceCfg.GenesisFile())
	require.NoError(t, err)
	require.Equal(t, sum, ceremony.Hash(installed), "installed byte for byte")

	res, err = ceremony.Install(bobCfg, ceremony.InstallOptions{Genesis: file, ChainID: "net-1", FullNode: true})
	require.NoError(t, err)
	require.Empty(t, res.Validator)

	// A home that ran belongs to its genesis.
	require.NoError(t, os.MkdirAll(node.AppDataDir(aliceCfg.RootDir), 0o700))
	_, err = ceremony.Install(aliceCfg, ceremony.InstallOptions{Genesis: file, ChainID: "net-1"})
	require.ErrorContains(t, err, "already holds chain data")
}
