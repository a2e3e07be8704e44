package keeper_test

import (
	"crypto/ed25519"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app/accel"
	"github.com/custos-ledger/custos/store"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

const (
	testDelay  = 50  // seconds a guardian-approved recovery waits
	testExpiry = 100 // seconds a recovery may wait for approvals
)

// recoveryWorld is an owner DID with three guardians, threshold 2.
type recoveryWorld struct {
	*env
	owner     types.ID
	ownerKey  ed25519.PrivateKey
	guardians []types.ID
	gkeys     []ed25519.PrivateKey
}

func newRecoveryEnv(t *testing.T) *env {
	p := types.DefaultParams()
	p.RecoveryMinDelay, p.RecoveryExpiry = 10, testExpiry
	db, err := store.Open("", store.Options{InMemory: true, OutOfTree: types.IsLogKey})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, db: db}
	e.useParams(p, accel.NewFacts(keeperMemories))
	return e
}

// newWorld registers the owner (one key, or the given document) and three
// guardians, and sets the guardians with threshold 2.
func newWorld(t *testing.T, ownerDoc *types.Document) *recoveryWorld {
	w := &recoveryWorld{env: newRecoveryEnv(t), ownerKey: key("owner")}
	if ownerDoc == nil {
		w.owner = w.create(w.ownerKey)
	} else {
		w.owner = w.createDoc(*ownerDoc, fk{"key-1", w.ownerKey})
	}
	for _, n := range []string{"g1", "g2", "g3"} {
		k := key(n)
		w.gkeys = append(w.gkeys, k)
		w.guardians = append(w.guardians, w.create(k))
	}
	w.ok(txbuild.SetGuardians(testChain, w.owner, w.version(), w.rev(), w.guardians, 2, testDelay), w.ownerSigner())
	return w
}

func (w *recoveryWorld) version() uint64 { return w.head(w.owner).Version }

// rev is the revision of the owner's guardian state, which a set-guardians
// names.
func (w *recoveryWorld) rev() uint64 {
	gs, err := keeper.GetGuardians(w.db, w.owner)
	require.NoError(w.t, err)
	if gs == nil {
		return 0
	}
	return gs.Revision
}

// nextRID is the id the owner's next recovery gets, which an initiation
// names.
func (w *recoveryWorld) nextRID() uint64 {
	rs, err := keeper.GetRecoveries(w.db, w.owner)
	require.NoError(w.t, err)
	if rs == nil {
		return 1
	}
	return rs.NextId + 1
}

func (w *recoveryWorld) ownerSigner() txbuild.Signer {
	return txbuild.NewSigner(w.owner, "key-1", w.ownerKey)
}

func (w *recoveryWorld) gSigner(i int) txbuild.Signer {
	return txbuild.NewSigner(w.guardians[i], "key-1", w.gkeys[i])
}

func (w *recoveryWorld) ok(body types.TxBody, s ...txbuild.Signer) keeper.Outcome {
	w.t.Helper()
	out, err := w.exec(w.sign(body, s...))
	require.NoError(w.t, err)
	return out
}

func (w *recoveryWorld) refused(body types.TxBody, want *types.Error, s ...txbuild.Signer) {
	w.t.Helper()
	before := w.appHash()
	_, err := w.exec(w.sign(body, s...))
	require.ErrorIs(w.t, err, want)
	require.Equal(w.t, before, w.appHash(), "a refused tx changed state")
}

// initiate has guardian g propose newKey (fragment frag) and returns the
// recovery id.
func (w *recoveryWorld) initiate(g int, frag string, newKey ed25519.PrivateKey) uint64 {
	w.t.Helper()
	body := txbuild.RecoveryInitiate(testChain, w.owner, w.version(), w.nextRID(), w.guardians[g],
		[]types.VerificationMethod{vm(frag, pub(newKey))}, 1, nil)
	out := w.ok(body, w.gSigner(g), txbuild.NewSigner(w.owner, frag, newKey))
	require.Equal(w.t, types.EVENT_KIND_RECOVERY_INITIATED, out.Kind)
	return out.Event.RecoveryId
}

