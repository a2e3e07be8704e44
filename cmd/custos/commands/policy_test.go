package commands_test

import (
	"path/filepath"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/cmd/custos/commands"
	"github.com/custos-ledger/custos/node"
	"github.com/custos-ledger/custos/node/nodetest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// A chain with every write policy at once, through the CLI: creates carry
// a stamp (custos computes it, with progress on stderr), need an
// endorsement (--endorser), and a DID may change twice an hour.
func TestWritePolicyCLI(t *testing.T) {
	cliEnv(t)
	ok(t, "keys", "add", "endorser")
	pk, err := types.ParseMultikey(pubKey(t, "endorser"))
	require.NoError(t, err)
	// The DID `custos did create --key endorser` creates (custos init
	// --endorser-key derives it the same way).
	endorser, err := txbuild.DID(node.DefaultChainID, types.Document{
		VerificationMethods:  []types.VerificationMethod{{Id: "key-1", PublicKey: pk.Multicodec()}},
		Authentication:       []string{"key-1"},
		CapabilityInvocation: []string{"key-1"},
		Threshold:            1,
	})
	require.NoError(t, err)
	home := nodetest.HomeWithGenesis(t, func(g *app.GenesisState) {
		g.Params.WritePolicy = app.PolicyEndorsed
		g.Params.Endorsers = []string{endorser.String()}
		g.Params.StampDifficulty = 10
		g.Params.RateLimits = []app.GenesisRateLimit{{Period: "1h", MaxOps: 2}}
	})
	n := nodetest.Start(t, home)
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 1, 30*time.Second)
	t.Setenv(commands.NodeEnv, n.Config().RPC.ListenAddress)

	r := runIn(t, "", "did", "create", "--key", "endorser", "-o", "json")
	require.NoError(t, r.err, r.errOut)
	require.Contains(t, r.errOut, "stamp found", "the stamp's progress goes to stderr")
	require.Equal(t, endorser.String(), decode[txOut](t, r.out).DID, "a listed endorser creates its own DID unendorsed")

	ok(t, "keys", "add", "alice")
	fails(t, []string{"did", "create", "--key", "alice"}, "not_endorsed")
	fails(t, []string{"did", "create", "--key", "alice", "--endorser", "alice"}, "not a current capabilityInvocation key of an active endorser")
	alice := tx(t, "did", "create", "--key", "alice", "--endorser", "endorser").DID

	tx(t, "did", "update", alice, "--add-service", "hub,LinkedDomains,https://example.com")
	fails(t, []string{"did", "update", alice, "--add-service", "hub2,LinkedDomains,https://example.org"}, "rate_limited", "the next is allowed from block time")
}

// custos init writes the network defaults: a stamp and rate limits; its
// flags set the endorsed policy, with an endorser named by key.
func TestInitWritePolicyFlags(t *testing.T) {
	home := t.TempDir()
	ok(t, "init", "--home", home, "--chain-id", "custos-policy")
	g := readAppState(t, home)
	require.Equal(t, uint32(types.DefaultStampDifficulty), g.Params.StampDifficulty)
	require.Equal(t, app.GenesisRateLimits(types.DefaultRateLimits()), g.Params.RateLimits)
	require.Equal(t, app.PolicyOpen, g.Params.WritePolicy)

	const key = "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK" // did:key test vector (W3C CCG did-method-key)
	home2 := t.TempDir()
	ok(t, "init", "--home", home2, "--chain-id", "custos-policy", "--write-policy", "endorsed", "--endorser-key", key, "--stamp-difficulty", "0", "--rate-limit", "none")
	g = readAppState(t, home2)
	pk, err := types.ParseMultikey(key)
	require.NoError(t, err)
	want, err := txbuild.DID("custos-policy", types.Document{
		VerificationMethods:  []types.VerificationMethod{{Id: "key-1", PublicKey: pk.Multicodec()}},
		Authentication:       []string{"key-1"},
		CapabilityInvocation: []string{"key-1"},
		Threshold:            1,
	})
	require.NoError(t, err)
	require.Equal(t, []string{want.String()}, g.Params.Endorsers)
	require.Zero(t, g.Params.StampDifficulty)
	require.Empty(t, g.Params.RateLimits)

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown policy", []string{"--write-policy", "closed"}, "write_policy"},
		{"endorsed without endorsers", []string{"--write-policy", "endorsed"}, "at least one endorser"},
		{"bad rate limit", []string{"--rate-limit", "ten/1h"}, "MAX/PERIOD"},
		{"bad endorser key", []string{"--write-policy", "endorsed", "--endorser-key", "nope"}, "--endorser-key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fails(t, append([]string{"init", "--home", t.TempDir()}, tc.args...), tc.want)
		})
	}
}

// readAppState reads the app_state of home's genesis file.
func readAppState(t *testing.T, home string) app.GenesisState {
	t.Helper()
	gen, err := cmttypes.GenesisDocFromFile(filepath.Join(home, "config", "genesis.json"))
	require.NoError(t, err)
	g, err := app.ParseGenesisState(gen.AppState)
	require.NoError(t, err)
	return g
}
