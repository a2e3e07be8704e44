package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// initChainWith starts a chain whose app_state is the default one edited
// by edit.
func initChainWith(t testing.TB, a *app.App, edit func(*app.GenesisState)) {
	g := app.DefaultGenesisState()
	edit(&g)
	state, err := json.Marshal(g)
	require.NoError(t, err)
	_, err = a.InitChain(context.Background(), &abci.RequestInitChain{ChainId: goldenChain, AppStateBytes: state, InitialHeight: 1})
	require.NoError(t, err)
}

// policyChain is an app whose blocks run at wall-clock block times (as
// CheckTx uses the wall clock), so that CheckTx and blocks see the same
// rate-limit windows.
type policyChain struct {
	t      testing.TB
	a      *app.App
	height int64
}

func newPolicyChain(t testing.TB, edit func(*app.GenesisState)) *policyChain {
	a := newApp(t, t.TempDir())
	t.Cleanup(func() { a.Close() })
	initChainWith(t, a, edit)
	return &policyChain{t: t, a: a}
}

// block finalizes and commits txs at the current wall-clock second and
// returns the tx results.
func (c *policyChain) block(txs ...[]byte) []*abci.ExecTxResult {
	c.t.Helper()
	c.height++
	res, err := c.a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: c.height, Time: time.Now(), Txs: txs})
	require.NoError(c.t, err)
	_, err = c.a.Commit(context.Background(), &abci.RequestCommit{})
	require.NoError(c.t, err)
	return res.TxResults
}

func (c *policyChain) ok(txs ...[]byte) {
	c.t.Helper()
	for i, r := range c.block(txs...) {
		require.Zero(c.t, r.Code, "tx %d: %s", i, r.Log)
	}
}

func (c *policyChain) check(tx []byte, typ abci.CheckTxType) *abci.ResponseCheckTx {
	c.t.Helper()
	res, err := c.a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx, Type: typ})
	require.NoError(c.t, err)
	return res
}

func serviceDoc(k types.PublicKey, n int) types.Document {
	doc := txbuild.SimpleDocument("key-1", k)
	doc.Services = []types.Service{{Id: "hub", Type: "LinkedDomains", Endpoint: fmt.Sprintf("https://example.com/%d", n)}}
	return doc
}

// The recheck shortcut decides a version-bumping tx by the target's head
// alone. A guardian change counts against the DID's rate limit without
// bumping its version: a recheck after it must see the spent quota. The
// shortcut that compared only the version kept the update in the mempool
// (it answered OK where a full check says rate_limited).
func TestRecheckSeesRateLimitWithoutVersionBump(t *testing.T) {
	c := newPolicyChain(t, func(g *app.GenesisState) {
		g.Params.RateLimits = []app.GenesisRateLimit{{Period: "1h", MaxOps: 2}}
	})
	k, gk := seedKey("limited"), seedKey("limited guardian")
	id, create, err := txbuild.Create(goldenChain, txbuild.SimpleDocument("key-1", pubOf(k)), "")
	require.NoError(t, err)
	gid, gcreate, err := txbuild.Create(goldenChain, txbuild.SimpleDocument("key-1", pubOf(gk)), "")
	require.NoError(t, err)
	c.ok(didSign(t, create, id, k), didSign(t, gcreate, gid, gk)) // op 1 of id
	s := txbuild.NewSigner(id, "key-1", k)

	update, err := txbuild.Sign(txbuild.Update(goldenChain, id, 1, serviceDoc(pubOf(k), 1)), s)
	require.NoError(t, err)
	require.Zero(t, c.check(update, abci.CheckTxType_New).Code, "op 2 fits the quota")

	guardians, err := txbuild.Sign(txbuild.SetGuardians(goldenChain, id, 1, 0, []types.ID{gid}, 1, 24*60*60), s)
	require.NoError(t, err)
	c.ok(guardians) // op 2: the quota is spent, the version is still 1

	res := c.check(update, abci.CheckTxType_Recheck)
	require.Equal(t, types.ErrRateLimited.Code, res.Code, "the recheck must see the spent quota: %s", res.Log)
	require.Equal(t, res.Code, c.check(update, abci.CheckTxType_New).Code, "a recheck answers as a full check")
}

