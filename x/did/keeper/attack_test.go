package keeper_test

import (
	"crypto/ed25519"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// Attacks on the guardian and recovery rules (issue 21), each as an
// attacker would play it, with the rule that stops it.

// guardians returns the owner's guardian state.
func (w *recoveryWorld) guardianState() *types.GuardianState {
	gs, err := keeper.GetGuardians(w.db, w.owner)
	require.NoError(w.t, err)
	require.NotNil(w.t, gs)
	return gs
}

// setGuardiansTx is the owner's signed set-guardians tx, built on the
// current state.
func (w *recoveryWorld) setGuardiansTx(gs []types.ID, threshold uint32, delay int64, s ...txbuild.Signer) []byte {
	if len(s) == 0 {
		s = []txbuild.Signer{w.ownerSigner()}
	}
	return w.sign(txbuild.SetGuardians(testChain, w.owner, w.version(), w.rev(), gs, threshold, delay), s...)
}

// initiateTx is guardian g's signed proposal of newKey under frag.
func (w *recoveryWorld) initiateTx(g int, frag string, newKey ed25519.PrivateKey) []byte {
	body := txbuild.RecoveryInitiate(testChain, w.owner, w.version(), w.nextRID(), w.guardians[g],
		[]types.VerificationMethod{vm(frag, pub(newKey))}, 1, nil)
	return w.sign(body, w.gSigner(g), txbuild.NewSigner(w.owner, frag, newKey))
}

// initiateKeysTx is guardian g's signed proposal of keys, threshold 1.
func (w *recoveryWorld) initiateKeysTx(g int, keys ...fk) []byte {
	var vms []types.VerificationMethod
	signers := []txbuild.Signer{w.gSigner(g)}
	for _, k := range keys {
		vms = append(vms, vm(k.frag, pub(k.k)))
		signers = append(signers, txbuild.NewSigner(w.owner, k.frag, k.k))
	}
	body := txbuild.RecoveryInitiate(testChain, w.owner, w.version(), w.nextRID(), w.guardians[g], vms, 1, nil)
	return w.sign(body, signers...)
}

func (w *recoveryWorld) approveTx(g int, rid uint64) []byte {
	return w.sign(txbuild.RecoveryApprove(testChain, w.owner, w.version(), w.guardians[g], rid), w.gSigner(g))
}

// cancelTx is a cancel vote of guardian g, or of the owner for g < 0.
func (w *recoveryWorld) cancelTx(g int, rid uint64) []byte {
	if g < 0 {
		return w.sign(txbuild.RecoveryCancel(testChain, w.owner, w.version(), types.ID{}, rid), w.ownerSigner())
	}
	return w.sign(txbuild.RecoveryCancel(testChain, w.owner, w.version(), w.guardians[g], rid), w.gSigner(g))
}

// refuseAny executes tx and requires a refusal that changed nothing.
func (e *env) refuseAny(tx []byte) {
	e.t.Helper()
	var id types.ID
	_, body, err := types.DecodeTx(tx, 1<<20)
	require.NoError(e.t, err)
	id, err = types.ParseID(body.Did)
	require.NoError(e.t, err)
	before := e.head(id)
	hash := e.db.PendingRoot()
	_, err = e.exec(tx)
	require.Error(e.t, err, "a replay applied again")
	require.NotNil(e.t, types.Registered(err))
	require.Equal(e.t, hash, e.appHash(), "a refused tx changed the app hash")
	require.Equal(e.t, before, e.head(id), "a refused tx changed the head")
}

func (w *recoveryWorld) apply(tx []byte) keeper.Outcome {
	w.t.Helper()
	out, err := w.exec(tx)
	require.NoError(w.t, err)
	return out
}

// Finding 2: every guardian and recovery operation applies at most once.
// The exact signed bytes of each, replayed right after it applied and again
// once the state has moved on (a guardian change taking effect, a
// recovery dropped, the owner's update, a recovery executed), are refused
// and change nothing.
func TestReplayOfGuardianOpsRefused(t *testing.T) {
	w := newWorld(t, nil)
	type sent struct {
		name string
		tx   []byte
	}
	var applied []sent
	do := func(name string, tx []byte) keeper.Outcome {
		t.Helper()
		out := w.apply(tx)
		applied = append(applied, sent{name, tx})
		w.refuseAny(tx) // at once
		return out
	}
	replayAll := func(when string) {
		t.Helper()
		for _, s := range applied {
			t.Run(when+"/"+s.name, func(t *testing.T) {
				w.in(t).refuseAny(s.tx)
			})
		}
		w.t = t
	}
	// The set-guardians that newWorld sent, rebuilt: signing is
	// deterministic, so these are its exact bytes.
	first := w.sign(txbuild.SetGuardians(testChain, w.owner, 1, 0, w.guardians, 2, testDelay), w.ownerSigner())
	applied = append(applied, sent{"first set-guardians", first})

	// The owner drops guardian g3; the change takes effect after the delay.
	do("set-guardians dropping g3", w.setGuardiansTx(w.guardians[:2], 2, testDelay))
	w.advance(testDelay + 1)
	require.Len(t, w.guardianState().Current.Guardians, 2)
	replayAll("after the change took effect")
	require.Len(t, w.guardianState().Current.Guardians, 2, "a replay brought g3 back")

	// g1 initiates a rogue recovery; the owner and g2 cancel it.
	rid := do("initiate", w.initiateTx(0, "rogue", key("rogue"))).Event.RecoveryId
	do("owner's cancel vote", w.cancelTx(-1, rid))
	out := do("g2's cancel vote", w.cancelTx(1, rid))
	require.Equal(t, types.EVENT_KIND_RECOVERY_CANCELLED, out.Kind)
	replayAll("after the recovery was cancelled")
	require.Empty(t, w.pending(), "a replay re-opened the vetoed recovery")

	// The owner updates its document: the version moves on.
	doc := w.current(w.owner).Document
	doc.Services = []types.Service{{Id: "web", Type: "LinkedDomains", Endpoint: "https://example.org"}}
	do("owner's update", w.sign(txbuild.Update(testChain, w.owner, w.version(), doc), w.ownerSigner()))
	replayAll("after an update")
	require.Empty(t, w.pending())

	// A real recovery: g1 initiates, g2 approves, it executes.
	rid = do("second initiate", w.initiateTx(0, "recovered-1", key("owner-new"))).Event.RecoveryId
	out = do("approve", w.approveTx(1, rid))
	w.advance(out.Event.Effective - w.now() + 1)
	require.Equal(t, []string{"recovered-1"}, w.controllers())
	replayAll("after the recovery executed")
	require.Empty(t, w.pending())
	require.Equal(t, []string{"recovered-1"}, w.controllers())
}

// Guardians' txs do not depend on the DID's version, which whoever holds
// its current keys can advance at will: built on an older version, they
// still apply. The owner's own txs stay tied to the version, set-guardians
// also to the guardian state's revision, an initiation to the next
// recovery id.
func TestGuardianTxsSurviveOwnerUpdates(t *testing.T) {
	w := newWorld(t, nil)
	v := w.version()
	update := func() {
		t.Helper()
		doc := w.current(w.owner).Document
		doc.Services = []types.Service{{Id: fmt.Sprintf("s%d", w.version()), Type: "LinkedDomains", Endpoint: "https://example.org"}}
		w.ok(txbuild.Update(testChain, w.owner, w.version(), doc), w.ownerSigner())
	}
	initiate := w.initiateTx(0, "recovered-1", key("owner-new"))
	update()
	rid := w.apply(initiate).Event.RecoveryId
	approve := w.approveTx(1, rid)
	cancel := w.cancelTx(2, rid)
	update()
	w.apply(cancel)
	update()
	out := w.apply(approve)
	require.NotZero(t, out.Event.Effective)
	require.Greater(t, w.version(), v+2)

	nk := key("other-new")
	cases := []struct {
		name string
		body types.TxBody
		s    []txbuild.Signer
		want *types.Error
	}{
		{"guardian tx naming a version not reached", txbuild.RecoveryApprove(testChain, w.owner, w.version()+1, w.guardians[2], rid),
			[]txbuild.Signer{w.gSigner(2)}, types.ErrStaleVersion},
		{"owner's cancel vote on an old version", txbuild.RecoveryCancel(testChain, w.owner, v, types.ID{}, rid),
			[]txbuild.Signer{w.ownerSigner()}, types.ErrStaleVersion},
		{"set-guardians on an old revision", txbuild.SetGuardians(testChain, w.owner, w.version(), w.rev()-1, w.guardians[:2], 1, testDelay),
			[]txbuild.Signer{w.ownerSigner()}, types.ErrStaleGuardians},
		{"set-guardians on a future revision", txbuild.SetGuardians(testChain, w.owner, w.version(), w.rev()+1, w.guardians[:2], 1, testDelay),
			[]txbuild.Signer{w.ownerSigner()}, types.ErrStaleGuardians},
		{"initiation naming a used id", txbuild.RecoveryInitiate(testChain, w.owner, w.version(), rid, w.guardians[2],
			[]types.VerificationMethod{vm("r", pub(nk))}, 1, nil), []txbuild.Signer{w.gSigner(2), txbuild.NewSigner(w.owner, "r", nk)}, types.ErrWrongRecoveryID},
		{"initiation naming an id ahead", txbuild.RecoveryInitiate(testChain, w.owner, w.version(), w.nextRID()+1, w.guardians[2],
			[]types.VerificationMethod{vm("r", pub(nk))}, 1, nil), []txbuild.Signer{w.gSigner(2), txbuild.NewSigner(w.owner, "r", nk)}, types.ErrWrongRecoveryID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w.in(t).refuse(w.sign(tc.body, tc.s...), tc.want)
		})
	}
}