func (w *recoveryWorld) approve(g int, rid uint64) keeper.Outcome {
	w.t.Helper()
	return w.ok(txbuild.RecoveryApprove(testChain, w.owner, w.version(), w.guardians[g], rid), w.gSigner(g))
}

func (w *recoveryWorld) pending() []types.Recovery {
	rs, err := keeper.GetRecoveries(w.db, w.owner)
	require.NoError(w.t, err)
	if rs == nil {
		return nil
	}
	return rs.Pending
}

func (w *recoveryWorld) controllers() []string {
	return w.current(w.owner).Document.CapabilityInvocation
}

// The owner lost every key: two guardians recover after the delay; the old
// key is retired and can no longer sign, the new one controls the DID.
func TestRecoveryAfterDelay(t *testing.T) {
	w := newWorld(t, nil)
	v0 := w.version()
	newKey := key("owner-new")
	rid := w.initiate(0, "recovered-1", newKey)
	out := w.approve(1, rid)
	require.NotZero(t, out.Event.Effective)
	ready := out.Event.Effective
	require.Equal(t, w.now()+testDelay, ready)

	// Not before the ready time.
	require.Empty(t, w.advance(ready-w.now()-1))
	require.Equal(t, v0, w.version())
	require.Equal(t, []string{"key-1"}, w.controllers())

	// In the first block at or past it.
	timed := w.advance(5)
	require.Len(t, timed, 1)
	require.Equal(t, types.EVENT_KIND_RECOVERY_EXECUTED, timed[0].Kind)
	require.Equal(t, v0+1, w.version())
	require.Equal(t, []string{"recovered-1"}, w.controllers())
	require.Empty(t, w.pending())

	kr := w.keyRecord(w.owner, "key-1")
	require.Equal(t, types.KEY_STATUS_RETIRED, kr.Periods[len(kr.Periods)-1].Status)
	w.refused(txbuild.Deactivate(testChain, w.owner, w.version()), types.ErrUnknownSigner, w.ownerSigner())
	w.ok(txbuild.Deactivate(testChain, w.owner, w.version()), txbuild.NewSigner(w.owner, "recovered-1", newKey))

	// Every step is in the history.
	hist, err := keeper.GetHistory(w.db, w.owner)
	require.NoError(t, err)
	var kinds []types.EventKind
	for _, h := range hist {
		kinds = append(kinds, h.Kind)
	}
	require.Equal(t, []types.EventKind{types.EVENT_KIND_CREATED, types.EVENT_KIND_GUARDIANS_SET,
		types.EVENT_KIND_RECOVERY_INITIATED, types.EVENT_KIND_RECOVERY_APPROVED,
		types.EVENT_KIND_RECOVERY_EXECUTED, types.EVENT_KIND_DEACTIVATED}, kinds)
}

// A recovery may name its new key with the fragment of the key it
// replaces: the key record then ends the old key's period (retired at the
// recovered version) and opens the new key's, in that order.
func TestRecoveryReusingFragment(t *testing.T) {
	w := newWorld(t, nil)
	v0 := w.version()
	newKey := key("owner-new")
	rid := w.initiate(0, "key-1", newKey)
	out := w.approve(1, rid)
	timed := w.advance(out.Event.Effective - w.now() + 5)
	require.Len(t, timed, 1)
	require.Equal(t, types.EVENT_KIND_RECOVERY_EXECUTED, timed[0].Kind)
	require.Equal(t, v0+1, w.version())

	kr := w.keyRecord(w.owner, "key-1")
	require.Len(t, kr.Periods, 2)
	old, cur := kr.Periods[0], kr.Periods[1]
	require.Equal(t, types.KEY_STATUS_RETIRED, old.Status, "the replaced key's period must end")
	require.Equal(t, v0+1, old.ValidUntilVersion)
	require.Equal(t, pub(w.ownerKey).Multicodec(), old.PublicKey)
	require.Equal(t, types.KEY_STATUS_VALID, cur.Status)
	require.Equal(t, v0+1, cur.ValidFromVersion)
	require.Equal(t, pub(newKey).Multicodec(), cur.PublicKey)
	w.ok(txbuild.Deactivate(testChain, w.owner, w.version()), txbuild.NewSigner(w.owner, "key-1", newKey))
}

