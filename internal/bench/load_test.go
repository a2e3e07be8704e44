package bench

import (
	"context"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/node/nodetest"
	"github.com/custos-ledger/custos/x/did/keeper"
)

// TestCommitThroughFullMempool offers 300 creates to a node whose mempool
// holds 20 txs: Offer loses some to "mempool is full", Cluster.Commit
// gets every one committed.
func TestCommitThroughFullMempool(t *testing.T) {
	n := nodetest.Start(t, nodetest.Home(t, func(c *cmtcfg.Config) { c.Mempool.Size = 20 }))
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 1, 20*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	chain := n.App().ChainID()
	cl := &Cluster{Clients: []*rpchttp.HTTP{c}}

	lost, _ := didtest.Creates(chain, "offer", 0, 300)
	off := Offer(ctx, cl.Clients, lost, 0, 8, time.Minute, 0)
	require.Positive(t, off.Reasons["mempool is full"], "the small mempool must refuse some: %v", off.Reasons)
	require.Equal(t, off.Sent, off.Accepted+off.Rejected)
	require.Positive(t, off.RTTp50, "accepted calls have a round trip")
	require.GreaterOrEqual(t, off.RTTp99, off.RTTp50)

	txs, ids := didtest.Creates(chain, "commit", 0, 300)
	require.NoError(t, cl.Commit(ctx, txs, 8))
	st := n.App().Store()
	for _, id := range ids {
		head, err := keeper.GetHead(st, id)
		require.NoError(t, err)
		require.NotNil(t, head, "%s was not created", id)
	}
}

// A connection refused for a full mempool waits before it sends again: in
// 2 s with a 250 ms wait, each of 8 connections is refused at most 9 times
// (without the wait, each refusal takes about a millisecond: 1,940 in a
// run without it).
func TestOfferBacksOffFromAFullMempool(t *testing.T) {
	n := nodetest.Start(t, nodetest.Home(t, func(c *cmtcfg.Config) { c.Mempool.Size = 20 }))
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 1, 20*time.Second)
	txs, _ := didtest.Creates(n.App().ChainID(), "backoff", 0, 2000)
	off := Offer(context.Background(), []*rpchttp.HTTP{c}, txs, 0, 8, 2*time.Second, 250*time.Millisecond)
	full := off.Reasons["mempool is full"]
	require.Positive(t, full, "the small mempool must refuse some: %v", off.Reasons)
	require.LessOrEqual(t, full, int64(8*9), "refusals: %v", off.Reasons)
}

// The table gives the ratio of Custos's median to each baseline's.
func TestTableRatios(t *testing.T) {
	var rs []Result
	for i, ops := range []float64{900, 1000, 1100} {
		rs = append(rs,
			Result{App: AppCustos, Validators: 4, Rep: i, OpsPerSec: ops, CPUCores: 1.6},
			Result{App: AppKVStore, Validators: 4, Rep: i, OpsPerSec: 2 * ops, RTTp50Ms: ops / 1000, RTTp99Ms: ops / 100},
			Result{App: AppKVStock, Validators: 4, Rep: i, OpsPerSec: 4 * ops})
	}
	table := Table(rs, Config{})
	// 1.6 cores over 4 nodes: 400, 364 and 444 µs per op per node.
	require.Contains(t, table, "| 4 | custos | 900 / 1000 / 1100 | 0 | 0.0 / 0.0 | 0.00 | 1.60 | 400 | 0 |  |")
	require.Contains(t, table, "| 4 | kvstore | 1800 / 2000 / 2200 | 0 | 1.0 / 10.0 | 0.00 | 0.00 | 0 | 0 | **0.50** |")
	require.Contains(t, table, "| 4 | kvstore-stock | 3600 / 4000 / 4400 | 0 | 0.0 / 0.0 | 0.00 | 0.00 | 0 | 0 | **0.25** |")
	require.NotContains(t, table, "†")
}

// An app whose connections sent at the offered rate was held back by the
// load: the table marks it, since its figure (and the ratio) is then a floor.
func TestTableMarksOfferedRateBound(t *testing.T) {
	rs := []Result{
		{App: AppCustos, Validators: 1, OpsPerSec: 2800, Offered: 45_000, Seconds: 15},
		{App: AppKVStore, Validators: 1, OpsPerSec: 4900, Offered: 74_700, Seconds: 15},
	}
	table := Table(rs, Config{Rate: 5000})
	require.Contains(t, table, "| 1 | custos | 2800 / 2800 / 2800 | 3000 | ")
	require.Contains(t, table, "| 1 | kvstore | 4900 / 4900 / 4900 | 4980 † | ")
	require.Contains(t, table, "held back by the load")
	require.NotContains(t, Table(rs, Config{Rate: 10000}), "†")
}

// Rate counts every block but the first over the time from the first block
// to the last, so it does not jump with where the window's edges fall.
func TestWindowRate(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	w := Window{Blocks: 6, OK: 13000, FirstOK: 2000, FirstT: t0, LastT: t0.Add(5 * time.Second), Seconds: 15}
	require.InDelta(t, 2200, w.Rate(), 1e-9)
	require.InDelta(t, 1, w.BlockRate(), 1e-9)
	one := Window{Blocks: 1, OK: 300, FirstOK: 300, FirstT: t0, LastT: t0, Seconds: 15}
	require.InDelta(t, 20, one.Rate(), 1e-9, "one block: over the window")
	require.InDelta(t, 1.0/15, one.BlockRate(), 1e-9)
	require.Zero(t, Window{}.Rate())
}

// An app that is not one of Apps is refused before anything starts; the
// suite also needs custos beside a baseline.
func TestUnknownAppRefused(t *testing.T) {
	_, err := Run(context.Background(), Config{App: "nope", Dir: t.TempDir()})
	require.ErrorContains(t, err, `unknown app "nope": one of custos, kvstore, kvstore-stock`)
	err = Suite(context.Background(), SuiteConfig{Apps: []string{AppCustos, "nope"}, OutDir: t.TempDir()})
	require.ErrorContains(t, err, `unknown app "nope"`)
	err = Suite(context.Background(), SuiteConfig{Apps: []string{AppKVStore, AppKVStock}, OutDir: t.TempDir()})
	require.ErrorContains(t, err, "beside at least one baseline")
}
