package app_test

import (
	"bytes"
	"context"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// An endorsed create carries a signature by a key of another DID (the
// endorser). A proposer's PrepareProposal must keep it and every node's
// ProcessProposal must accept the block that holds it: a check of the
// create's "own" signatures that counted the endorsement as a stranger's
// would leave an endorsed chain unable to create any DID.
func TestEndorsedCreateCrossesTheProposal(t *testing.T) {
	ek := seedKey("endorser")
	eid, ecreate, err := txbuild.Create(goldenChain, txbuild.SimpleDocument("key-1", pubOf(ek)), "")
	require.NoError(t, err)
	c := newPolicyChain(t, func(g *app.GenesisState) {
		g.Params.WritePolicy = app.PolicyEndorsed
		g.Params.Endorsers = []string{eid.String()}
	})
	c.ok(didSign(t, ecreate, eid, ek))
	k := seedKey("endorsed")
	id, create, err := txbuild.Create(goldenChain, txbuild.SimpleDocument("key-1", pubOf(k)), "")
	require.NoError(t, err)
	tx, err := txbuild.Sign(create, txbuild.NewSigner(id, "key-1", k), txbuild.NewSigner(eid, "key-1", ek))
	require.NoError(t, err)
	require.Zero(t, c.check(tx, abci.CheckTxType_New).Code)

	ctx := context.Background()
	prep, err := c.a.PrepareProposal(ctx, &abci.RequestPrepareProposal{Height: c.height + 1, Txs: [][]byte{tx}, MaxTxBytes: 1 << 20})
	require.NoError(t, err)
	require.Equal(t, [][]byte{tx}, prep.Txs, "the proposer left the endorsed create out")
	proc, err := c.a.ProcessProposal(ctx, &abci.RequestProcessProposal{Height: c.height + 1, Txs: [][]byte{tx}})
	require.NoError(t, err)
	require.Equal(t, abci.ResponseProcessProposal_ACCEPT, proc.Status, "a block holding an endorsed create was refused")
	c.ok(tx)
}

// withStamp returns tx with its stamp replaced by s.
func withStamp(t *testing.T, tx []byte, s *types.Stamp) []byte {
	var env types.Tx
	require.NoError(t, env.Unmarshal(tx))
	env.Stamp = s
	out, err := env.Marshal()
	require.NoError(t, err)
	return out
}

// A chain that asks for no stamp (stamp_difficulty 0, as an endorsed chain
// may) refuses a create that carries one. Otherwise a stamp claiming 0 bits
// passes with any nonce, so anyone who sees a create in a mempool (here an
// endorsed one, which only an endorser can make) makes as many copies of it
// as they like, each with its own tx hash: each passes CheckTx and the
// proposal's duplicate check, and each takes its place in a block before
// all but one fail as already created.
func TestStampMalleabilityAtDifficultyZero(t *testing.T) {
	ek := seedKey("endorser")
	eid, ecreate, err := txbuild.Create(goldenChain, txbuild.SimpleDocument("key-1", pubOf(ek)), "")
	require.NoError(t, err)
	c := newPolicyChain(t, func(g *app.GenesisState) {
		g.Params.WritePolicy = app.PolicyEndorsed
		g.Params.Endorsers = []string{eid.String()}
		g.Params.StampDifficulty = 0
	})
	c.ok(didSign(t, ecreate, eid, ek))
	k := seedKey("endorsed")
	id, create, err := txbuild.Create(goldenChain, txbuild.SimpleDocument("key-1", pubOf(k)), "")
	require.NoError(t, err)
	tx, err := txbuild.Sign(create, txbuild.NewSigner(id, "key-1", k), txbuild.NewSigner(eid, "key-1", ek))
	require.NoError(t, err)
	require.Zero(t, c.check(tx, abci.CheckTxType_New).Code)

	copies := [][]byte{
		withStamp(t, tx, &types.Stamp{}),
		withStamp(t, tx, &types.Stamp{Nonce: []byte{1}}),
		withStamp(t, tx, &types.Stamp{Nonce: bytes.Repeat([]byte{7}, types.MaxStampNonce)}),
	}
	for i, cp := range copies {
		res := c.check(cp, abci.CheckTxType_New)
		require.Equal(t, types.ErrStampInvalid.Code, res.Code, "copy %d passed CheckTx: %s", i, res.Log)
	}
	// A proposal holding a copy is refused; in a block all the same, each
	// copy is refused for its stamp and the original still creates the DID.
	for i, cp := range copies {
		proc, err := c.a.ProcessProposal(context.Background(), &abci.RequestProcessProposal{Height: c.height + 1, Txs: [][]byte{tx, cp}})
		require.NoError(t, err)
		require.Equal(t, abci.ResponseProcessProposal_REJECT, proc.Status, "a proposal with copy %d was accepted", i)
	}
	results := c.block(append(copies, tx)...)
	for i := range copies {
		require.Equal(t, types.ErrStampInvalid.Code, results[i].Code, "copy %d: %s", i, results[i].Log)
	}
	require.Zero(t, results[len(copies)].Code, results[len(copies)].Log)
}

// A spammer with one DID signs many different updates of its version 1.
// Each passes CheckTx (the mempool checks against the committed state, in
// which the version is current and the quota unspent), but one at most can
// apply. An honest proposer keeps 4 per version slot (one applies; the
// others let racing clients see stale_version), so the spammer's free txs
// cannot fill blocks with refusals; txs of other DIDs, and of other slots,
// are kept.
func TestProposalBoundsTxsPerVersionSlot(t *testing.T) {
	c := newPolicyChain(t, func(g *app.GenesisState) {})
	k, other := seedKey("flood"), seedKey("bystander")
	id, create, err := txbuild.Create(goldenChain, txbuild.SimpleDocument("key-1", pubOf(k)), "")
	require.NoError(t, err)
	oid, ocreate, err := txbuild.Create(goldenChain, txbuild.SimpleDocument("key-1", pubOf(other)), "")
	require.NoError(t, err)
	c.ok(didSign(t, create, id, k), didSign(t, ocreate, oid, other))

	var flood [][]byte
	for i := range 200 {
		tx, err := txbuild.Sign(txbuild.Update(goldenChain, id, 1, serviceDoc(pubOf(k), i)), txbuild.NewSigner(id, "key-1", k))
		require.NoError(t, err)
		require.Zero(t, c.check(tx, abci.CheckTxType_New).Code)
		flood = append(flood, tx)
	}
	bystander, err := txbuild.Sign(txbuild.Update(goldenChain, oid, 1, serviceDoc(pubOf(other), 1)), txbuild.NewSigner(oid, "key-1", other))
	require.NoError(t, err)
	// Two creates of one DID that differ in their envelope only (the
	// order of the signatures of a 2-key inception).
	twinA := didtest.MofN(goldenChain, "twin", 1, 2).Create()
	var env types.Tx
	require.NoError(t, env.Unmarshal(twinA))
	env.Signatures[0], env.Signatures[1] = env.Signatures[1], env.Signatures[0]
	twinB, err := env.Marshal()
	require.NoError(t, err)
	require.Zero(t, c.check(twinB, abci.CheckTxType_New).Code)
	mempool := append(append([][]byte{twinA}, flood...), bystander, twinB)
	prep, err := c.a.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{Height: c.height + 1, Txs: mempool, MaxTxBytes: 1 << 22})
	require.NoError(t, err)
	require.Equal(t, [][]byte{twinA, flood[0], flood[1], flood[2], flood[3], bystander, twinB}, prep.Txs)
	want := []uint32{0, 0, types.ErrStaleVersion.Code, types.ErrStaleVersion.Code, types.ErrStaleVersion.Code, 0, types.ErrDIDExists.Code}
	for i, r := range c.block(prep.Txs...) {
		require.Equal(t, want[i], r.Code, "tx %d: %s", i, r.Log)
	}
	// The next version is a slot of its own.
	next, err := txbuild.Sign(txbuild.Update(goldenChain, id, 2, serviceDoc(pubOf(k), 999)), txbuild.NewSigner(id, "key-1", k))
	require.NoError(t, err)
	// Guardian changes make no version but share the slot all the same.
	var guardians [][]byte
	for i := range 50 {
		tx, err := txbuild.Sign(txbuild.SetGuardians(goldenChain, oid, 2, 0, []types.ID{id}, 1, 24*60*60+int64(i)), txbuild.NewSigner(oid, "key-1", other))
		require.NoError(t, err)
		require.Zero(t, c.check(tx, abci.CheckTxType_New).Code)
		guardians = append(guardians, tx)
	}
	prep, err = c.a.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{Height: c.height + 1, Txs: append([][]byte{next}, guardians...), MaxTxBytes: 1 << 22})
	require.NoError(t, err)
	require.Equal(t, append([][]byte{next}, guardians[:4]...), prep.Txs)
}
