package keeper_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// execBlock runs txs as one block, seconds after the last block, with the
// block's write budget, and commits; it returns what the block's timed
// actions did and every tx's error.
func (e *env) execBlock(seconds int64, txs [][]byte) ([]keeper.Outcome, []error) {
	e.t.Helper()
	require.GreaterOrEqual(e.t, seconds, int64(1))
	e.skew += seconds - 1
	blk := e.nextBlock()
	blk.Writes = keeper.NewWriteBudget(keeper.MaxBlockWriteBytes)
	e.height++
	timed, err := e.k.BeginBlock(e.db.Pending(), blk)
	require.NoError(e.t, err)
	e.timed = append(e.timed, timed...)
	errs := make([]error, len(txs))
	for i, tx := range txs {
		_, errs[i] = e.k.Execute(e.db.Pending(), blk, tx)
		if errs[i] != nil && types.Registered(errs[i]) == nil {
			e.t.Fatalf("node fault: %v", errs[i])
		}
	}
	_, err = e.db.Commit(e.height)
	require.NoError(e.t, err)
	return timed, errs
}

// scheduled counts the entries of the schedule.
func (e *env) scheduled() int {
	n := 0
	require.NoError(e.t, e.db.Pending().Scan(types.SchedulePrefix(), func(_, _ []byte) bool { n++; return true }))
	return n
}

// Spammers flood blocks with set-guardians txs (about 200 bytes each), one
// per DID per block, each replacing the DID's pending change. Were each
// replaced change's schedule entry left behind, due before an honest
// recovery, with 1,000 due actions to a block, 10 such blocks would make a
// recovery execute 40 blocks late. A replaced change's entry goes with it,
// a DID has one live entry per pending change, and a block runs up to
// 4,096 due actions (within 4 MiB of writes): the honest recovery executes
// in the first block at or after its ready time.
func TestScheduleFloodCannotDelayRecovery(t *testing.T) {
	w := newWorld(t, nil)
	const spammers, blocks = 1200, 5
	type spammer struct {
		id types.ID
		s  txbuild.Signer
	}
	sp := make([]spammer, spammers)
	var creates, sets [][]byte
	for i := range sp {
		k := key(fmt.Sprint("spammer ", i))
		id, body, err := txbuild.Create(testChain, txbuild.SimpleDocument("key-1", pub(k)), "")
		require.NoError(t, err)
		sp[i] = spammer{id, txbuild.NewSigner(id, "key-1", k)}
		creates = append(creates, w.sign(body, sp[i].s))
		// The first set takes effect at once; changes then wait 10 s.
		sets = append(sets, w.sign(txbuild.SetGuardians(testChain, id, 1, 0, w.guardians[:1], 1, 10), sp[i].s))
	}
	for _, txs := range [][][]byte{creates, sets} {
		_, errs := w.execBlock(1, txs)
		for _, err := range errs {
			require.NoError(t, err)
		}
	}

	rid := w.initiate(0, "recovered-1", key("owner-new"))
	ready := w.approve(1, rid).Event.Effective
	require.Equal(t, w.now()+testDelay, ready)

	for b := 0; b < blocks; b++ {
		txs := make([][]byte, spammers)
		for i, s := range sp {
			txs[i] = w.sign(txbuild.SetGuardians(testChain, s.id, 1, uint64(b+1), w.guardians[1:1+(b%2)+1], 1, 10), s.s)
		}
		timed, errs := w.execBlock(1, txs)
		for i, err := range errs {
			require.NoError(t, err, "block %d tx %d", b, i)
		}
		require.Empty(t, timed, "nothing is due yet")
	}
	require.Less(t, w.now()+10, ready, "every spam change is due before the recovery")
	t.Logf("%d set-guardians txs in %d blocks; %d schedule entries pending", blocks*spammers, blocks, w.scheduled())
	pending := w.scheduled()

	// The block at the ready time runs the recovery.
	timed, _ := w.execBlock(ready-w.now(), nil)
	var executed []keeper.Outcome
	for _, o := range timed {
		if o.DID == w.owner {
			executed = append(executed, o)
		}
	}
	require.Len(t, executed, 1, "the recovery executes in the first block at its ready time (%d timed actions ran)", len(timed))
	require.Equal(t, types.EVENT_KIND_RECOVERY_EXECUTED, executed[0].Kind)
	require.Equal(t, []string{"recovered-1"}, w.controllers())
	require.Zero(t, w.scheduled(), "every due action ran")
	require.LessOrEqual(t, pending, spammers+1, "one live entry per pending change")
}

