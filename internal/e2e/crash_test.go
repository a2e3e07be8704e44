package e2e

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/node"
	"github.com/custos-ledger/custos/node/nodetest"
	"github.com/custos-ledger/custos/x/did/types"
)

// TestCrashRecovery runs `custos start` as a child process under a stream
// of creates, SIGKILLs it at several moments, restarts it, and checks that
// every create the client was told is committed is there, that the app
// hash recorded for every height never changes, and that the chain goes on.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills node processes")
	}
	bin := custosBinary(t)
	home := nodetest.Home(t, func(cfg *cmtcfg.Config) {
		cfg.Consensus.TimeoutCommit = 150 * time.Millisecond
	})
	cfg, err := node.LoadConfig(home, node.Overrides{})
	require.NoError(t, err)
	c, err := rpchttp.New(cfg.RPC.ListenAddress, "/websocket")
	require.NoError(t, err)

	var (
		mu        sync.Mutex
		committed = map[types.ID]int64{} // DID → height the client was told
		hashes    = map[int64][]byte{}   // height → header app hash seen
		chainID   string
		seq       int
		lastTop   int64
	)
	// Kill after different amounts of work, so the kill lands in different
	// phases (mid-block, mid-commit, idle).
	runFor := []time.Duration{900 * time.Millisecond, 1700 * time.Millisecond, 450 * time.Millisecond, 2300 * time.Millisecond}
	for cycle := 0; cycle <= len(runFor); cycle++ {
		p := startChild(t, bin, home, cycle)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		top, err := waitHeight(ctx, c, lastTop+2)
		require.NoError(t, err, "cycle %d: node did not come back:\n%s", cycle, p.tail())
		if chainID == "" {
			st, err := c.Status(ctx)
			require.NoError(t, err)
			chainID = st.NodeInfo.Network
		}

		// Everything committed before the kill is there, and every height
		// still has the app hash it had.
		mu.Lock()
		for id, h := range committed {
			got, code := resolve(ctx, t, c, id, 0)
			require.Zero(t, code, "cycle %d: %s committed at %d is missing", cycle, id, h)
			require.Equal(t, h, got.Record.Height)
		}
		for h, want := range hashes {
			b, err := c.Block(ctx, &h)
			require.NoError(t, err)
			require.True(t, bytes.Equal(want, b.Block.Header.AppHash), "cycle %d: app hash of height %d changed", cycle, h)
		}
		mu.Unlock()
		if cycle == len(runFor) {
			cancel()
			p.kill()
			break
		}

		// Stream creates until the kill.
		streamCtx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for w := 0; w < 2; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for streamCtx.Err() == nil {
					mu.Lock()
					seq++
					k := testKey(fmt.Sprintf("crash-%d", seq))
					mu.Unlock()
					id, tx := newCreate(t, chainID, k)
					h, code, _, err := commit(streamCtx, c, tx)
					if err != nil || code != 0 {
						continue // not reported committed: no promise made
					}
					mu.Lock()
					committed[id] = h
					mu.Unlock()
				}
			}()
		}
		time.Sleep(runFor[cycle])
		p.kill()
		stop()
		wg.Wait()
		cancel()

		// Record the header app hashes the node had served (from its block
		// store, read after restart in the next cycle too).
		lastTop = top
		mu.Lock()
		t.Logf("cycle %d: %d DIDs reported committed so far", cycle, len(committed))
		mu.Unlock()
		recordHashes(t, bin, home, c, hashes, &mu, &lastTop)
	}
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, committed)
	require.NotEmpty(t, hashes)
}

// recordHashes restarts the node briefly to read every header's app hash up
// to the top of its block store, then kills it again. The first time a
// height is read its hash is recorded; later cycles compare against it.
func recordHashes(t *testing.T, bin, home string, c *rpchttp.HTTP, hashes map[int64][]byte, mu *sync.Mutex, top *int64) {
	t.Helper()
	p := startChild(t, bin, home, 100+len(hashes)%20)
	defer p.kill()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	h, err := waitHeight(ctx, c, *top+1)
	require.NoError(t, err, "node did not come back:\n%s", p.tail())
	mu.Lock()
	defer mu.Unlock()
	for i := int64(1); i <= h; i++ {
		b, err := c.Block(ctx, &i)
		require.NoError(t, err)
		if want, ok := hashes[i]; ok {
			require.True(t, bytes.Equal(want, b.Block.Header.AppHash), "app hash of height %d changed", i)
			continue
		}
		hashes[i] = b.Block.Header.AppHash
	}
	*top = h
}
