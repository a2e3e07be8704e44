package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/node/nodetest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// shortRecovery is a genesis with a 2s minimum delay and an 8s expiry.
func shortRecovery(g *app.GenesisState) {
	g.Params.RecoveryMinDelay = "2s"
	g.Params.RecoveryExpiry = "8s"
}

// TestRecoveryScenarios plays the adversarial recovery scenarios of issue #5
// against one real node.
func TestRecoveryScenarios(t *testing.T) {
	n := nodetest.Start(t, nodetest.HomeWithGenesis(t, shortRecovery))
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 1, 20*time.Second)
	w := &world{t: t, ctx: ctxT(t, 3*time.Minute), c: c, chainID: n.App().ChainID()}
	const delay = 2

	t.Run("owner lost every key: guardians recover after the delay", func(t *testing.T) {
		w.t = t
		g := w.guarded("lost", nil, delay)
		newKey := testKey("lost-new")
		rid := w.initiate(g, 0, "recovered-1", newKey)
		w.approve(g, 1, rid)
		rec := w.recovery(g.owner.id).Recoveries.Pending[0]
		require.NotZero(t, rec.Ready)
		require.Equal(t, []string{"key-1"}, w.controllers(g.owner.id), "nothing happens before the delay")
		w.waitBlockTime(rec.Ready)
		require.Equal(t, []string{"recovered-1"}, w.controllers(g.owner.id))
		v := w.version(g.owner.id)
		w.refused(txbuild.Deactivate(w.chainID, g.owner.id, v), types.ErrUnknownSigner, g.owner.signer())
		w.mustCommit(txbuild.Deactivate(w.chainID, g.owner.id, v), txbuild.NewSigner(g.owner.id, "recovered-1", newKey))
	})

	t.Run("guardian majority colludes: owner and one guardian cancel in time", func(t *testing.T) {
		w.t = t
		g := w.guarded("collude", nil, 4)
		rid := w.initiate(g, 0, "evil", testKey("evil"))
		w.approve(g, 1, rid)
		v := w.version(g.owner.id)
		w.mustCommit(txbuild.RecoveryCancel(w.chainID, g.owner.id, v, types.ID{}, rid), g.owner.signer())
		w.mustCommit(txbuild.RecoveryCancel(w.chainID, g.owner.id, v, g.guardians[2].id, rid), g.guardians[2].signer())
		require.Empty(t, w.recovery(g.owner.id).Recoveries.Pending)
		w.waitBlockTime(time.Now().Unix() + 5)
		require.Equal(t, []string{"key-1"}, w.controllers(g.owner.id))
	})

	t.Run("guardian majority colludes: the owner's pre-rotated key cancels", func(t *testing.T) {
		w.t = t
		next := testKey("pre-next")
		g := w.guarded("prerot", txbuild.Commitment(1, pubOf(next)), 4)
		rid := w.initiate(g, 0, "evil", testKey("evil2"))
		w.approve(g, 1, rid)
		body := txbuild.Rotate(w.chainID, g.owner.id, w.version(g.owner.id), "key-1", pubOf(next))
		body.GetRotateKey().NextKeys = txbuild.Commitment(1, pubOf(testKey("pre-next-2")))
		w.mustCommit(body, txbuild.NewSigner(g.owner.id, "key-1", next))
		require.Empty(t, w.recovery(g.owner.id).Recoveries.Pending)
	})

	t.Run("a thief with the owner's key cannot cancel a real recovery alone", func(t *testing.T) {
		w.t = t
		g := w.guarded("thief-cancel", nil, delay)
		rid := w.initiate(g, 0, "recovered-1", testKey("thief-cancel-new"))
		w.approve(g, 1, rid)
		w.mustCommit(txbuild.RecoveryCancel(w.chainID, g.owner.id, w.version(g.owner.id), types.ID{}, rid), g.owner.signer())
		rec := w.recovery(g.owner.id).Recoveries.Pending[0]
		require.Equal(t, []string{"owner"}, rec.CancelVotes)
		w.waitBlockTime(rec.Ready)
		require.Equal(t, []string{"recovered-1"}, w.controllers(g.owner.id))
	})

	t.Run("a thief with the owner's key cannot swap the guardians before the delay", func(t *testing.T) {
		w.t = t
		g := w.guarded("thief-swap", nil, 4)
		acc := w.newDID("accomplice", nil)
		w.mustCommit(txbuild.SetGuardians(w.chainID, g.owner.id, w.version(g.owner.id), w.recovery(g.owner.id).Guardians.Revision, []types.ID{acc.id}, 1, delay), g.owner.signer())
		rs := w.recovery(g.owner.id)
		require.NotNil(t, rs.Guardians.Pending)
		require.Len(t, rs.Guardians.Current.Guardians, 3, "the old set stays in force")
		nk := testKey("acc-new")
		w.refused(txbuild.RecoveryInitiate(w.chainID, g.owner.id, w.version(g.owner.id), w.recovery(g.owner.id).Recoveries.NextId+1, acc.id,
			[]types.VerificationMethod{{Id: "x", PublicKey: pubOf(nk).Multicodec()}}, 1, nil),
			types.ErrNotGuardian, acc.signer(), txbuild.NewSigner(g.owner.id, "x", nk))
		w.initiate(g, 0, "recovered-1", testKey("thief-swap-new"))
		require.Nil(t, w.recovery(g.owner.id).Guardians.Pending, "the recovery superseded the change")
	})

	t.Run("a thief removing every guardian after the initiation does not void the recovery", func(t *testing.T) {
		w.t = t
		g := w.guarded("thief-none", nil, 4)
		rid := w.initiate(g, 0, "recovered-1", testKey("thief-none-new"))
		// guardians set --none, in a later block, would take effect before
		// the recovery is ready: while a recovery is pending, the guardians
		// cannot change.
		w.refused(txbuild.SetGuardians(w.chainID, g.owner.id, w.version(g.owner.id), w.recovery(g.owner.id).Guardians.Revision, nil, 0, 0),
			types.ErrGuardiansLocked, g.owner.signer())
		w.approve(g, 1, rid)
		rs := w.recovery(g.owner.id)
		require.Nil(t, rs.Guardians.Pending)
		w.waitBlockTime(rs.Recoveries.Pending[0].Ready)
		require.Equal(t, []string{"recovered-1"}, w.controllers(g.owner.id))
		require.Len(t, w.recovery(g.owner.id).Guardians.Current.Guardians, 3, "the recovery restores the guardians it was initiated under")
	})

	t.Run("a thief's additions neither void the recovery nor survive it", func(t *testing.T) {
		w.t = t
		g := w.guarded("thief-collide", nil, 4)
		rid := w.initiate(g, 0, "recovered-1", testKey("thief-collide-new"))
		// The thief takes the proposed fragment with a keyAgreement key and
		// adds a service of its own.
		doc := w.document(g.owner.id)
		doc.VerificationMethods = append(doc.VerificationMethods, types.VerificationMethod{Id: "recovered-1", PublicKey: didtest.X25519("thief-collide").Multicodec()})
		doc.KeyAgreement = append(doc.KeyAgreement, "recovered-1")
		doc.Services = append(doc.Services, types.Service{Id: "inbox", Type: "DIDCommMessaging", Endpoint: "https://thief.example"})
		w.mustCommit(txbuild.Update(w.chainID, g.owner.id, w.version(g.owner.id), doc), g.owner.signer())
		w.approve(g, 1, rid)
		rec := w.recovery(g.owner.id).Recoveries.Pending[0]
		w.waitBlockTime(rec.Ready)
		got := w.document(g.owner.id)
		require.Equal(t, []string{"recovered-1"}, got.CapabilityInvocation, "the thief voided the recovery")
		require.Empty(t, got.Services, "the thief's service survived the recovery")
		require.Empty(t, got.KeyAgreement, "the thief's key survived the recovery")
	})

	t.Run("a thief with the owner's key cannot rotate away a pre-rotated DID", func(t *testing.T) {
		w.t = t
		owner := w.newDID("rotate-away", txbuild.Commitment(1, pubOf(testKey("rotate-away-next"))))
		thief := testKey("thief")
		body := txbuild.Rotate(w.chainID, owner.id, 1, "key-1", pubOf(thief))
		body.GetRotateKey().NextKeys = txbuild.Commitment(1, pubOf(testKey("thief-next")))
		w.refused(body, types.ErrPreRotation, owner.signer(), txbuild.NewSigner(owner.id, "key-1", thief))
	})

	t.Run("counting: twice, deactivated guardian, after expiry, deactivated target", func(t *testing.T) {
		w.t = t
		g := w.guarded("count", nil, delay)
		rid := w.initiate(g, 0, "recovered-1", testKey("count-new"))
		v := w.version(g.owner.id)
		w.refused(txbuild.RecoveryApprove(w.chainID, g.owner.id, v, g.guardians[0].id, rid), types.ErrAlreadyCounted, g.guardians[0].signer())
		w.mustCommit(txbuild.Deactivate(w.chainID, g.guardians[1].id, 1), g.guardians[1].signer())
		w.refused(txbuild.RecoveryApprove(w.chainID, g.owner.id, v, g.guardians[1].id, rid), types.ErrGuardianInactive, g.guardians[1].signer())
		rec := w.recovery(g.owner.id).Recoveries.Pending[0]
		w.waitBlockTime(rec.Expires)
		require.Empty(t, w.recovery(g.owner.id).Recoveries.Pending, "expired")
		w.refused(txbuild.RecoveryApprove(w.chainID, g.owner.id, v, g.guardians[2].id, rid), types.ErrRecoveryNotFound, g.guardians[2].signer())
		w.mustCommit(txbuild.Deactivate(w.chainID, g.owner.id, v), g.owner.signer())
		nk := testKey("count-new-2")
		w.refused(txbuild.RecoveryInitiate(w.chainID, g.owner.id, v+1, w.recovery(g.owner.id).Recoveries.NextId+1, g.guardians[2].id,
			[]types.VerificationMethod{{Id: "r2", PublicKey: pubOf(nk).Multicodec()}}, 1, nil),
			types.ErrDeactivated, g.guardians[2].signer(), txbuild.NewSigner(g.owner.id, "r2", nk))
	})
}