// refusedTx checks that tx is refused with want and changes nothing.
func (w *recoveryWorld) refusedTx(tx []byte, want *types.Error) {
	w.t.Helper()
	hash, before := w.db.PendingRoot(), w.head(w.owner)
	_, err := w.exec(tx)
	require.ErrorIs(w.t, err, want)
	require.Equal(w.t, hash, w.db.PendingRoot(), "a refused tx changed the state")
	require.Equal(w.t, before, w.head(w.owner), "a refused tx changed the head")
}

// Finding 4: a thief holding the owner's key removes every guardian two
// seconds after a guardian initiated; made first, with the same delay, the
// removal would take effect before the recovery's ready time. The guardians
// cannot change while a recovery is pending (guardians_locked), and the
// recovery is judged against the guardian set in force at its initiation,
// and executes.
func TestGuardianRemovalDoesNotVoidRecovery(t *testing.T) {
	w := newWorld(t, nil)
	rid := w.initiate(0, "recovered-1", key("owner-new"))
	w.advance(2)
	w.refusedTx(w.setGuardiansTx(nil, 0, 0), types.ErrGuardiansLocked) // the thief: guardians set --none
	w.advance(3)
	out := w.approve(1, rid)
	require.NotZero(t, out.Event.Effective)
	w.advance(out.Event.Effective - w.now() + 1)
	require.Equal(t, []string{"recovered-1"}, w.controllers(), "the thief's guardian change voided the recovery")
	gs := w.guardianState()
	require.Len(t, gs.Current.Guardians, 3, "the recovered DID keeps the guardians it was recovered by")
	require.Nil(t, gs.Pending)
}

