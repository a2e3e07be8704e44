package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/internal/testutil"
	"github.com/custos-ledger/custos/resolver"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// newNetWorldWith is newNetWorld (with governance) on cfg.
func newNetWorldWith(t *testing.T, cfg app.Config) *netWorld {
	a, err := app.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { a.Close() })
	w := &netWorld{t: t, a: a, gov: didtest.MofN(netChain, "governance", 2, 3)}
	req := &abci.RequestInitChain{ChainId: netChain, AppStateBytes: govGenesis(t, w.gov, 0), InitialHeight: 1, Time: time.Unix(1_700_000_000, 0)}
	for i := range 4 {
		k := consensusKey(fmt.Sprint("genesis-", i))
		w.vals = append(w.vals, k)
		req.Validators = append(req.Validators, abci.Ed25519ValidatorUpdate(consPub(k), 10))
	}
	_, err = a.InitChain(context.Background(), req)
	require.NoError(t, err)
	w.block()
	return w
}

func (w *netWorld) setPolicy(op types.SetWritePolicyOp, version uint64, fragments ...string) []byte {
	return w.sign(txbuild.SetWritePolicy(netChain, w.gov.ID, version, op), fragments...)
}

func (w *netWorld) params() types.Params {
	p, err := keeper.GetParams(w.a.Store())
	require.NoError(w.t, err)
	return p
}

func (w *netWorld) recheck(tx []byte) *abci.ResponseCheckTx {
	res, err := w.a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_Recheck})
	require.NoError(w.t, err)
	return res
}

// endorsedCreate is d's create co-signed by endorser's key k1.
func endorsedCreate(d, endorser *didtest.DID) []byte {
	return didtest.Sign(d.CreateBody(), append(d.Signers(d.SigningFragments()...), endorser.Signer("k1"))...)
}

