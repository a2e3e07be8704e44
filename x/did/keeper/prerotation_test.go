package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// preRotatedWorld is a recovery world whose owner committed to next key
// "next-1" at creation. Under the commitment, the first guardian set takes
// effect after its delay: the world waits it out.
func preRotatedWorld(t *testing.T) *recoveryWorld {
	doc := txbuild.SimpleDocument("key-1", pub(key("owner")))
	doc.NextKeys = txbuild.Commitment(1, pub(key("next-1")))
	w := newWorld(t, &doc)
	timed := w.advance(testDelay)
	require.Len(t, timed, 1)
	require.Equal(t, types.EVENT_KIND_GUARDIANS_CHANGED, timed[0].Kind)
	return w
}

func rotateBody(w *recoveryWorld, frag string, to types.PublicKey, next *types.NextKeys) types.TxBody {
	b := txbuild.Rotate(testChain, w.owner, w.version(), frag, to)
	b.GetRotateKey().NextKeys = next
	return b
}

// A thief holding the current key cannot rotate a pre-rotated DID away.
func TestPreRotationStopsThief(t *testing.T) {
	w := preRotatedWorld(t)
	thief := key("thief")
	thiefSigner := txbuild.NewSigner(w.owner, "key-1", thief)

	t.Run("rotate to the thief's key", func(t *testing.T) {
		w.refused(rotateBody(w, "key-1", pub(thief), txbuild.Commitment(1, pub(key("thief-next")))),
			types.ErrPreRotation, w.ownerSigner(), thiefSigner)
	})
	t.Run("update adding a controller key", func(t *testing.T) {
		doc := w.current(w.owner).Document
		doc.VerificationMethods = append(doc.VerificationMethods, vm("t", pub(thief)))
		doc.CapabilityInvocation = append(doc.CapabilityInvocation, "t")
		w.refused(txbuild.Update(testChain, w.owner, w.version(), doc), types.ErrPreRotation,
			w.ownerSigner(), txbuild.NewSigner(w.owner, "t", thief))
	})
	t.Run("update dropping the commitment", func(t *testing.T) {
		doc := w.current(w.owner).Document
		doc.NextKeys = nil
		w.refused(txbuild.Update(testChain, w.owner, w.version(), doc), types.ErrPreRotation, w.ownerSigner())
	})
	t.Run("update replacing the commitment", func(t *testing.T) {
		doc := w.current(w.owner).Document
		doc.NextKeys = txbuild.Commitment(1, pub(key("thief-next")))
		w.refused(txbuild.Update(testChain, w.owner, w.version(), doc), types.ErrPreRotation, w.ownerSigner())
	})
	t.Run("a change that keeps control and commitment still works", func(t *testing.T) {
		doc := w.current(w.owner).Document
		doc.Services = []types.Service{{Id: "web", Type: "LinkedDomains", Endpoint: "https://example.org"}}
		w.ok(txbuild.Update(testChain, w.owner, w.version(), doc), w.ownerSigner())
	})
}

// The owner rotates to its committed key, signing with it alone; the
// rotation must commit anew, and it voids pending recoveries (a pending
// guardian change too: TestPreRotationGuardianBypass).
func TestPreRotationRevealCancelsPending(t *testing.T) {
	w := preRotatedWorld(t)
	next := key("next-1")
	rid := w.initiate(0, "evil", key("evil"))
	w.approve(1, rid)
	// While the recovery is pending, the guardians cannot change.
	w.refused(txbuild.SetGuardians(testChain, w.owner, w.version(), w.rev(), w.guardians[:1], 1, 20), types.ErrGuardiansLocked, w.ownerSigner())

	nextSigner := txbuild.NewSigner(w.owner, "key-1", next)
	t.Run("without a new commitment", func(t *testing.T) {
		w.refused(rotateBody(w, "key-1", pub(next), nil), types.ErrPreRotation, nextSigner)
	})
	t.Run("revealing another key", func(t *testing.T) {
		other := key("other")
		w.refused(rotateBody(w, "key-1", pub(other), txbuild.Commitment(1, pub(key("next-2")))),
			types.ErrPreRotation, txbuild.NewSigner(w.owner, "key-1", other))
	})
	out := w.ok(rotateBody(w, "key-1", pub(next), txbuild.Commitment(1, pub(key("next-2")))), nextSigner)
	require.Equal(t, types.EVENT_KIND_KEY_ROTATED, out.Kind)
	var kinds []types.EventKind
	for _, e := range out.Extra {
		kinds = append(kinds, e.Kind)
	}
	require.Equal(t, []types.EventKind{types.EVENT_KIND_RECOVERY_CANCELLED}, kinds)
	require.Empty(t, w.pending())
	require.Empty(t, w.advance(testDelay*2))
	require.Equal(t, pub(next).Multicodec(), w.current(w.owner).Document.VerificationMethods[0].PublicKey)

	// The old key is done; the next rotation needs next-2.
	w.refused(rotateBody(w, "key-1", pub(key("x")), txbuild.Commitment(1, pub(key("y")))), types.ErrPreRotation,
		nextSigner, txbuild.NewSigner(w.owner, "key-1", key("x")))
}

func TestNextKeysValidation(t *testing.T) {
	e := newRecoveryEnv(t)
	k := key("v")
	for _, tc := range []struct {
		name string
		next *types.NextKeys
	}{
		{"no digests", &types.NextKeys{Threshold: 1}},
		{"short digest", &types.NextKeys{Digests: [][]byte{{1, 2}}, Threshold: 1}},
		{"threshold 0", txbuild.Commitment(0, pub(key("a")))},
		{"threshold above", txbuild.Commitment(2, pub(key("a")))},
		{"digest twice", txbuild.Commitment(1, pub(key("a")), pub(key("a")))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := txbuild.SimpleDocument("key-1", pub(k))
			doc.NextKeys = tc.next
			id, body, err := txbuild.Create(testChain, doc, "")
			require.NoError(t, err)
			_, err = e.exec(e.sign(body, txbuild.NewSigner(id, "key-1", k)))
			require.ErrorIs(t, err, types.ErrInvalidDocument)
		})
	}
}

// Deactivation is irreversible: under a commitment only the committed next
// keys can do it, not a thief holding the current key.
func TestPreRotationGuardsDeactivation(t *testing.T) {
	w := preRotatedWorld(t)
	next := key("next-1")
	w.refused(txbuild.Deactivate(testChain, w.owner, w.version()), types.ErrPreRotation, w.ownerSigner())
	other := key("not-committed")
	w.refused(txbuild.DeactivateRevealing(testChain, w.owner, w.version(), []types.VerificationMethod{vm("n", pub(other))}),
		types.ErrPreRotation, txbuild.NewSigner(w.owner, "n", other))
	w.refused(txbuild.DeactivateRevealing(testChain, w.owner, w.version(), []types.VerificationMethod{vm("n", pub(next))}),
		types.ErrPreRotation, w.ownerSigner())
	w.ok(txbuild.DeactivateRevealing(testChain, w.owner, w.version(), []types.VerificationMethod{vm("n", pub(next))}),
		txbuild.NewSigner(w.owner, "n", next))
	require.True(t, w.head(w.owner).Deactivated)

	// Without a commitment, revealing keys is an error.
	plain := w.create(key("plain"))
	w.refused(txbuild.DeactivateRevealing(testChain, plain, 1, []types.VerificationMethod{vm("n", pub(next))}),
		types.ErrInvalidOperation, txbuild.NewSigner(plain, "key-1", key("plain")), txbuild.NewSigner(plain, "n", next))
}
