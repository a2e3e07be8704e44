package app_test

import (
	"crypto/ed25519"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

func guardianFamilies() []advFamily {
	return []advFamily{
		{name: "set-guardians", build: buildSetGuardians},
		{name: "initiate", build: buildInitiate},
		{name: "approve-cancel", build: buildApproveCancel},
		{name: "pre-rotation", build: buildPreRotation},
		{name: "replay", build: buildReplay},
	}
}

// buildSetGuardians: guardian sets that are invalid, or set by someone
// else than the owner.
func buildSetGuardians(w *advWorld) []advCase {
	s := didtest.Single(advChain, "set-guardians")
	ghost := didtest.Single(advChain, "set-guardians-ghost")
	w.commitOK(s.Create())
	g1, g2 := w.guardians[0].ID.String(), w.guardians[1].ID.String()
	set := func(gs []string, threshold uint32, delay int64) []byte {
		return didtest.Sign(w.guardiansBody(s.ID, 1, gs, threshold, delay), s.Signer("k1"))
	}
	many := make([]string, types.DefaultParams().MaxGuardians+1)
	for i := range many {
		many[i] = didtest.Single(advChain, fmt.Sprintf("set-guardians-many-%d", i)).ID.String()
	}
	minDelay := types.DefaultParams().RecoveryMinDelay
	revision := func(r uint64) []byte {
		b := w.guardiansBody(s.ID, 1, []string{g1}, 1, advDay)
		b.GetSetGuardians().ExpectedRevision = r
		return didtest.Sign(b, s.Signer("k1"))
	}
	return []advCase{
		{name: "itself", tx: set([]string{s.ID.String()}, 1, advDay), want: types.ErrInvalidGuardians},
		{name: "a guardian twice", tx: set([]string{g1, g1}, 1, advDay), want: types.ErrInvalidGuardians},
		{name: "a guardian of another method", tx: set([]string{"did:web:example.com"}, 1, advDay), want: types.ErrInvalidGuardians},
		{name: "an empty guardian", tx: set([]string{""}, 1, advDay), want: types.ErrInvalidGuardians},
		{name: "a guardian key URL", tx: set([]string{g1 + "#k1"}, 1, advDay), want: types.ErrInvalidGuardians},
		{name: "an unregistered guardian", tx: set([]string{ghost.ID.String()}, 1, advDay), want: types.ErrGuardianInactive},
		{name: "a deactivated guardian", tx: set([]string{g1, w.dead.ID.String()}, 1, advDay), want: types.ErrGuardianInactive},
		{name: "threshold 0", tx: set([]string{g1}, 0, advDay), want: types.ErrInvalidGuardians},
		{name: "threshold above the guardians", tx: set([]string{g1, g2}, 3, advDay), want: types.ErrInvalidGuardians},
		{name: "no delay", tx: set([]string{g1}, 1, 0), want: types.ErrInvalidGuardians},
		{name: "delay a second below the minimum", tx: set([]string{g1}, 1, minDelay-1), want: types.ErrInvalidGuardians},
		{name: "negative delay", tx: set([]string{g1}, 1, -advDay), want: types.ErrInvalidGuardians},
		{name: "delay above the maximum", tx: set([]string{g1}, 1, types.MaxDelay+1), want: types.ErrInvalidGuardians},
		{name: "one guardian too many", tx: set(many, 1, advDay), want: types.ErrLimitExceeded},
		{name: "removal with a threshold", tx: set(nil, 1, 0), want: types.ErrInvalidGuardians},
		{name: "removal with a delay", tx: set(nil, 0, advDay), want: types.ErrInvalidGuardians},
		{name: "revision ahead", tx: revision(1), want: types.ErrStaleGuardians},
		{name: "revision at the largest value", tx: revision(math.MaxUint64), want: types.ErrStaleGuardians},
		{name: "set by the guardian", tx: didtest.Sign(w.guardiansBody(s.ID, 1, []string{g1}, 1, advDay), w.guardians[0].Signer("k1")), want: types.ErrUnknownSigner},
		{name: "unsigned", tx: didtest.Sign(w.guardiansBody(s.ID, 1, []string{g1}, 1, advDay)), want: types.ErrThresholdNotMet},
		{name: "control", tx: set([]string{g1, g2}, 2, advDay), check: func(t *testing.T, w *advWorld) {
			gs, err := keeper.GetGuardians(w.a.Store(), s.ID)
			require.NoError(t, err)
			require.Equal(t, []string{g1, g2}, gs.Current.Guardians)
		}},
	}
}

// advWard is a DID with guardians g1 and g2 (threshold 2, a day's delay), a
// service svc0 and, once open is called, a recovery g1 initiated.
type advWard struct {
	*didtest.DID
	w          *advWorld
	g1, g2, g3 *didtest.DID
	// setGuardians is the tx that gave the advWard its guardians.
	setGuardians []byte
}

func newAdvWard(w *advWorld, name string) advWard {
	d := didtest.Single(advChain, name)
	doc := didtest.CloneDoc(d.Doc)
	doc.Services = []types.Service{svcOf("svc0", "LinkedDomains", "https://example.com/svc0")}
	wd := advWard{DID: didtest.New(advChain, doc, d.Keys), w: w, g1: w.guardians[0], g2: w.guardians[1], g3: w.guardians[2]}
	w.commitOK(wd.Create())
	wd.setGuardians = didtest.Sign(w.guardiansBody(wd.ID, w.version(wd.ID), idStrings(wd.g1, wd.g2), 2, advDay), wd.Signer("k1"))
	w.commitOK(wd.setGuardians)
	return wd
}

// initiate is g's initiation of a recovery of the advWard to the proposed
// keys vms, signed by g and by signers.
func (wd advWard) initiate(g *didtest.DID, vms []types.VerificationMethod, threshold uint32, next *types.NextKeys, signers ...txbuild.Signer) []byte {
	return didtest.Sign(wd.w.initiateBody(wd.ID, wd.w.version(wd.ID), g.ID.String(), vms, threshold, next), append([]txbuild.Signer{g.Signer("k1")}, signers...)...)
}

// pop signs as the advWard's proposed fragment f with k.
func (wd advWard) pop(f string, k ed25519.PrivateKey) txbuild.Signer {
	return txbuild.NewSigner(wd.ID, f, k)
}

// buildInitiate: recovery initiations by non-guardians, of invalid
// proposals, or without the signatures they need.
func buildInitiate(w *advWorld) []advCase {
	wd := newAdvWard(w, "initiate")
	vms, nk := proposedKey("initiate/new")
	w.commitOK(wd.initiate(wd.g1, vms, 1, nil, wd.pop("r1", nk)))
	vms2, nk2 := proposedKey("initiate/new-2")
	pop := wd.pop("r1", nk2)
	byG2 := func(vms []types.VerificationMethod, threshold uint32, next *types.NextKeys, signers ...txbuild.Signer) []byte {
		return wd.initiate(wd.g2, vms, threshold, next, signers...)
	}
	asGuardian := func(did string, signers ...txbuild.Signer) []byte {
		return didtest.Sign(w.initiateBody(wd.ID, w.version(wd.ID), did, vms2, 1, nil), signers...)
	}
	vm := func(f string, material []byte) []types.VerificationMethod {
		return []types.VerificationMethod{{Id: f, PublicKey: material}}
	}
	pub2 := didtest.Pub(nk2).Multicodec()
	bent := func(mut func(op *types.RecoveryInitiateOp)) []byte {
		b := w.initiateBody(wd.ID, w.version(wd.ID), wd.g2.ID.String(), vms2, 1, nil)
		mut(b.GetRecoveryInitiate())
		return didtest.Sign(b, wd.g2.Signer("k1"), pop)
	}
	withID := func(rid uint64) []byte { return bent(func(op *types.RecoveryInitiateOp) { op.RecoveryId = rid }) }
	restoring := func(v uint64) []byte { return bent(func(op *types.RecoveryInitiateOp) { op.RestoreVersion = v }) }
	compromised := func(flag bool, since int64) []byte {
		return bent(func(op *types.RecoveryInitiateOp) { op.Compromised, op.CompromisedSince = flag, since })
	}
	// The thief holding the ward's key adds a keyAgreement method under
	// the pending recovery's proposed fragment.
	squat := func() []byte {
		doc := w.document(wd.ID)
		doc.VerificationMethods = append(doc.VerificationMethods, xMethod("r1", "initiate/squat"))
		doc.KeyAgreement = append(doc.KeyAgreement, "r1")
		return didtest.Sign(txbuild.Update(advChain, wd.ID, w.version(wd.ID), doc), wd.Signer("k1"))
	}()
	return []advCase{
		{name: "naming recovery id 0", tx: withID(0), want: types.ErrWrongRecoveryID},
		{name: "naming the pending recovery's id", tx: withID(1), want: types.ErrWrongRecoveryID},
		{name: "naming an id past the next", tx: withID(3), want: types.ErrWrongRecoveryID},
		{name: "naming the largest id", tx: withID(math.MaxUint64), want: types.ErrWrongRecoveryID},
		{name: "by a DID that is no guardian", tx: wd.initiate(wd.g3, vms2, 1, nil, pop), want: types.ErrNotGuardian},
		{name: "by the advWard itself", tx: asGuardian(wd.ID.String(), wd.Signer("k1"), pop), want: types.ErrNotGuardian},
		{name: "by a guardian of another method", tx: asGuardian("did:web:example.com", pop), want: types.ErrInvalidDID},
		{name: "by an empty guardian", tx: asGuardian("", pop), want: types.ErrInvalidDID},
		{name: "a second one by the same guardian", tx: wd.initiate(wd.g1, vms2, 1, nil, pop), want: types.ErrRecoveryPending},
		{name: "proposing no key", tx: byG2(nil, 1, nil), want: types.ErrInvalidOperation},
		{name: "proposing an X25519 key", tx: byG2(vm("r1", didtest.X25519("initiate/x").Multicodec()), 1, nil), want: types.ErrInvalidOperation},
		{name: "proposing an unsupported key", tx: byG2(vm("r1", append([]byte{0xeb, 0x01}, make([]byte, 48)...)), 1, nil, pop), want: types.ErrUnsupportedKeyType},
		{name: "proposing a key of small order", tx: byG2(vm("r1", append([]byte{0xed, 0x01}, didtest.SmallOrderEd25519()[2]...)), 1, nil), want: types.ErrInvalidPublicKey},
		{name: "proposing threshold 0", tx: byG2(vms2, 0, nil, pop), want: types.ErrInvalidDocument},
		{name: "proposing threshold 2 of 1 key", tx: byG2(vms2, 2, nil, pop), want: types.ErrInvalidDocument},
		{name: "proposing a service's fragment", tx: byG2(vm("svc0", pub2), 1, nil, wd.pop("svc0", nk2)), want: types.ErrInvalidDocument},
		{name: "proposing an invalid fragment", tx: byG2(vm("r 1", pub2), 1, nil), want: types.ErrInvalidDocument},
		{name: "proposing one key twice", tx: byG2(append(vm("r1", pub2), vm("r2", pub2)...), 1, nil, pop, wd.pop("r2", nk2)), want: types.ErrDuplicateKey},
		{name: "proposing a bad commitment", tx: byG2(vms2, 1, &types.NextKeys{Digests: [][]byte{make([]byte, 31)}, Threshold: 1}, pop), want: types.ErrInvalidDocument},
		{name: "without the new key's signature", tx: byG2(vms2, 1, nil), want: types.ErrMissingPossession},
		{name: "the new key's signature by the guardian", tx: byG2(vms2, 1, nil, wd.pop("r1", wd.g2.Keys["k1"])), want: types.ErrBadSignature},
		{name: "signed by the advWard's key instead of the guardian's", tx: asGuardian(wd.g2.ID.String(), wd.Signer("k1"), pop), want: types.ErrUnknownSigner},
		{name: "the guardian's signature by another guardian", tx: asGuardian(wd.g2.ID.String(), txbuild.NewSigner(wd.g2.ID, "k1", wd.g3.Keys["k1"]), pop), want: types.ErrBadSignature},
		{name: "signed by another guardian", tx: asGuardian(wd.g2.ID.String(), wd.g1.Signer("k1"), pop), want: types.ErrUnknownSigner},
		{name: "not signed by the guardian", tx: asGuardian(wd.g2.ID.String(), pop), want: types.ErrThresholdNotMet},
		{name: "restoring a version not reached", tx: restoring(2), want: types.ErrRestoreVersion},
		{name: "restoring the largest version", tx: restoring(math.MaxUint64), want: types.ErrRestoreVersion},
		{name: "compromised since the future", tx: compromised(true, 4_000_000_000), want: types.ErrInvalidTime},
		{name: "compromised since before 1970", tx: compromised(true, -1), want: types.ErrInvalidTime},
		{name: "a compromise time without compromised", tx: compromised(false, 1_600_000_000), want: types.ErrInvalidOperation},
		{name: "control", tx: byG2(vms2, 1, nil, pop), check: func(t *testing.T, w *advWorld) {
			rs, err := keeper.GetRecoveries(w.a.Store(), wd.ID)
			require.NoError(t, err)
			require.Len(t, rs.Pending, 2)
		}},
		{name: "control: the thief squats a proposed fragment, the recoveries stay", tx: squat, check: func(t *testing.T, w *advWorld) {
			rs, err := keeper.GetRecoveries(w.a.Store(), wd.ID)
			require.NoError(t, err)
			require.Len(t, rs.Pending, 2)
		}},
	}
}

// buildApproveCancel: approvals and cancel votes by the wrong party, of
// the wrong recovery, or counted twice.
func buildApproveCancel(w *advWorld) []advCase {
	wd := newAdvWard(w, "approve")
	vms, nk := proposedKey("approve/new")
	w.commitOK(wd.initiate(wd.g1, vms, 1, nil, wd.pop("r1", nk)))
	approve := func(g string, rid uint64, signers ...txbuild.Signer) []byte {
		return didtest.Sign(w.approveBody(wd.ID, w.version(wd.ID), g, rid), signers...)
	}
	cancel := func(g string, rid uint64, signers ...txbuild.Signer) []byte {
		return didtest.Sign(w.cancelBody(wd.ID, w.version(wd.ID), g, rid), signers...)
	}
	g1, g2, g3 := wd.g1.ID.String(), wd.g2.ID.String(), wd.g3.ID.String()
	sg1, sg2, sg3 := wd.g1.Signer("k1"), wd.g2.Signer("k1"), wd.g3.Signer("k1")
	owner := wd.Signer("k1")
	return []advCase{
		{name: "approval by a DID that is no guardian", tx: approve(g3, 1, sg3), want: types.ErrNotGuardian},
		{name: "approval by the advWard", tx: approve(wd.ID.String(), 1, owner), want: types.ErrNotGuardian},
		{name: "approval by the initiator again", tx: approve(g1, 1, sg1), want: types.ErrAlreadyCounted},
		{name: "approval of an unknown recovery", tx: approve(g2, 2, sg2), want: types.ErrRecoveryNotFound},
		{name: "approval of recovery 0", tx: approve(g2, 0, sg2), want: types.ErrRecoveryNotFound},
		{name: "approval with another guardian's signature", tx: approve(g2, 1, txbuild.NewSigner(wd.g2.ID, "k1", wd.g1.Keys["k1"])), want: types.ErrBadSignature},
		{name: "approval signed by another guardian", tx: approve(g2, 1, sg1), want: types.ErrUnknownSigner},
		{name: "approval signed by a non-guardian", tx: approve(g2, 1, sg3), want: types.ErrUnknownSigner},
		{name: "approval signed by the advWard", tx: approve(g2, 1, owner), want: types.ErrUnknownSigner},
		{name: "approval unsigned", tx: approve(g2, 1), want: types.ErrThresholdNotMet},
		{name: "approval by a guardian of another method", tx: approve("did:web:example.com", 1, sg2), want: types.ErrInvalidDID},
		{name: "cancel by a DID that is no guardian", tx: cancel(g3, 1, sg3), want: types.ErrNotGuardian},
		{name: "cancel of an unknown recovery", tx: cancel("", 9, owner), want: types.ErrRecoveryNotFound},
		{name: "guardian cancel of an unknown recovery", tx: cancel(g2, 9, sg2), want: types.ErrRecoveryNotFound},
		{name: "owner's cancel signed by a guardian", tx: cancel("", 1, sg1), want: types.ErrUnknownSigner},
		{name: "owner's cancel signed by the proposed key", tx: cancel("", 1, wd.pop("r1", nk)), want: types.ErrUnknownSigner},
		{name: "owner's cancel unsigned", tx: cancel("", 1), want: types.ErrThresholdNotMet},
		{name: "guardian's cancel signed by the owner", tx: cancel(g2, 1, owner), want: types.ErrUnknownSigner},
		{name: "control: the second approval", tx: approve(g2, 1, sg2), check: func(t *testing.T, w *advWorld) {
			rs, err := keeper.GetRecoveries(w.a.Store(), wd.ID)
			require.NoError(t, err)
			require.NotZero(t, rs.Pending[0].Ready, "two approvals of two make the recovery ready")
		}},
		{name: "control: the owner's cancel vote", tx: cancel("", 1, owner)},
	}
}

// buildPreRotation: changes of a pre-rotated DID's control by its current
// key alone.
func buildPreRotation(w *advWorld) []advCase {
	base := didtest.Single(advChain, "pre-rotation")
	n1 := didtest.Key("pre-rotation/n1")
	n2 := didtest.Key("pre-rotation/n2")
	doc := didtest.CloneDoc(base.Doc)
	doc.NextKeys = txbuild.Commitment(1, didtest.Pub(n1))
	p := didtest.New(advChain, doc, base.Keys)
	w.commitOK(p.Create())
	x := didtest.Key("pre-rotation/x")
	as := func(f string, k ed25519.PrivateKey) txbuild.Signer { return txbuild.NewSigner(p.ID, f, k) }
	rot := func(to ed25519.PrivateKey, next *types.NextKeys, signers ...txbuild.Signer) []byte {
		b := txbuild.Rotate(advChain, p.ID, 1, "k1", didtest.Pub(to))
		b.GetRotateKey().NextKeys = next
		return didtest.Sign(b, signers...)
	}
	up := func(mut func(d *types.Document), signers ...txbuild.Signer) []byte {
		d := didtest.CloneDoc(p.Doc)
		mut(&d)
		return didtest.Sign(txbuild.Update(advChain, p.ID, 1, d), signers...)
	}
	reveal := func(f string, k ed25519.PrivateKey, signers ...txbuild.Signer) []byte {
		vms := []types.VerificationMethod{{Id: f, PublicKey: didtest.Pub(k).Multicodec()}}
		return didtest.Sign(txbuild.DeactivateRevealing(advChain, p.ID, 1, vms), signers...)
	}
	k1 := p.Signer("k1")
	fresh := txbuild.Commitment(1, didtest.Pub(n2))
	return []advCase{
		{name: "rotation to an uncommitted key", tx: rot(x, fresh, k1, as("k1", x)), want: types.ErrPreRotation},
		{name: "rotation to the committed key without a new commitment", tx: rot(n1, nil, k1, as("k1", n1)), want: types.ErrPreRotation},
		{name: "rotation to the committed key keeping the commitment", tx: rot(n1, p.Doc.NextKeys, k1, as("k1", n1)), want: types.ErrPreRotation},
		{name: "rotation to the committed key signed by the current key only", tx: rot(n1, fresh, k1), want: types.ErrThresholdNotMet},
		{name: "update adding a controller key", tx: up(func(d *types.Document) {
			d.VerificationMethods = append(d.VerificationMethods, types.VerificationMethod{Id: "k2", PublicKey: didtest.Pub(x).Multicodec()})
			d.CapabilityInvocation = append(d.CapabilityInvocation, "k2")
		}, k1, as("k2", x)), want: types.ErrPreRotation},
		{name: "update replacing the commitment", tx: up(func(d *types.Document) { d.NextKeys = txbuild.Commitment(1, didtest.Pub(x)) }, k1), want: types.ErrPreRotation},
		{name: "update dropping the commitment", tx: up(func(d *types.Document) { d.NextKeys = nil }, k1), want: types.ErrPreRotation},
		{name: "deactivation by the current key", tx: didtest.Sign(txbuild.Deactivate(advChain, p.ID, 1), k1), want: types.ErrPreRotation},
		{name: "deactivation revealing an uncommitted key", tx: reveal("x", x, k1, as("x", x)), want: types.ErrPreRotation},
		{name: "deactivation revealing the current key", tx: reveal("c", p.Keys["k1"], k1, as("c", p.Keys["k1"])), want: types.ErrPreRotation},
		{name: "deactivation revealing the committed key unsigned by it", tx: reveal("n", n1, k1), want: types.ErrPreRotation},
		// Finding 5: the current key may set guardians, but under the
		// commitment even the first set waits out its delay (the owner's
		// rotation to the committed keys cancels it meanwhile).
		{name: "control: guardians set by the current key alone wait out their delay", tx: didtest.Sign(w.guardiansBody(p.ID, 1, idStrings(w.guardians[0]), 1, advDay), k1),
			check: func(t *testing.T, w *advWorld) {
				gs, err := keeper.GetGuardians(w.a.Store(), p.ID)
				require.NoError(t, err)
				require.Empty(t, gs.Current.Guardians, "the first guardian set of a pre-rotated DID took effect at once")
				require.NotNil(t, gs.Pending)
				require.Equal(t, advBlockTime(w.height).Unix()+advDay, gs.PendingEffective)
			}},
		{name: "control: rotation by the committed key", tx: rot(n1, fresh, as("k1", n1)), check: func(t *testing.T, w *advWorld) {
			d := w.document(p.ID)
			require.Equal(t, didtest.Pub(n1).Multicodec(), d.VerificationMethods[0].PublicKey)
			require.Equal(t, fresh.Digests, d.NextKeys.Digests)
		}},
	}
}

// buildReplay: exact bytes of accepted txs, sent again.
func buildReplay(w *advWorld) []advCase {
	r := ownerWithExtras("replay")
	gone := didtest.Single(advChain, "replay-gone")
	w.commitOK(r.Create(), gone.Create())
	nk := didtest.Key("replay/rotated")
	update := didtest.Sign(serviceUpdate(r, 1, "svc"), r.Signer("k1"))
	w.commitOK(update)
	rotate := didtest.Sign(txbuild.Rotate(advChain, r.ID, 2, "k2", didtest.Pub(nk)), r.Signer("k1"), txbuild.NewSigner(r.ID, "k2", nk))
	w.commitOK(rotate)
	revoke := didtest.Sign(txbuild.Revoke(advChain, r.ID, 3, "k2", types.REVOCATION_REASON_COMPROMISED, 1_600_000_000), r.Signer("k1"))
	w.commitOK(revoke)
	deactivate := didtest.Sign(txbuild.Deactivate(advChain, gone.ID, 1), gone.Signer("k1"))
	w.commitOK(deactivate)

	// A recovery still pending: approved by both guardians, one owner's
	// cancel vote.
	open := newAdvWard(w, "replay-open")
	vms, rk := proposedKey("replay-open/new")
	initiate := open.initiate(open.g1, vms, 1, nil, open.pop("r1", rk))
	w.commitOK(initiate)
	approve := didtest.Sign(w.approveBody(open.ID, w.version(open.ID), open.g2.ID.String(), 1), open.g2.Signer("k1"))
	vote := didtest.Sign(w.cancelBody(open.ID, w.version(open.ID), "", 1), open.Signer("k1"))
	w.commitOK(approve, vote)

	// A recovery the owner and a guardian cancelled.
	vetoed := newAdvWard(w, "replay-vetoed")
	vms2, rk2 := proposedKey("replay-vetoed/new")
	initiate2 := vetoed.initiate(vetoed.g1, vms2, 1, nil, vetoed.pop("r1", rk2))
	w.commitOK(initiate2)
	veto := didtest.Sign(w.cancelBody(vetoed.ID, w.version(vetoed.ID), "", 1), vetoed.Signer("k1"))
	gveto := didtest.Sign(w.cancelBody(vetoed.ID, w.version(vetoed.ID), vetoed.g2.ID.String(), 1), vetoed.g2.Signer("k1"))
	w.commitOK(veto, gveto)

	// A guardian set the owner then replaced: g1 removed for g3.
	moved := newAdvWard(w, "replay-moved")
	first := moved.setGuardians
	w.commitOK(didtest.Sign(w.guardiansBody(moved.ID, w.version(moved.ID), idStrings(moved.g3), 1, advDay), moved.Signer("k1")))

	now := w.document(r.ID)
	now.Services = append(now.Services, svcOf("svc-4", "LinkedDomains", "https://example.com/svc-4"))
	control := didtest.Sign(txbuild.Update(advChain, r.ID, 4, now), r.Signer("k1"))
	return []advCase{
		{name: "create", tx: r.Create(), want: types.ErrDIDExists},
		{name: "update", tx: update, want: types.ErrStaleVersion},
		{name: "rotate", tx: rotate, want: types.ErrStaleVersion},
		{name: "revoke", tx: revoke, want: types.ErrStaleVersion},
		{name: "deactivate", tx: deactivate, want: types.ErrDeactivated},
		{name: "recovery initiate while it is pending", tx: initiate, want: types.ErrWrongRecoveryID},
		{name: "recovery approve", tx: approve, want: types.ErrAlreadyCounted},
		{name: "owner's cancel vote", tx: vote, want: types.ErrAlreadyCounted},
		{name: "guardian's cancel vote of a cancelled recovery", tx: gveto, want: types.ErrRecoveryNotFound},
		{name: "owner's cancel vote of a cancelled recovery", tx: veto, want: types.ErrRecoveryNotFound},
		{name: "recovery initiate after a veto", tx: initiate2, want: types.ErrWrongRecoveryID},
		{name: "set guardians after the owner replaced them", tx: first, want: types.ErrStaleGuardians},
		{name: "control", tx: control},
	}
}
