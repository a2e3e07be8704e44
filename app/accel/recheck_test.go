package accel_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app/accel"
	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/store"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// The recheck shortcut answers for an admitted tx only while its target's
// head is the one it was accepted against: a change of the head that
// keeps the version (a guardian operation logs a history entry) sends the
// tx back to a full recheck, and a guardian operation is never answered by
// the shortcut.
func TestRecheckShortcutFollowsTheHead(t *testing.T) {
	db, err := store.Open("", store.Options{InMemory: true, OutOfTree: types.IsLogKey})
	require.NoError(t, err)
	defer db.Close()
	eng := accel.New(accel.DefaultConfig())
	k := keeper.New(types.DefaultParams(), eng.Facts())
	const chain = "custos-recheck"
	height := int64(0)
	exec := func(tx []byte) {
		height++
		blk := keeper.Block{ChainID: chain, Height: height, Time: 1_700_000_000 + height}
		_, err := k.Execute(db.Pending(), blk, tx)
		require.NoError(t, err)
		_, err = db.Commit(height)
		require.NoError(t, err)
	}
	admit := func(tx []byte) {
		blk := keeper.Block{ChainID: chain, Height: height + 1, Time: 1_700_000_000 + height + 1}
		_, err := k.Check(db, blk, tx)
		require.NoError(t, err)
		eng.Admit(k, db, tx)
	}

	owner, guardian := didtest.Single(chain, "owner"), didtest.Single(chain, "guardian")
	exec(owner.Create())
	exec(guardian.Create())
	update := didtest.Sign(txbuild.Update(chain, owner.ID, 1, owner.Doc), owner.Signer("k1"))
	setGuardians := didtest.Sign(txbuild.SetGuardians(chain, owner.ID, 1, 0, []types.ID{guardian.ID}, 1, 24*60*60), owner.Signer("k1"))
	admit(update)
	admit(setGuardians)
	require.True(t, eng.StillApplies(k, db, update), "the owner's head is unchanged")
	require.False(t, eng.StillApplies(k, db, setGuardians), "a guardian operation reads more than the head")

	exec(setGuardians) // the owner's version stays 1, its head logs an entry
	head, err := keeper.GetHead(db, owner.ID)
	require.NoError(t, err)
	require.Equal(t, uint64(1), head.Version)
	require.False(t, eng.StillApplies(k, db, update), "the head changed: a full recheck decides")

	// Another keeper (params changed by governance) never takes the
	// shortcut, even for a tx whose head is unchanged.
	other := didtest.Sign(txbuild.Update(chain, guardian.ID, 1, guardian.Doc), guardian.Signer("k1"))
	admit(other)
	require.True(t, eng.StillApplies(k, db, other))
	require.False(t, eng.StillApplies(keeper.New(types.DefaultParams(), eng.Facts()), db, other), "admitted under another keeper")

	off := accel.DefaultConfig()
	off.RecheckShortcut = false
	engOff := accel.New(off)
	engOff.Admit(k, db, update)
	require.False(t, engOff.StillApplies(k, db, update), "the shortcut is off")
}