// Each DID has at most one schedule entry per pending change: a guardian
// change replaced, superseded or made moot, a recovery that becomes ready
// (its expiry goes) or is cancelled, leaves no entry behind.
func TestScheduleHoldsOnlyLiveEntries(t *testing.T) {
	w := newWorld(t, nil)
	require.Zero(t, w.scheduled(), "the first guardian set takes effect at once")
	entries := func() []types.ScheduleEntry {
		var out []types.ScheduleEntry
		require.NoError(t, w.db.Pending().Scan(types.SchedulePrefix(), func(_, v []byte) bool {
			var e types.ScheduleEntry
			require.NoError(t, e.Unmarshal(v))
			out = append(out, e)
			return true
		}))
		return out
	}
	kinds := func() []string {
		var out []string
		for _, e := range entries() {
			out = append(out, e.Kind.String())
		}
		return out
	}
	w.ok(txbuild.SetGuardians(testChain, w.owner, w.version(), w.rev(), w.guardians[:2], 1, testDelay), w.ownerSigner())
	require.Equal(t, []string{"SCHEDULE_KIND_GUARDIANS_EFFECTIVE"}, kinds())
	w.ok(txbuild.SetGuardians(testChain, w.owner, w.version(), w.rev(), w.guardians, 1, testDelay), w.ownerSigner())
	require.Equal(t, []string{"SCHEDULE_KIND_GUARDIANS_EFFECTIVE"}, kinds(), "the replaced change's entry is gone")

	rid := w.initiate(0, "r1", key("r1"))
	require.Equal(t, []string{"SCHEDULE_KIND_RECOVERY_EXPIRY"}, kinds(), "the initiation supersedes the guardian change")
	expiry := entries()[0]
	w.approve(1, rid)
	require.Equal(t, []string{"SCHEDULE_KIND_RECOVERY_READY"}, kinds(), "a ready recovery no longer expires")
	require.NotEqual(t, expiry.Time, entries()[0].Time)

	// The owner's rotation under no pre-rotation keeps the recovery; a
	// second guardian's initiation adds its own expiry.
	w.initiate(2, "r2", key("r2"))
	require.ElementsMatch(t, []string{"SCHEDULE_KIND_RECOVERY_READY", "SCHEDULE_KIND_RECOVERY_EXPIRY"}, kinds())

	// The recovery executes and drops the other: no entry is left.
	w.advance(testDelay + 1)
	require.Zero(t, w.scheduled())
	require.Equal(t, []string{"r1"}, w.controllers())
}

// The per-block bound holds against many DIDs each with a live change due
// before an honest recovery: each block runs ScheduledPerBlock of the due
// actions in time order, so an action waits behind at most the actions
// due before it (or at the same second, ordered by DID), never behind one
// due later, and runs within ceil(earlier due / ScheduledPerBlock) blocks
// after its time.
func TestScheduleBoundWithManyDIDs(t *testing.T) {
	w := newWorld(t, nil)
	const perBlock, spammers = 4, 10
	keeper.SetScheduledPerBlock(w.k, perBlock)
	var txs [][]byte
	for i := 0; i < spammers; i++ {
		k := key(fmt.Sprint("spam", i))
		id := w.create(k)
		s := txbuild.NewSigner(id, "key-1", k)
		w.ok(txbuild.SetGuardians(testChain, id, 1, 0, w.guardians[:1], 1, 10), s)
		txs = append(txs, w.sign(txbuild.SetGuardians(testChain, id, 1, 1, w.guardians[:2], 1, 10), s))
	}
	rid := w.initiate(0, "recovered-1", key("owner-new"))
	ready := w.approve(1, rid).Event.Effective
	_, errs := w.execBlock(1, txs) // 10 changes due at now+10, before the recovery
	for _, err := range errs {
		require.NoError(t, err)
	}
	// Later work never goes first: a change due after the recovery.
	late := key("late")
	lid := w.create(late)
	ls := txbuild.NewSigner(lid, "key-1", late)
	w.ok(txbuild.SetGuardians(testChain, lid, 1, 0, w.guardians[:1], 1, testDelay+5), ls)
	w.ok(txbuild.SetGuardians(testChain, lid, 1, 1, w.guardians[:2], 1, 10), ls)

	blocks := 0
	for {
		blocks++
		var timed []keeper.Outcome
		if blocks == 1 {
			timed, _ = w.execBlock(ready-w.now(), nil)
		} else {
			timed, _ = w.execBlock(1, nil)
		}
		require.LessOrEqual(t, len(timed), perBlock)
		done := false
		for _, o := range timed {
			require.NotEqual(t, lid, o.DID, "an action due later ran before the recovery")
			done = done || o.DID == w.owner
		}
		if done {
			break
		}
		require.Less(t, blocks, 10)
	}
	require.Equal(t, (spammers+1+perBlock-1)/perBlock, blocks, "the recovery waits only behind the actions due before it")
}

// Timed actions take their writes from the block's budget: one that does
// not fit stays due, untouched, and runs first in the next block.
func TestTimedActionWaitsForRoom(t *testing.T) {
	w := newWorld(t, nil)
	out := w.ok(txbuild.SetGuardians(testChain, w.owner, w.version(), w.rev(), w.guardians[:1], 1, testDelay), w.ownerSigner())
	due := out.Event.Effective
	w.skew += due - w.now() - 1
	blk := w.nextBlock()
	require.Equal(t, due, blk.Time)
	blk.Writes = keeper.NewWriteBudget(keeper.MaxBlockWriteBytes)
	keeper.Spend(blk.Writes, keeper.MaxBlockWriteBytes-200)
	w.height++
	hash := w.db.PendingRoot()
	timed, err := w.k.BeginBlock(w.db.Pending(), blk)
	require.NoError(t, err)
	require.Empty(t, timed)
	require.Equal(t, int64(200), blk.Writes.Left())
	require.Equal(t, hash, w.db.PendingRoot(), "nothing written")
	_, err = w.db.Commit(w.height)
	require.NoError(t, err)
	require.Equal(t, 1, w.scheduled())

	timed, _ = w.execBlock(1, nil)
	require.Len(t, timed, 1)
	require.Equal(t, types.EVENT_KIND_GUARDIANS_CHANGED, timed[0].Kind)
	require.Zero(t, w.scheduled())
}
