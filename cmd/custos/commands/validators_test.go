package commands_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/cmd/custos/commands"
	"github.com/custos-ledger/custos/node/nodetest"
)

type validatorsList struct {
	Governance    string `json:"governance"`
	MinValidators uint32 `json:"min_validators"`
	TotalPower    int64  `json:"total_power"`
	LastChange    int64  `json:"last_change_height"`
	Validators    []struct {
		PubKey  string `json:"pub_key"`
		Moniker string `json:"moniker"`
		Power   int64  `json:"power"`
		Changed int64  `json:"changed_height"`
	} `json:"validators"`
}

// TestValidatorsCommands runs custos validators against a one-validator
// node whose genesis names a 2-of-2 governance DID (min_validators 1):
// list, pop on another home, an add signed below the threshold (refused),
// then add, set-power and remove signed by both keys, and --out writing a
// tx file instead of sending.
func TestValidatorsCommands(t *testing.T) {
	cliEnv(t)
	ok(t, "keys", "add", "gov1")
	ok(t, "keys", "add", "gov2")
	gov := &app.GenesisGovernance{Threshold: 2, Keys: []app.GovernanceKey{
		{ID: "gov1", PublicKeyMultibase: pubKey(t, "gov1")}, {ID: "gov2", PublicKeyMultibase: pubKey(t, "gov2")}}}
	home := nodetest.HomeWithGenesis(t, func(g *app.GenesisState) { g.Governance = gov; g.Params.MinValidators = 1 })
	n := nodetest.Start(t, home)
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 2, 30*time.Second) // height 1 committed
	t.Setenv(commands.NodeEnv, n.Config().RPC.ListenAddress)

	list := decode[validatorsList](t, ok(t, "validators", "list", "-o", "json"))
	require.NotEmpty(t, list.Governance)
	require.EqualValues(t, 1, list.MinValidators)
	require.Len(t, list.Validators, 1)
	require.Equal(t, "test", list.Validators[0].Moniker)
	require.EqualValues(t, 10, list.TotalPower)

	other := nodetest.Home(t)
	info := filepath.Join(t.TempDir(), "new.json")
	require.NoError(t, os.WriteFile(info, []byte(ok(t, "validators", "pop", "--home", other)), 0o600))

	fails(t, []string{"validators", "add", "--info", info, "--power", "3", "--signer", "gov1"}, "threshold_not_met")
	fails(t, []string{"validators", "add", "--info", info, "--power", "4", "--signer", "gov1", "--signer", "gov2"}, "validator_power_change_too_large")
	added := tx(t, "validators", "add", "--info", info, "--power", "3", "--signer", "gov1", "--signer", "gov2")
	require.Equal(t, list.Governance, added.DID)
	require.Equal(t, "2", added.VersionID)

	list = decode[validatorsList](t, ok(t, "validators", "list", "-o", "json"))
	require.Len(t, list.Validators, 2)
	require.EqualValues(t, 13, list.TotalPower)
	require.Equal(t, added.Height, list.LastChange)
	var key string
	for _, v := range list.Validators {
		if v.Power == 3 {
			key = v.PubKey
		}
	}
	require.NotEmpty(t, key)

	fails(t, []string{"validators", "add", "--info", info, "--power", "3"}, "validator_exists")
	tx(t, "validators", "set-power", key, "4")
	fails(t, []string{"validators", "remove", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}, "validator_not_found")
	removed := tx(t, "validators", "remove", key, "--memo", "leaves")
	require.Equal(t, "4", removed.VersionID)
	list = decode[validatorsList](t, ok(t, "validators", "list", "-o", "json"))
	require.Len(t, list.Validators, 1)
	require.EqualValues(t, 10, list.TotalPower)

	out := filepath.Join(t.TempDir(), "add.tx.json")
	ok(t, "validators", "add", "--info", info, "--power", "3", "--signer", "gov1", "--out", out)
	shown := ok(t, "tx", "show", out)
	require.Contains(t, shown, "addValidator")
	list = decode[validatorsList](t, ok(t, "validators", "list", "-o", "json"))
	require.Len(t, list.Validators, 1, "--out sent the tx")
	// The second governance key signs the file where it lives; anyone
	// broadcasts it.
	fails(t, []string{"tx", "broadcast", out}, "threshold_not_met")
	ok(t, "tx", "sign", out, "--signer", "gov2")
	ok(t, "tx", "broadcast", out)
	list = decode[validatorsList](t, ok(t, "validators", "list", "-o", "json"))
	require.Len(t, list.Validators, 2)
}