// TestWritePolicyChange changes an open chain's write policy to endorsed
// through the governance DID. Refusals (not governance, below the
// threshold, params genesis would refuse) have their codes and change
// nothing; the change lets the rest of its block run under the old
// policy, and from the next block an unendorsed create is refused, in
// CheckTx, in a recheck of a create admitted before the change (the
// recheck shortcut must not wave it through), and in a block; an endorsed
// create is accepted. The change is in the governance DID's history and
// survives a restart.
func TestWritePolicyChange(t *testing.T) {
	dir := t.TempDir()
	w := newNetWorldWith(t, app.DefaultConfig(dir))
	endorser := didtest.Single(netChain, "endorser")
	other := didtest.Single(netChain, "not-governance")
	res := w.block(endorser.Create(), other.Create())
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	require.Zero(t, res.TxResults[1].Code, res.TxResults[1].Log)
	v := w.govVersion()
	genesis := w.params()
	require.Equal(t, types.WRITE_POLICY_OPEN, genesis.WritePolicy)

	endorsed := types.SetWritePolicyOp{Policy: types.WRITE_POLICY_ENDORSED, StampDifficulty: 2,
		Endorsers: []string{endorser.ID.String()}, RateLimits: []types.RateLimit{{Period: 3600, MaxOps: 50}}}
	for _, tc := range []struct {
		name string
		tx   []byte
		want *types.Error
	}{
		{"another DID's controllers", didtest.Sign(txbuild.SetWritePolicy(netChain, other.ID, 1, endorsed), other.Signer("k1")), types.ErrNotGovernance},
		{"one signature of a 2-of-3 governance", w.setPolicy(endorsed, v, "k1"), types.ErrThresholdNotMet},
		{"a stale governance version", w.setPolicy(endorsed, v+1, "k1", "k2"), types.ErrStaleVersion},
		{"endorsed without endorsers", w.setPolicy(types.SetWritePolicyOp{Policy: types.WRITE_POLICY_ENDORSED}, v, "k1", "k2"), types.ErrInvalidOperation},
		{"open with endorsers", w.setPolicy(types.SetWritePolicyOp{Endorsers: []string{endorser.ID.String()}}, v, "k1", "k2"), types.ErrInvalidOperation},
		{"an endorser that is not a DID", w.setPolicy(types.SetWritePolicyOp{Policy: types.WRITE_POLICY_ENDORSED, Endorsers: []string{"did:example:x"}}, v, "k1", "k2"), types.ErrInvalidOperation},
		{"an unknown policy", w.setPolicy(types.SetWritePolicyOp{Policy: 7}, v, "k1", "k2"), types.ErrInvalidOperation},
		{"a stamp difficulty above the maximum", w.setPolicy(types.SetWritePolicyOp{StampDifficulty: types.MaxStampDifficulty + 1}, v, "k1", "k2"), types.ErrInvalidOperation},
		{"a rate limit of no period", w.setPolicy(types.SetWritePolicyOp{RateLimits: []types.RateLimit{{Period: 0, MaxOps: 1}}}, v, "k1", "k2"), types.ErrInvalidOperation},
		{"a rate limit of no ops", w.setPolicy(types.SetWritePolicyOp{RateLimits: []types.RateLimit{{Period: 60, MaxOps: 0}}}, v, "k1", "k2"), types.ErrInvalidOperation},
		{"two rate limits of one period", w.setPolicy(types.SetWritePolicyOp{RateLimits: []types.RateLimit{{Period: 60, MaxOps: 1}, {Period: 60, MaxOps: 2}}}, v, "k1", "k2"), types.ErrInvalidOperation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.requireRefused(tc.tx, tc.want)
			require.Equal(t, genesis, w.params())
			require.Equal(t, v, w.govVersion())
		})
	}

	// A create admitted while the chain is open, waiting in the mempool.
	pending := didtest.Single(netChain, "pending")
	require.Zero(t, w.check(pending.Create()))
	require.Zero(t, w.recheck(pending.Create()).Code)

	// The change and a create in the same block: the create is judged
	// under the policy the block started with.
	sameBlock := didtest.Single(netChain, "same-block")
	res = w.block(w.setPolicy(endorsed, v, "k1", "k3"), sameBlock.Create())
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	require.Zero(t, res.TxResults[1].Code, "a create in the block that changes the policy runs under the old one: %s", res.TxResults[1].Log)
	v++
	require.Equal(t, v, w.govVersion())
	want := genesis
	want.WritePolicy, want.StampDifficulty, want.Endorsers, want.RateLimits = endorsed.Policy, endorsed.StampDifficulty, endorsed.Endorsers, endorsed.RateLimits
	require.Equal(t, want, w.params())

	// From the next block: the pending create (unstamped, unendorsed) is
	// refused by a recheck, by a new check and in a block; stamped, it is
	// still refused for want of an endorser.
	rc := w.recheck(pending.Create())
	require.Equal(t, types.ErrStampMissing.Code, rc.Code, "the recheck must apply the new policy: %s", rc.Log)
	require.Equal(t, types.ErrStampMissing.Code, w.check(pending.Create()))
	w.requireRefused(pending.Create(), types.ErrStampMissing)
	w.requireRefused(stampTx(t, pending.Create(), endorsed.StampDifficulty), types.ErrNotEndorsed)

	// An endorsed create needs the new stamp too.
	newcomer := didtest.Single(netChain, "newcomer")
	w.requireRefused(endorsedCreate(newcomer, endorser), types.ErrStampMissing)
	stamped := stampTx(t, endorsedCreate(newcomer, endorser), endorsed.StampDifficulty)
	require.Zero(t, w.check(stamped))
	res = w.block(stamped)
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)

	hist, err := keeper.GetHistory(w.a.Store(), w.gov.ID)
	require.NoError(t, err)
	last := hist[len(hist)-1]
	require.Equal(t, types.EVENT_KIND_WRITE_POLICY_SET, last.Kind)
	require.Equal(t, v, last.Version)
	require.Equal(t, &want, last.Params)

	// /healthz shows the policy in force, not the genesis one.
	hp := healthPolicy(t, w.a)
	require.Equal(t, "endorsed", hp.Policy)
	require.EqualValues(t, 2, hp.StampDifficulty)
	require.Equal(t, []string{endorser.ID.String()}, hp.Endorsers)
	require.Equal(t, []resolver.RateLimit{{PeriodSeconds: 3600, MaxOps: 50}}, hp.RateLimits)

	// A restarted node enforces the params in state, not the genesis ones.
	require.NoError(t, w.a.Close())
	a, err := app.New(app.DefaultConfig(dir))
	require.NoError(t, err)
	t.Cleanup(func() { a.Close() })
	w.a = a
	late := didtest.Single(netChain, "late")
	require.Equal(t, types.ErrNotEndorsed.Code, w.check(stampTx(t, late.Create(), endorsed.StampDifficulty)))

	// And governance can open the chain again.
	res = w.block(w.setPolicy(types.SetWritePolicyOp{}, v, "k2", "k3"))
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	require.Zero(t, w.check(late.Create()))
}