// Finding 4, variant: the thief swaps the guardians for an accomplice
// after the initiation, so that the swap takes effect before the second
// approval and the accomplice can open a recovery of its own, which the
// honest guardians, outside its set, could not cancel and which could be
// ready first. The swap is refused while the recovery is pending
// (guardians_locked); the accomplice can act on nothing.
func TestGuardianSwapDoesNotVoidRecovery(t *testing.T) {
	w := newWorld(t, nil)
	acc := w.create(key("accomplice"))
	rid := w.initiate(0, "recovered-1", key("owner-new"))
	w.refusedTx(w.setGuardiansTx([]types.ID{acc}, 1, 10), types.ErrGuardiansLocked)
	w.advance(testDelay + 1)
	require.Len(t, w.guardianState().Current.Guardians, 3)
	require.Nil(t, w.guardianState().Pending)
	// The accomplice is no guardian: it can neither vote nor open a recovery.
	w.refused(txbuild.RecoveryCancel(testChain, w.owner, w.version(), acc, rid), types.ErrNotGuardian,
		txbuild.NewSigner(acc, "key-1", key("accomplice")))
	w.refused(txbuild.RecoveryInitiate(testChain, w.owner, w.version(), w.nextRID(), acc,
		[]types.VerificationMethod{vm("t", pub(key("thief")))}, 1, nil), types.ErrNotGuardian,
		txbuild.NewSigner(acc, "key-1", key("accomplice")), txbuild.NewSigner(w.owner, "t", key("thief")))
	out := w.approve(1, rid)
	w.advance(out.Event.Effective - w.now() + 1)
	require.Equal(t, []string{"recovered-1"}, w.controllers())
	require.Len(t, w.guardianState().Current.Guardians, 3, "the thief's guardians outlived the recovery")
}