// A recovery that executes while another is pending makes a version and
// logs the other's cancellation after it, in the same action: the head's
// log chains the version with the first entry only.
func TestLogChainsConsequences(t *testing.T) {
	w := newWorld(t, nil)
	rid := w.initiate(0, "recovered-1", key("owner-new"))
	w.initiate(2, "recovered-2", key("owner-other"))
	out := w.approve(1, rid)
	timed := w.advance(out.Event.Effective - w.now() + 5)
	require.Len(t, timed, 1)
	require.Equal(t, types.EVENT_KIND_RECOVERY_EXECUTED, timed[0].Kind)
	require.Len(t, timed[0].Extra, 1)
	require.Equal(t, types.EVENT_KIND_RECOVERY_CANCELLED, timed[0].Extra[0].Kind)
	require.Empty(t, checkLog(w.env, w.owner, w.head(w.owner)))
}

// A guardian majority colludes; the owner and one honest guardian cancel in
// time (⌈(3+1)/2⌉ = 2 votes).
func TestOwnerAndGuardianCancel(t *testing.T) {
	w := newWorld(t, nil)
	thief := key("thief")
	rid := w.initiate(0, "evil", thief)
	w.approve(1, rid)
	out := w.ok(txbuild.RecoveryCancel(testChain, w.owner, w.version(), types.ID{}, rid), w.ownerSigner())
	require.Equal(t, types.EVENT_KIND_RECOVERY_CANCEL_VOTED, out.Kind)
	w.refused(txbuild.RecoveryCancel(testChain, w.owner, w.version(), types.ID{}, rid), types.ErrAlreadyCounted, w.ownerSigner())
	out = w.ok(txbuild.RecoveryCancel(testChain, w.owner, w.version(), w.guardians[2], rid), w.gSigner(2))
	require.Equal(t, types.EVENT_KIND_RECOVERY_CANCELLED, out.Kind)
	require.Empty(t, w.pending())
	require.Empty(t, w.advance(testDelay*2))
	require.Equal(t, []string{"key-1"}, w.controllers())
}

// A thief holding only the owner's key cannot cancel a real recovery.
func TestThiefCannotCancelAlone(t *testing.T) {
	w := newWorld(t, nil)
	rid := w.initiate(0, "recovered-1", key("owner-new"))
	w.approve(1, rid)
	out := w.ok(txbuild.RecoveryCancel(testChain, w.owner, w.version(), types.ID{}, rid), w.ownerSigner())
	require.Equal(t, types.EVENT_KIND_RECOVERY_CANCEL_VOTED, out.Kind)
	timed := w.advance(testDelay + 1)
	require.Len(t, timed, 1)
	require.Equal(t, types.EVENT_KIND_RECOVERY_EXECUTED, timed[0].Kind)
}

// A thief with the owner's key cannot swap the guardians before the delay,
// and a recovery initiated meanwhile supersedes the change.
func TestGuardianChangeIsTimeLocked(t *testing.T) {
	w := newWorld(t, nil)
	accomplice := w.create(key("accomplice"))
	out := w.ok(txbuild.SetGuardians(testChain, w.owner, w.version(), w.rev(), []types.ID{accomplice}, 1, 10), w.ownerSigner())
	require.Equal(t, w.now()+testDelay, out.Event.Effective)

	// Meanwhile the old guardians still act and the accomplice does not.
	acc := txbuild.NewSigner(accomplice, "key-1", key("accomplice"))
	nk := key("accomplice-new")
	w.refused(txbuild.RecoveryInitiate(testChain, w.owner, w.version(), w.nextRID(), accomplice,
		[]types.VerificationMethod{vm("x", pub(nk))}, 1, nil), types.ErrNotGuardian, acc, txbuild.NewSigner(w.owner, "x", nk))
	rid := w.initiate(0, "recovered-1", key("owner-new"))
	gs, err := keeper.GetGuardians(w.db, w.owner)
	require.NoError(t, err)
	require.Nil(t, gs.Pending, "the recovery superseded the guardian change")
	require.Len(t, gs.Current.Guardians, 3)
	w.approve(1, rid)
	require.Empty(t, w.advance(1)) // the superseded change never takes effect
	timed := w.advance(testDelay)
	require.Equal(t, types.EVENT_KIND_RECOVERY_EXECUTED, timed[0].Kind)
}