// TestWritePolicyChangeSameHashEveryPath runs blocks that change the write
// policy and then create DIDs under it on two nodes: one checks every tx
// first (CheckTx, rechecks, every acceleration on), the other only
// executes blocks with every acceleration off. Their app hashes and tx
// results agree at every height.
func TestWritePolicyChangeSameHashEveryPath(t *testing.T) {
	checked := newNetWorldWith(t, app.DefaultConfig(t.TempDir()))
	cfg := app.DefaultConfig(t.TempDir())
	cfg.Accel.SigCache, cfg.Accel.ParseCache, cfg.Accel.VersionCache, cfg.Accel.OrderCache, cfg.Accel.Admitted = 0, 0, 0, 0, 0
	cfg.Accel.Prewarm, cfg.Accel.RecheckShortcut = false, false
	plain := newNetWorldWith(t, cfg)

	endorser := didtest.Single(netChain, "endorser")
	a, b, c := didtest.Single(netChain, "a"), didtest.Single(netChain, "b"), didtest.Single(netChain, "c")
	v := checked.govVersion()
	toEndorsed := types.SetWritePolicyOp{Policy: types.WRITE_POLICY_ENDORSED, Endorsers: []string{endorser.ID.String()}}
	blocks := [][][]byte{
		{endorser.Create()},
		{checked.setPolicy(toEndorsed, v, "k1", "k2"), a.Create()},
		{b.Create(), endorsedCreate(c, endorser)},
		{checked.setPolicy(types.SetWritePolicyOp{RateLimits: []types.RateLimit{{Period: 3600, MaxOps: 1}}}, v+1, "k1", "k3")},
		{b.Create()},
	}
	wantCodes := [][]uint32{{0}, {0, 0}, {types.ErrNotEndorsed.Code, 0}, {0}, {0}}
	for i, txs := range blocks {
		for _, tx := range txs {
			checked.check(tx)
		}
		for _, tx := range txs {
			checked.recheck(tx)
		}
		r1, r2 := checked.block(txs...), plain.block(txs...)
		require.Equal(t, r2.AppHash, r1.AppHash, "block %d", i)
		var codes []uint32
		for j := range r1.TxResults {
			require.Equal(t, r2.TxResults[j].Code, r1.TxResults[j].Code, "block %d tx %d", i, j)
			codes = append(codes, r1.TxResults[j].Code)
		}
		require.Equal(t, wantCodes[i], codes, "block %d", i)
	}
}

// stampTx adds a stamp of bits to tx.
func stampTx(t *testing.T, tx []byte, bits uint32) []byte {
	out, err := txbuild.AddStamp(context.Background(), tx, bits, nil)
	require.NoError(t, err)
	return out
}

// healthPolicy returns the write policy a resolver over a's state shows in
// /healthz.
func healthPolicy(t *testing.T, a *app.App) resolver.WritePolicy {
	cfg := resolver.DefaultConfig()
	cfg.ListenAddr = fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	srv, err := resolver.New(cfg, resolver.NewLocalSource(a.Store(), nil), nil)
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	defer func() {
		require.NoError(t, srv.Shutdown(context.Background()))
		require.NoError(t, <-srv.Err())
	}()
	res, err := (&http.Client{Timeout: 10 * time.Second}).Get("http://" + cfg.ListenAddr + "/healthz")
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	var out struct {
		WritePolicy resolver.WritePolicy `json:"writePolicy"`
	}
	require.NoError(t, json.Unmarshal(body, &out))
	return out.WritePolicy
}