// An endorsed create depends on its endorser's head: once the endorser is
// deactivated, a recheck refuses the create it admitted.
func TestRecheckSeesEndorserChange(t *testing.T) {
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

	deactivate, err := txbuild.Sign(txbuild.Deactivate(goldenChain, eid, 1), txbuild.NewSigner(eid, "key-1", ek))
	require.NoError(t, err)
	c.ok(deactivate)
	res := c.check(tx, abci.CheckTxType_Recheck)
	require.Equal(t, types.ErrEndorserInactive.Code, res.Code, res.Log)
}

// A rate-limited refusal says when the next op is allowed, in its log and
// in an event attribute, in CheckTx and in the block's result.
func TestRateLimitedRefusalSaysWhen(t *testing.T) {
	c := newPolicyChain(t, func(g *app.GenesisState) {
		g.Params.RateLimits = []app.GenesisRateLimit{{Period: "1h", MaxOps: 1}}
	})
	k := seedKey("once")
	id, create, err := txbuild.Create(goldenChain, txbuild.SimpleDocument("key-1", pubOf(k)), "")
	require.NoError(t, err)
	c.ok(didSign(t, create, id, k))
	update, err := txbuild.Sign(txbuild.Update(goldenChain, id, 1, serviceDoc(pubOf(k), 1)), txbuild.NewSigner(id, "key-1", k))
	require.NoError(t, err)
	chk := c.check(update, abci.CheckTxType_New)
	require.Equal(t, types.ErrRateLimited.Code, chk.Code)
	require.Contains(t, chk.Log, "the next is allowed from block time")
	require.Len(t, chk.Events, 1)
	require.Equal(t, app.RefusalEventType, chk.Events[0].Type)
	r := c.block(update)[0]
	require.Equal(t, types.ErrRateLimited.Code, r.Code)
	require.Len(t, r.Events, 1)
	attrs := map[string]string{}
	for _, a := range r.Events[0].Attributes {
		attrs[a.Key] = a.Value
	}
	at, err := time.Parse(time.RFC3339, attrs["retry_at"])
	require.NoError(t, err)
	require.Contains(t, r.Log, attrs["retry_at"])
	require.Equal(t, fmt.Sprint(at.Unix()), attrs["retry_at_unix"])
	require.True(t, at.After(time.Now().Add(59*time.Minute)), "the window of an hour opened at the create: %s", at)
}

func didSign(t testing.TB, body types.TxBody, id types.ID, k []byte) []byte {
	tx, err := txbuild.Sign(body, txbuild.NewSigner(id, "key-1", k))
	require.NoError(t, err)
	return tx
}

// goldenRateLimitedAppHash is the app hash after goldenBlocks on a chain
// with the network's rate limits (the heads then hold rate-limit windows).
// It changes only when the rules, the layout or the encoding change.
const goldenRateLimitedAppHash = "732f66f90d398d19b99b46b79a92458feb46c55b0c224332f7e8bbdb745b9e42" // AppVersion 5 (layout 5)

func TestGoldenRateLimitedAppHash(t *testing.T) {
	blocks, codes := goldenBlocks(t)
	a := newApp(t, t.TempDir())
	defer a.Close()
	initChainWith(t, a, func(g *app.GenesisState) {
		g.Params.RateLimits = app.GenesisRateLimits(types.DefaultRateLimits())
	})
	hashes := runBlocks(t, a, blocks, codes)
	require.Equal(t, goldenRateLimitedAppHash, hashes[len(hashes)-1], "the golden app hash under rate limits changed: a consensus break")
	require.NotEqual(t, goldenAppHash, hashes[len(hashes)-1], "the heads commit to their rate-limit windows")
}