// Finding 5: a pre-rotated DID with no guardians. A thief holding only its
// current key names an accomplice as guardian; the set must not take
// effect at once, so the accomplice cannot recover the DID to the thief
// before the owner, who sees the change, rotates with the committed keys
// (which cancels it).
func TestPreRotationGuardianBypass(t *testing.T) {
	doc := txbuild.SimpleDocument("key-1", pub(key("owner")))
	doc.NextKeys = txbuild.Commitment(1, pub(key("next-1")))
	w := &recoveryWorld{env: newRecoveryEnv(t), ownerKey: key("owner")}
	w.owner = w.createDoc(doc, fk{"key-1", w.ownerKey})
	acc := w.create(key("accomplice"))
	w.guardians, w.gkeys = []types.ID{acc}, []ed25519.PrivateKey{key("accomplice")}

	out := w.apply(w.setGuardiansTx([]types.ID{acc}, 1, 10))
	require.Greater(t, out.Event.Effective, w.now(), "the first guardian set of a pre-rotated DID took effect at once")
	require.Empty(t, w.guardianState().Current.Guardians)
	thief := key("thief")
	w.refused(txbuild.RecoveryInitiate(testChain, w.owner, w.version(), w.nextRID(), acc,
		[]types.VerificationMethod{vm("t", pub(thief))}, 1, nil), types.ErrNotGuardian,
		w.gSigner(0), txbuild.NewSigner(w.owner, "t", thief))

	// The owner rotates with its committed next key: the change is cancelled.
	next := key("next-1")
	b := txbuild.Rotate(testChain, w.owner, w.version(), "key-1", pub(next))
	b.GetRotateKey().NextKeys = txbuild.Commitment(1, pub(key("next-2")))
	w.ok(b, txbuild.NewSigner(w.owner, "key-1", next))
	require.Nil(t, w.guardianState().Pending)
	require.Empty(t, w.advance(20))
	require.Empty(t, w.guardianState().Current.Guardians)
}

