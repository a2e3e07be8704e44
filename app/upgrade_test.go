package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
	"github.com/custos-ledger/custos/x/network/upgrade"
)

var markKey = []byte("n/test/mark")

// marking is a migration that records the height it ran at.
func marking(name string) upgrade.Migration {
	return upgrade.Migration{Name: name, Migrate: func(st upgrade.Store, height int64) error {
		return st.Set(markKey, []byte{byte(height)})
	}}
}

func appWith(t *testing.T, dir string, ms ...upgrade.Migration) (*app.App, error) {
	cfg := app.DefaultConfig(dir)
	cfg.Migrations = ms
	return app.New(cfg)
}

// stagePlan writes a plan into the state the next block builds on, as a
// governance schedule operation would (its rules are the keeper's tests').
func stagePlan(t *testing.T, a *app.App, name string, height int64) {
	b, err := (&types.UpgradePlan{Name: name, Height: height, ScheduledAt: 1}).Marshal()
	require.NoError(t, err)
	require.NoError(t, a.Store().PendingSet(types.UpgradePlanKey(), b))
}

func halted(a *app.App) bool {
	select {
	case <-a.Halted():
		return true
	default:
		return false
	}
}

// TestUpgradeSwitch: a binary that does not know the plan's upgrade commits
// the height before it, asks the node to stop, refuses to execute the
// upgrade's height (writing nothing) and to start again; a binary that
// knows it runs its migration first thing at that height, on every node
// alike.
func TestUpgradeSwitch(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old, err := appWith(t, dir)
	require.NoError(t, err)
	initChain(t, old)
	commitOK(t, old, 1, nil)
	stagePlan(t, old, "v2", 4)
	commitOK(t, old, 2, nil)
	require.False(t, halted(old))
	commitOK(t, old, 3, nil)
	require.True(t, halted(old), "the node must stop once it committed the height before the upgrade")
	var up *app.UpgradeRequiredError
	require.ErrorAs(t, old.HaltErr(), &up)
	require.Equal(t, app.UpgradeRequiredError{Name: "v2", Height: 4}, *up)
	require.Contains(t, up.Error(), "upgrade v2 required at height 4")

	root := old.Store().LastCommit().AppHash
	_, err = old.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: 4, Time: time.Unix(1_700_000_004, 0)})
	require.ErrorAs(t, err, &up)
	require.Equal(t, root, old.Store().PendingRoot(), "a refused height writes nothing")
	prep, err := old.PrepareProposal(ctx, &abci.RequestPrepareProposal{Height: 4, Txs: [][]byte{{1}}})
	require.NoError(t, err)
	require.Empty(t, prep.Txs, "it proposes nothing at a height it cannot execute")
	proc, err := old.ProcessProposal(ctx, &abci.RequestProcessProposal{Height: 4})
	require.NoError(t, err)
	require.Equal(t, abci.ResponseProcessProposal_REJECT, proc.Status, "it accepts no block it cannot execute")
	require.NoError(t, old.Close())

	_, err = appWith(t, dir)
	require.ErrorAs(t, err, &up, "the old binary must refuse to start again")
	_, err = appWith(t, dir, marking("v1"))
	require.ErrorAs(t, err, &up, "knowing another upgrade does not help")

	next, err := appWith(t, dir, marking("v2"))
	require.NoError(t, err)
	defer next.Close()
	require.False(t, halted(next))
	res := finalize(t, next, 4, nil)
	require.Equal(t, "upgrade_applied", res.Events[0].Type)
	_, err = next.Commit(ctx, &abci.RequestCommit{})
	require.NoError(t, err)
	mark, err := next.Store().Get(markKey)
	require.NoError(t, err)
	require.Equal(t, []byte{4}, mark, "the migration ran at height 4")
	plan, err := keeper.UpgradePlan(next.Store())
	require.NoError(t, err)
	require.Nil(t, plan)
	hist, err := keeper.UpgradeHistory(next.Store())
	require.NoError(t, err)
	require.Equal(t, []types.AppliedUpgrade{{Name: "v2", Height: 4}}, hist.Applied)
	commitOK(t, next, 5, nil)
	require.False(t, halted(next))

	// A node that ran the new binary all along reaches the same app hashes.
	other, err := appWith(t, t.TempDir(), marking("v2"))
	require.NoError(t, err)
	defer other.Close()
	initChain(t, other)
	commitOK(t, other, 1, nil)
	stagePlan(t, other, "v2", 4)
	for h := int64(2); h <= 5; h++ {
		commitOK(t, other, h, nil)
	}
	require.Equal(t, next.Store().LastCommit(), other.Store().LastCommit())
}

// TestMigrationMustKeepParams: a migration that changes the params stops
// the block (the running keeper would not see them).
func TestMigrationMustKeepParams(t *testing.T) {
	a, err := appWith(t, t.TempDir(), upgrade.Migration{Name: "bad", Migrate: func(st upgrade.Store, _ int64) error {
		return st.Set(types.ParamsKey(), []byte{0x08, 0x01})
	}})
	require.NoError(t, err)
	defer a.Close()
	initChain(t, a)
	stagePlan(t, a, "bad", 2)
	commitOK(t, a, 1, nil)
	_, err = a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: 2, Time: time.Unix(1_700_000_002, 0)})
	require.ErrorContains(t, err, "changed the params")
	var up *app.UpgradeRequiredError
	require.False(t, errors.As(err, &up))
}

func TestRegistryRefusals(t *testing.T) {
	noop := func(upgrade.Store, int64) error { return nil }
	for _, tc := range []struct {
		name string
		ms   []upgrade.Migration
		want string
	}{
		{"two of a name", []upgrade.Migration{{Name: "v2", Migrate: noop}, {Name: "v2", Migrate: noop}}, "two migrations"},
		{"upper case", []upgrade.Migration{{Name: "V2", Migrate: noop}}, "migration name"},
		{"empty name", []upgrade.Migration{{Migrate: noop}}, "migration name"},
		{"no function", []upgrade.Migration{{Name: "v2"}}, "no Migrate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := appWith(t, t.TempDir(), tc.ms...)
			require.ErrorContains(t, err, tc.want)
		})
	}
}
