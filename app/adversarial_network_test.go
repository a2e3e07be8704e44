package app_test

import (
	"context"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
	"github.com/custos-ledger/custos/x/network/pop"
)

// accepts runs ProcessProposal on txs at the next height.
func (w *netWorld) accepts(txs ...[]byte) bool {
	w.t.Helper()
	res, err := w.a.ProcessProposal(context.Background(), &abci.RequestProcessProposal{Height: w.height + 1, Txs: txs})
	require.NoError(w.t, err)
	return res.Status == abci.ResponseProcessProposal_ACCEPT
}

// A byzantine proposer packs one block with three validator changes, each
// signed by the governance threshold, the second and third both built on
// the version the first makes. Every node accepts the block (authorization and
// versions are per-tx results), but only the first change applies and
// FinalizeBlock hands CometBFT a single validator update.
func TestProposerPacksValidatorChanges(t *testing.T) {
	w := newNetWorld(t, true)
	v := w.govVersion()
	k0 := consensusKey("new-0")
	txs := [][]byte{
		w.add(k0, 5, v),
		w.sign(txbuild.SetValidatorPower(netChain, w.gov.ID, v+1, consPub(w.vals[1]), 12), "k1", "k2"),
		w.sign(txbuild.RemoveValidator(netChain, w.gov.ID, v+1, consPub(w.vals[2])), "k1", "k3"),
	}
	require.True(t, w.accepts(txs...))
	res := w.block(txs...)
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	for i := 1; i < len(txs); i++ {
		require.Equal(t, types.ErrValidatorChangeLimit.Code, res.TxResults[i].Code, "tx %d: %s", i, res.TxResults[i].Log)
	}
	require.Equal(t, []abci.ValidatorUpdate{abci.Ed25519ValidatorUpdate(consPub(k0), 5)}, res.ValidatorUpdates)
	require.Equal(t, v+1, w.govVersion())
}

// The power bound at its edge: with a total of 45, a change of 14 passes
// and a change of exactly 15 (a third) is refused.
func TestValidatorPowerChangeAtAThird(t *testing.T) {
	w := newNetWorld(t, true)
	k0 := consensusKey("new-0")
	res := w.block(w.add(k0, 5, w.govVersion()))
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	v := w.govVersion()
	res = w.block(w.sign(txbuild.SetValidatorPower(netChain, w.gov.ID, v, consPub(k0), 20), "k1", "k2"))
	require.Equal(t, types.ErrValidatorPowerChange.Code, res.TxResults[0].Code, "a change of exactly a third: %s", res.TxResults[0].Log)
	require.Empty(t, res.ValidatorUpdates)
	res = w.block(w.sign(txbuild.SetValidatorPower(netChain, w.gov.ID, v, consPub(k0), 19), "k1", "k2"))
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	require.Equal(t, []abci.ValidatorUpdate{abci.Ed25519ValidatorUpdate(consPub(k0), 19)}, res.ValidatorUpdates)
}

// A governance key rotation and a validator change in one block. Whoever
// holds the keys being replaced (a thief, or operators who left) sees the
// rotation in the mempool and signs a change on the version it makes; a
// proposer puts it right after the rotation. The change is judged by the
// keys current when it executes, so it is refused. In the other order the
// change applies under the old keys and the rotation, built on the version
// the change used up, is refused as stale: one signed operation applies
// once, and never on a version it was not built on.
func TestGovernanceRotationAndValidatorChangeInOneBlock(t *testing.T) {
	rotation := func(w *netWorld, v uint64) []byte {
		next := didtest.MofN(netChain, "governance-next", 2, 2)
		signers := append(w.gov.Signers("k1", "k2"), next.Signer("k1"), next.Signer("k2"))
		for i := range signers {
			signers[i].URL.ID = w.gov.ID
		}
		return didtest.Sign(txbuild.Update(netChain, w.gov.ID, v, didtest.CloneDoc(next.Doc)), signers...)
	}
	k0 := consensusKey("new-0")

	t.Run("rotation first", func(t *testing.T) {
		w := newNetWorld(t, true)
		v := w.govVersion()
		change := w.sign(txbuild.AddValidator(netChain, w.gov.ID, v+1, consPub(k0), 5, "n", pop.Sign(k0)), "k1", "k2")
		require.True(t, w.accepts(rotation(w, v), change))
		res := w.block(rotation(w, v), change)
		require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
		require.Equal(t, types.ErrBadSignature.Code, res.TxResults[1].Code, res.TxResults[1].Log)
		require.Empty(t, res.ValidatorUpdates)
		require.Equal(t, v+1, w.govVersion())
	})
	t.Run("change first", func(t *testing.T) {
		w := newNetWorld(t, true)
		v := w.govVersion()
		change := w.sign(txbuild.AddValidator(netChain, w.gov.ID, v, consPub(k0), 5, "n", pop.Sign(k0)), "k1", "k2")
		res := w.block(change, rotation(w, v))
		require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
		require.Equal(t, types.ErrStaleVersion.Code, res.TxResults[1].Code, res.TxResults[1].Log)
		require.Len(t, res.ValidatorUpdates, 1)
		// The change replayed in a later block: stale.
		res = w.block(change)
		require.Equal(t, types.ErrStaleVersion.Code, res.TxResults[0].Code, res.TxResults[0].Log)
		require.Empty(t, res.ValidatorUpdates)
	})
}

// Consensus keys that are no honest key: the non-canonical encodings of
// small-order points (another encoding of a point is another address to
// CometBFT), each refused before its proof of possession is looked at.
func TestValidatorNonCanonicalKeysRefused(t *testing.T) {
	w := newNetWorld(t, true)
	v := w.govVersion()
	k0 := consensusKey("new-0")
	for i, pub := range didtest.NonCanonicalEd25519() {
		tx := w.sign(txbuild.AddValidator(netChain, w.gov.ID, v, pub, 5, "n", pop.Sign(k0)), "k1", "k2")
		require.Equal(t, types.ErrInvalidValidatorKey.Code, w.check(tx), "key %d", i)
		res := w.block(tx)
		require.Equal(t, types.ErrInvalidValidatorKey.Code, res.TxResults[0].Code, "key %d: %s", i, res.TxResults[0].Log)
		require.Empty(t, res.ValidatorUpdates)
	}
}
