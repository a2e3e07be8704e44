package e2e

import (
	"strconv"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/node"
	"github.com/custos-ledger/custos/node/nodetest"
)

// TestRecoveryAcrossStoppedChain stops the only validator after a recovery
// is approved and restarts it after the ready time has passed: the recovery
// executes in the first block whose time is at or past the ready time.
func TestRecoveryAcrossStoppedChain(t *testing.T) {
	if testing.Short() {
		t.Skip("starts node processes")
	}
	bin := custosBinary(t)
	home := nodetest.HomeWithGenesis(t, shortRecovery, func(cfg *cmtcfg.Config) {
		cfg.Consensus.TimeoutCommit = 150 * time.Millisecond
	})
	cfg, err := node.LoadConfig(home, node.Overrides{})
	require.NoError(t, err)
	c, err := rpchttp.New(cfg.RPC.ListenAddress, "/websocket")
	require.NoError(t, err)
	ctx := ctxT(t, 2*time.Minute)

	p := startChild(t, bin, home, 0)
	_, err = waitHeight(ctx, c, 1)
	require.NoError(t, err, p.tail())
	st, err := c.Status(ctx)
	require.NoError(t, err)
	w := &world{t: t, ctx: ctx, c: c, chainID: st.NodeInfo.Network}

	g := w.guarded("stopped", nil, 3)
	rid := w.initiate(g, 0, "recovered-1", testKey("stopped-new"))
	w.approve(g, 1, rid)
	ready := w.recovery(g.owner.id).Recoveries.Pending[0].Ready
	p.kill()
	require.Less(t, time.Now().Unix(), ready, "the node stopped before the ready time")

	time.Sleep(time.Until(time.Unix(ready+1, 0)))
	p = startChild(t, bin, home, 1)
	defer p.kill()
	w.waitBlockTime(ready)
	require.Equal(t, []string{"recovered-1"}, w.controllers(g.owner.id))

	// Find the first block at or past the ready time: it carries the event.
	st, err = c.Status(ctx)
	require.NoError(t, err)
	var first int64
	for h := int64(1); h <= st.SyncInfo.LatestBlockHeight; h++ {
		b, err := c.Block(ctx, &h)
		require.NoError(t, err)
		if b.Block.Time.Unix() >= ready {
			first = h
			break
		}
	}
	require.NotZero(t, first)
	res, err := c.BlockResults(ctx, &first)
	require.NoError(t, err)
	found := false
	for _, ev := range res.FinalizeBlockEvents {
		if ev.Type != app.EventType {
			continue
		}
		attrs := map[string]string{}
		for _, a := range ev.Attributes {
			attrs[a.Key] = a.Value
		}
		if attrs["operation"] == "recoveryExecuted" && attrs["recovery_id"] == strconv.FormatUint(rid, 10) {
			found = true
		}
	}
	require.True(t, found, "block %d (the first at or past the ready time) did not execute the recovery", first)
}
