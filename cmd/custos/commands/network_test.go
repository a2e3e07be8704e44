package commands_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/cmd/custos/commands"
	"github.com/custos-ledger/custos/node/nodetest"
)

// TestNetworkSetPolicyCommand runs custos network set-policy against a
// one-validator node whose genesis names a 2-of-2 governance DID and an
// open write policy: a change signed below the threshold and a policy that
// genesis would refuse are refused; a change to endorsed, collected with
// --out and custos tx sign, makes an unendorsed create fail and an endorsed
// one pass; a second change opens the chain again.
func TestNetworkSetPolicyCommand(t *testing.T) {
	cliEnv(t)
	for _, k := range []string{"gov1", "gov2", "end", "alice", "bob"} {
		ok(t, "keys", "add", k)
	}
	gov := &app.GenesisGovernance{Threshold: 2, Keys: []app.GovernanceKey{
		{ID: "gov1", PublicKeyMultibase: pubKey(t, "gov1")}, {ID: "gov2", PublicKeyMultibase: pubKey(t, "gov2")}}}
	home := nodetest.HomeWithGenesis(t, func(g *app.GenesisState) { g.Governance = gov; g.Params.MinValidators = 1 })
	n := nodetest.Start(t, home)
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 2, 30*time.Second)
	t.Setenv(commands.NodeEnv, n.Config().RPC.ListenAddress)

	endorser := tx(t, "did", "create", "--key", "end").DID

	fails(t, []string{"network", "set-policy"}, "nothing to change")
	fails(t, []string{"network", "set-policy", "--write-policy", "endorsed", "--signer", "gov1", "--signer", "gov2"}, "needs at least one endorser")
	fails(t, []string{"network", "set-policy", "--write-policy", "endorsed", "--endorser", endorser, "--signer", "gov1"}, "threshold_not_met")

	out := filepath.Join(t.TempDir(), "policy.tx.json")
	ok(t, "network", "set-policy", "--write-policy", "endorsed", "--endorser", endorser, "--signer", "gov1", "--out", out)
	require.Contains(t, ok(t, "tx", "show", out), "setWritePolicy")
	fails(t, []string{"tx", "broadcast", out}, "threshold_not_met")
	ok(t, "tx", "sign", out, "--signer", "gov2")
	ok(t, "tx", "broadcast", out)
	// The broadcast returns once the tx is in a block; the next block is
	// the first under the new policy, and a check runs against it.
	fails(t, []string{"did", "create", "--key", "alice"}, "not_endorsed")
	created := tx(t, "did", "create", "--key", "alice", "--endorser", "end")
	require.NotEmpty(t, created.DID)

	set := tx(t, "network", "set-policy", "--write-policy", "open", "--signer", "gov1", "--signer", "gov2")
	require.Equal(t, "3", set.VersionID)
	tx(t, "did", "create", "--key", "bob")
}