// Without a recovery, a guardian change takes effect after the delay.
func TestGuardianChangeTakesEffect(t *testing.T) {
	w := newWorld(t, nil)
	w.ok(txbuild.SetGuardians(testChain, w.owner, w.version(), w.rev(), w.guardians[:2], 1, 20), w.ownerSigner())
	require.Empty(t, w.advance(testDelay-5))
	timed := w.advance(10)
	require.Len(t, timed, 1)
	require.Equal(t, types.EVENT_KIND_GUARDIANS_CHANGED, timed[0].Kind)
	gs, err := keeper.GetGuardians(w.db, w.owner)
	require.NoError(t, err)
	require.Equal(t, uint32(1), gs.Current.Threshold)
	require.Len(t, gs.Current.Guardians, 2)
	require.Equal(t, int64(20), gs.Current.Delay)
}

func TestGuardianCounting(t *testing.T) {
	t.Run("the same guardian approving twice counts once", func(t *testing.T) {
		w := newWorld(t, nil)
		rid := w.initiate(0, "recovered-1", key("owner-new"))
		w.refused(txbuild.RecoveryApprove(testChain, w.owner, w.version(), w.guardians[0], rid), types.ErrAlreadyCounted, w.gSigner(0))
	})
	t.Run("a guardian signing with two of its keys counts once", func(t *testing.T) {
		w := newWorld(t, nil)
		// g1 gets a second controller key; threshold 1.
		doc := w.current(w.guardians[0]).Document
		doc.VerificationMethods = append(doc.VerificationMethods, vm("key-2", pub(key("g1b"))))
		doc.CapabilityInvocation = append(doc.CapabilityInvocation, "key-2")
		w.ok(txbuild.Update(testChain, w.guardians[0], w.head(w.guardians[0]).Version, doc),
			w.gSigner(0), txbuild.NewSigner(w.guardians[0], "key-2", key("g1b")))
		nk := key("owner-new")
		out := w.ok(txbuild.RecoveryInitiate(testChain, w.owner, w.version(), w.nextRID(), w.guardians[0],
			[]types.VerificationMethod{vm("r", pub(nk))}, 1, nil),
			w.gSigner(0), txbuild.NewSigner(w.guardians[0], "key-2", key("g1b")), txbuild.NewSigner(w.owner, "r", nk))
		require.Zero(t, out.Event.Effective, "one guardian is one approval, threshold is 2")
		require.Len(t, w.pending()[0].Approvals, 1)
	})
	t.Run("a deactivated guardian cannot approve", func(t *testing.T) {
		w := newWorld(t, nil)
		rid := w.initiate(0, "recovered-1", key("owner-new"))
		w.ok(txbuild.Deactivate(testChain, w.guardians[1], 1), w.gSigner(1))
		w.refused(txbuild.RecoveryApprove(testChain, w.owner, w.version(), w.guardians[1], rid), types.ErrGuardianInactive, w.gSigner(1))
	})
	t.Run("an approval of a guardian deactivated before the ready time does not count", func(t *testing.T) {
		w := newWorld(t, nil)
		rid := w.initiate(0, "recovered-1", key("owner-new"))
		w.approve(1, rid)
		w.ok(txbuild.Deactivate(testChain, w.guardians[1], 1), w.gSigner(1))
		timed := w.advance(testDelay + 1)
		require.Len(t, timed, 1)
		require.Equal(t, types.EVENT_KIND_RECOVERY_CANCELLED, timed[0].Kind)
		require.Equal(t, []string{"key-1"}, w.controllers())
	})
	t.Run("approvals after expiry are refused", func(t *testing.T) {
		w := newWorld(t, nil)
		rid := w.initiate(0, "recovered-1", key("owner-new"))
		timed := w.advance(testExpiry)
		require.Len(t, timed, 1)
		require.Equal(t, types.EVENT_KIND_RECOVERY_EXPIRED, timed[0].Kind)
		w.refused(txbuild.RecoveryApprove(testChain, w.owner, w.version(), w.guardians[1], rid), types.ErrRecoveryNotFound, w.gSigner(1))
	})
	t.Run("recovery of a deactivated DID is refused", func(t *testing.T) {
		w := newWorld(t, nil)
		rid := w.initiate(0, "recovered-1", key("owner-new"))
		w.ok(txbuild.Deactivate(testChain, w.owner, w.version()), w.ownerSigner())
		require.Empty(t, w.pending(), "deactivation drops pending recoveries")
		nk := key("n2")
		w.refused(txbuild.RecoveryInitiate(testChain, w.owner, w.version(), w.nextRID(), w.guardians[1],
			[]types.VerificationMethod{vm("r2", pub(nk))}, 1, nil), types.ErrDeactivated, w.gSigner(1), txbuild.NewSigner(w.owner, "r2", nk))
		w.refused(txbuild.RecoveryApprove(testChain, w.owner, w.version(), w.guardians[1], rid), types.ErrDeactivated, w.gSigner(1))
	})
	t.Run("a non-guardian cannot initiate", func(t *testing.T) {
		w := newWorld(t, nil)
		stranger := w.create(key("stranger"))
		nk := key("n")
		w.refused(txbuild.RecoveryInitiate(testChain, w.owner, w.version(), w.nextRID(), stranger,
			[]types.VerificationMethod{vm("r", pub(nk))}, 1, nil), types.ErrNotGuardian,
			txbuild.NewSigner(stranger, "key-1", key("stranger")), txbuild.NewSigner(w.owner, "r", nk))
	})
	t.Run("the proposed key must prove possession", func(t *testing.T) {
		w := newWorld(t, nil)
		nk := key("n")
		w.refused(txbuild.RecoveryInitiate(testChain, w.owner, w.version(), w.nextRID(), w.guardians[0],
			[]types.VerificationMethod{vm("r", pub(nk))}, 1, nil), types.ErrMissingPossession, w.gSigner(0))
	})
	t.Run("a guardian signing as another guardian is refused", func(t *testing.T) {
		w := newWorld(t, nil)
		rid := w.initiate(0, "recovered-1", key("owner-new"))
		w.refused(txbuild.RecoveryApprove(testChain, w.owner, w.version(), w.guardians[1], rid), types.ErrUnknownSigner, w.gSigner(2))
	})
}