// Finding 3: after the initiation, a thief holding the current key adds a
// keyAgreement method (X25519: no proof of possession) under the fragment
// the recovery proposes, or fills the document to its method limit. The
// recovery still executes, with and without pre-rotation.
func TestThiefCannotVoidPendingRecovery(t *testing.T) {
	collide := func(w *recoveryWorld) types.Document {
		doc := w.current(w.owner).Document
		doc.VerificationMethods = append(doc.VerificationMethods, vm("recovered-1", w.xpub("thief-x")))
		doc.KeyAgreement = append(doc.KeyAgreement, "recovered-1")
		return doc
	}
	fill := func(w *recoveryWorld) types.Document {
		doc := w.current(w.owner).Document
		for i := len(doc.VerificationMethods); i < int(types.DefaultParams().MaxVerificationMethods); i++ {
			f := fmt.Sprintf("x%d", i)
			doc.VerificationMethods = append(doc.VerificationMethods, vm(f, w.xpub(f)))
			doc.KeyAgreement = append(doc.KeyAgreement, f)
		}
		return doc
	}
	for _, pre := range []bool{false, true} {
		for _, tc := range []struct {
			name  string
			thief func(*recoveryWorld) types.Document
		}{{"fragment collision", collide}, {"method limit", fill}} {
			t.Run(fmt.Sprintf("%s/pre-rotation=%v", tc.name, pre), func(t *testing.T) {
				var w *recoveryWorld
				if pre {
					w = preRotatedWorld(t)
				} else {
					w = newWorld(t, nil)
				}
				w.ns = t.Name() + "/"
				// Two new keys for the one the DID has: a full document
				// would overflow.
				out := w.apply(w.initiateKeysTx(0, fk{"recovered-1", key("owner-new")}, fk{"recovered-2", key("owner-new-2")}))
				rid := out.Event.RecoveryId
				w.ok(txbuild.Update(testChain, w.owner, w.version(), tc.thief(w)), w.ownerSigner())
				out = w.approve(1, rid)
				w.advance(out.Event.Effective - w.now() + 1)
				require.Equal(t, []string{"recovered-1", "recovered-2"}, w.controllers(), "the thief voided the recovery")
			})
		}
	}
}

// Finding 13: what a thief added while holding the key (a service
// endpoint, a keyAgreement key) does not survive a recovery that restores
// the version before the theft.
func TestRecoveryRestoresVersion(t *testing.T) {
	w := newWorld(t, nil)
	before := w.current(w.owner)
	doc := before.Document
	doc.VerificationMethods = append(doc.VerificationMethods, vm("thief-x", xpub("thief-x")))
	doc.KeyAgreement = append(doc.KeyAgreement, "thief-x")
	doc.Services = append(doc.Services, types.Service{Id: "inbox", Type: "DIDCommMessaging", Endpoint: "https://thief.example"})
	w.ok(txbuild.Update(testChain, w.owner, w.version(), doc), w.ownerSigner())

	// The guardians restore the version before the theft.
	nk := key("owner-new")
	body := txbuild.RecoveryInitiate(testChain, w.owner, w.version(), w.nextRID(), w.guardians[0],
		[]types.VerificationMethod{vm("recovered-1", pub(nk))}, 1, nil)
	body.GetRecoveryInitiate().RestoreVersion = before.Version
	out := w.ok(body, w.gSigner(0), txbuild.NewSigner(w.owner, "recovered-1", nk))
	require.Equal(t, fmt.Sprintf("restores version %d", before.Version), out.Event.Detail)
	rid := out.Event.RecoveryId
	require.Equal(t, before.Version, w.pending()[0].RestoreVersion)
	out = w.approve(1, rid)
	w.advance(out.Event.Effective - w.now() + 1)
	got := w.current(w.owner).Document
	require.Equal(t, []string{"recovered-1"}, got.CapabilityInvocation)
	require.Empty(t, got.Services, "the thief's service survived the recovery")
	require.Empty(t, got.KeyAgreement, "the thief's keyAgreement key survived the recovery")
	_, listed := got.Method("thief-x")
	require.False(t, listed)
	kr := w.keyRecord(w.owner, "thief-x")
	require.Equal(t, types.KEY_STATUS_RETIRED, kr.Periods[0].Status, "the thief's key is closed by the recovery")
}

