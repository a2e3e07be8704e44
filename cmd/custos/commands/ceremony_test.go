package commands_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/cmd/custos/commands"
	"github.com/custos-ledger/custos/node/nodetest"
)

// TestCeremonyNetwork builds a 4-validator network the way operators on
// four machines would (docs/operators.md, "Building a network"): separate
// homes that exchange only validator info files and the genesis. The
// network makes blocks signed by all four and accepts a did create.
func TestCeremonyNetwork(t *testing.T) {
	bin := custosBinary(t)
	ops := ceremonyNetwork(t, 4, "ceremony-net-1", nil)
	for _, op := range ops {
		op.start(t, bin)
	}
	c := ops[0].client(t)
	nodetest.WaitForHeight(t, c, 3, 60*time.Second)

	ctx := context.Background()
	vals, err := c.Validators(ctx, nil, nil, nil)
	require.NoError(t, err)
	require.Len(t, vals.Validators, 4)
	want := map[string]bool{}
	for _, op := range ops {
		want[op.info.Address()] = true
	}
	for _, v := range vals.Validators {
		require.True(t, want[v.Address.String()], "validator %s is none of the operators'", v.Address)
	}
	// Every operator's key signs: look for a commit that all four signed.
	signedByAll := false
	for h := int64(2); h < 40 && !signedByAll; h++ {
		nodetest.WaitForHeight(t, c, h+1, 30*time.Second)
		commit, err := c.Commit(ctx, &h)
		require.NoError(t, err)
		signed := 0
		for _, s := range commit.Commit.Signatures {
			if want[s.ValidatorAddress.String()] && len(s.Signature) > 0 {
				signed++
			}
		}
		signedByAll = signed == 4
	}
	require.True(t, signedByAll, "no block among the first 40 carries the signatures of all four validators")

	// A client of the new network creates a DID through any node.
	cliEnv(t)
	t.Setenv(commands.NodeEnv, ops[2].rpc)
	ok(t, "keys", "add", "alice")
	created := tx(t, "did", "create", "--key", "alice")
	require.Equal(t, "1", created.VersionID)
	for _, op := range ops {
		nodetest.WaitForHeight(t, op.client(t), created.Height, 30*time.Second)
	}
	t.Setenv(commands.NodeEnv, ops[0].rpc)
	var res struct {
		DIDDocument struct {
			ID string `json:"id"`
		} `json:"didDocument"`
	}
	require.NoError(t, json.Unmarshal([]byte(ok(t, "resolve", created.DID, "-o", "json")), &res))
	require.Equal(t, created.DID, res.DIDDocument.ID)

}
