package e2e

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/node/nodetest"
	"github.com/custos-ledger/custos/x/did/types"
)

// TestConcurrentLoadInProcess runs CheckTx (broadcasts), FinalizeBlock and
// Commit (consensus) and Query (resolution) at the same time on one
// in-process node, so `go test -race` sees the app's concurrent paths; then
// it checks that every accepted create committed.
func TestConcurrentLoadInProcess(t *testing.T) {
	n := nodetest.Start(t, nodetest.Home(t))
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 1, 20*time.Second)
	ctx := ctxT(t, 60*time.Second)
	chainID := n.App().ChainID()

	var accepted sync.Map
	var sent atomic.Int64
	var wg sync.WaitGroup
	stop := time.Now().Add(3 * time.Second)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; time.Now().Before(stop) && i < 400; i++ {
				id, tx := newCreate(t, chainID, testKey(fmt.Sprintf("load-%d-%d", w, i)))
				sent.Add(1)
				res, err := c.BroadcastTxSync(ctx, tx)
				if err == nil && res.Code == 0 {
					accepted.Store(id, true)
				}
				// Read while blocks execute.
				_, _ = c.ABCIQuery(ctx, types.QueryPathDID, []byte(id.String()))
			}
		}(w)
	}
	wg.Wait()
	// An accepted tx may wait in the mempool for several blocks on a
	// loaded machine: wait until the mempool is empty, then for one more
	// block.
	require.Eventually(t, func() bool {
		u, err := c.NumUnconfirmedTxs(ctx)
		return err == nil && u.Total == 0
	}, 60*time.Second, 100*time.Millisecond, "the mempool did not drain")
	st, err := c.Status(ctx)
	require.NoError(t, err)
	nodetest.WaitForHeight(t, c, st.SyncInfo.LatestBlockHeight+1, 20*time.Second)
	count := 0
	accepted.Range(func(k, _ any) bool {
		count++
		return true
	})
	require.NotZero(t, count)
	t.Logf("%d of %d creates accepted by CheckTx", count, sent.Load())
	accepted.Range(func(k, _ any) bool {
		id := k.(interface{ String() string })
		res, err := c.ABCIQuery(ctx, types.QueryPathDID, []byte(id.String()))
		require.NoError(t, err)
		require.Zero(t, res.Response.Code, "%s accepted but not committed: %s", id, res.Response.Log)
		return true
	})
}