// Restore versions: the current one by default, an earlier one, not one the
// DID has not reached; the recovered document must be valid when built from
// it.
func TestRecoveryRestoreVersionRules(t *testing.T) {
	w := newWorld(t, nil)
	nk := key("owner-new")
	initiate := func(rv uint64) []byte {
		body := txbuild.RecoveryInitiate(testChain, w.owner, w.version(), w.nextRID(), w.guardians[0],
			[]types.VerificationMethod{vm("recovered-1", pub(nk))}, 1, nil)
		body.GetRecoveryInitiate().RestoreVersion = rv
		return w.sign(body, w.gSigner(0), txbuild.NewSigner(w.owner, "recovered-1", nk))
	}
	w.refuse(initiate(w.version()+1), types.ErrRestoreVersion)
	compromised := func(c bool, since int64) []byte {
		body := txbuild.RecoveryInitiate(testChain, w.owner, w.version(), w.nextRID(), w.guardians[0],
			[]types.VerificationMethod{vm("recovered-1", pub(nk))}, 1, nil)
		body.GetRecoveryInitiate().Compromised, body.GetRecoveryInitiate().CompromisedSince = c, since
		return w.sign(body, w.gSigner(0), txbuild.NewSigner(w.owner, "recovered-1", nk))
	}
	w.refuse(compromised(false, w.now()), types.ErrInvalidOperation)
	w.refuse(compromised(true, w.now()+10), types.ErrInvalidTime)
	out := w.apply(initiate(0))
	require.Equal(t, w.version(), w.pending()[0].RestoreVersion, "0 restores the version current at the initiation")
	require.Equal(t, fmt.Sprintf("restores version %d", w.version()), out.Event.Detail)
}

// Finding 12, recovery part: the guardians' proposal marks the keys it
// removes as compromised from the theft: key status answers compromised
// for the theft window, and the history entry names them.
func TestRecoveryMarksReplacedKeysCompromised(t *testing.T) {
	w := newWorld(t, nil)
	w.advance(100)
	theft := w.now()
	w.advance(100)
	nk := key("owner-new")
	body := txbuild.RecoveryInitiate(testChain, w.owner, w.version(), w.nextRID(), w.guardians[0],
		[]types.VerificationMethod{vm("recovered-1", pub(nk))}, 1, nil)
	body.GetRecoveryInitiate().Compromised, body.GetRecoveryInitiate().CompromisedSince = true, theft
	rid := w.ok(body, w.gSigner(0), txbuild.NewSigner(w.owner, "recovered-1", nk)).Event.RecoveryId
	out := w.approve(1, rid)
	timed := w.advance(out.Event.Effective - w.now() + 1)
	require.Len(t, timed, 1)
	ev := timed[0].Event
	require.Equal(t, types.EVENT_KIND_RECOVERY_EXECUTED, ev.Kind)
	require.Equal(t, []string{"key-1"}, ev.KeysCompromised)
	require.Equal(t, types.REVOCATION_REASON_COMPROMISED, ev.Reason)
	require.Equal(t, theft, ev.CompromisedSince)
	kr := w.keyRecord(w.owner, "key-1")
	require.Equal(t, types.KEY_STATUS_COMPROMISED, kr.Periods[0].Status)
	require.Equal(t, theft, kr.Periods[0].CompromisedSince)
	require.Equal(t, "valid", w.statusAt(w.owner, "key-1", theft-1).Status)
	require.Equal(t, "compromised", w.statusAt(w.owner, "key-1", theft).Status)
	require.Equal(t, "valid", w.statusAt(w.owner, "recovered-1", w.now()).Status)
}

// A thief who revokes a restored key as compromised while a recovery is
// pending does not void it either: the recovered document leaves that key
// out (a compromised key never returns) and stays valid.
func TestRecoveryLeavesOutKeysCompromisedMeanwhile(t *testing.T) {
	doc := txbuild.SimpleDocument("key-1", pub(key("owner")))
	doc.VerificationMethods = append(doc.VerificationMethods, vm("enc", xpub("owner-enc")))
	doc.KeyAgreement = []string{"enc"}
	w := newWorld(t, &doc)
	rid := w.initiate(0, "recovered-1", key("owner-new"))
	w.ok(txbuild.Revoke(testChain, w.owner, w.version(), "enc", types.REVOCATION_REASON_COMPROMISED, 0), w.ownerSigner())
	out := w.approve(1, rid)
	w.advance(out.Event.Effective - w.now() + 1)
	got := w.current(w.owner).Document
	require.Equal(t, []string{"recovered-1"}, got.CapabilityInvocation)
	_, listed := got.Method("enc")
	require.False(t, listed, "the recovery brought back a key recorded compromised")
	require.Empty(t, got.KeyAgreement)
}