func TestSetGuardiansRules(t *testing.T) {
	w := newWorld(t, nil)
	dead := w.create(key("dead"))
	w.ok(txbuild.Deactivate(testChain, dead, 1), txbuild.NewSigner(dead, "key-1", key("dead")))
	g := w.guardians
	cases := []struct {
		name      string
		guardians []types.ID
		threshold uint32
		delay     int64
		want      *types.Error
	}{
		{"self", []types.ID{w.owner}, 1, 20, types.ErrInvalidGuardians},
		{"twice", []types.ID{g[0], g[0]}, 1, 20, types.ErrInvalidGuardians},
		{"deactivated guardian", []types.ID{dead}, 1, 20, types.ErrGuardianInactive},
		{"unregistered guardian", []types.ID{{1, 2, 3}}, 1, 20, types.ErrGuardianInactive},
		{"threshold 0", g, 0, 20, types.ErrInvalidGuardians},
		{"threshold above n", g, 4, 20, types.ErrInvalidGuardians},
		{"delay below the minimum", g, 2, 9, types.ErrInvalidGuardians},
		{"removal with a threshold", nil, 1, 0, types.ErrInvalidGuardians},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w.refused(txbuild.SetGuardians(testChain, w.owner, w.version(), w.rev(), tc.guardians, tc.threshold, tc.delay), tc.want, w.ownerSigner())
		})
	}
	t.Run("a guardian signature does not authorize", func(t *testing.T) {
		w.refused(txbuild.SetGuardians(testChain, w.owner, w.version(), w.rev(), g[:1], 1, 20), types.ErrUnknownSigner, w.gSigner(0))
	})
}

// A block runs at most the bound of timed actions; the others stay due and
// run, in schedule order, in the next blocks.
func TestScheduledActionsPerBlockBounded(t *testing.T) {
	w := newWorld(t, nil)
	keeper.SetScheduledPerBlock(w.k, 2)
	var owners []types.ID
	for i, n := range []string{"o1", "o2", "o3"} {
		k := key(n)
		id := w.create(k)
		s := txbuild.NewSigner(id, "key-1", k)
		w.ok(txbuild.SetGuardians(testChain, id, 1, 0, w.guardians, 2, 10+int64(i)), s) // at once
		w.ok(txbuild.SetGuardians(testChain, id, 1, 1, w.guardians[:1], 1, 10), s)      // after 10+i s
		owners = append(owners, id)
	}
	first := w.advance(100) // all three are due
	require.Len(t, first, 2)
	require.Equal(t, owners[0], first[0].DID)
	require.Equal(t, owners[1], first[1].DID)
	second := w.advance(1)
	require.Len(t, second, 1)
	require.Equal(t, owners[2], second[0].DID)
	require.Equal(t, types.EVENT_KIND_GUARDIANS_CHANGED, second[0].Kind)
	require.Empty(t, w.advance(1))
}

// recording counts the bytes a keeper writes.
type recording struct {
	keeper.Store
	bytes int
}

func (r *recording) Set(k, v []byte) error {
	r.bytes += len(k) + len(v)
	return r.Store.Set(k, v)
}

// Each timed action is a state entry of its own: what scheduling one
// writes does not grow with the number pending chain-wide (a single
// schedule entry grew by about 36 bytes a pending action), and each entry
// is gone once it has run.
func TestScheduleCostIndependentOfPending(t *testing.T) {
	w := newWorld(t, nil)
	// written executes tx in a block of its own and returns the bytes it wrote.
	written := func(tx []byte) int {
		blk := w.nextBlock()
		w.height++
		_, err := w.k.BeginBlock(w.db.Pending(), blk)
		require.NoError(t, err)
		rec := &recording{Store: w.db.Pending()}
		_, err = w.k.Execute(rec, blk, tx)
		require.NoError(t, err)
		_, err = w.db.Commit(w.height)
		require.NoError(t, err)
		return rec.bytes
	}
	const pending = 150
	var sizes []int
	for i := 0; i < pending; i++ {
		k := key(fmt.Sprintf("pending-%d", i))
		id := w.create(k)
		s := txbuild.NewSigner(id, "key-1", k)
		w.ok(txbuild.SetGuardians(testChain, id, 1, 0, w.guardians, 2, 1000), s) // at once
		// A change of guardians takes effect after the delay: scheduled.
		sizes = append(sizes, written(w.sign(txbuild.SetGuardians(testChain, id, 1, 1, w.guardians[:1], 1, 1000), s)))
	}
	require.InDelta(t, sizes[0], sizes[pending-1], 16, "bytes written by the first and the %dth scheduling tx", pending)

	due, err := keeper.DueActions(w.db.Pending(), w.now()+10_000, 10_000)
	require.NoError(t, err)
	require.Len(t, due, pending)
	ran := w.advance(2000)
	require.Len(t, ran, pending)
	due, err = keeper.DueActions(w.db.Pending(), w.now()+10_000, 10_000)
	require.NoError(t, err)
	require.Empty(t, due, "every entry is deleted once it has run")
}
