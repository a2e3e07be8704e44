package commands_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/cmd/custos/commands"
	"github.com/custos-ledger/custos/node/nodetest"
)

// A tx the node accepted and then lost before any block took it (here its
// mempool is flushed; a full mempool or a restart lose txs too) is sent
// again by the CLI, and committed.
func TestSubmitResendsALostTx(t *testing.T) {
	cliEnv(t)
	n := nodetest.Start(t, nodetest.Home(t, func(c *cmtcfg.Config) {
		c.RPC.Unsafe = true                         // for unsafe_flush_mempool
		c.Consensus.TimeoutCommit = 4 * time.Second // time to flush before the next block
	}))
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 1, 30*time.Second)
	t.Setenv(commands.NodeEnv, n.Config().RPC.ListenAddress)
	ctx := context.Background()

	for attempt := 0; attempt < 3; attempt++ {
		name := fmt.Sprintf("key-%d", attempt)
		ok(t, "keys", "add", name)
		done := make(chan result, 1)
		go func() { done <- runIn(t, "", "did", "create", "--key", name, "--timeout", "30s", "-o", "json") }()

		// Wait for the create to reach the mempool, note it, and flush it.
		var tx cmttypes.Tx
		for deadline := time.Now().Add(10 * time.Second); tx == nil; time.Sleep(10 * time.Millisecond) {
			require.True(t, time.Now().Before(deadline), "the create never reached the mempool")
			u, err := c.UnconfirmedTxs(ctx, nil)
			require.NoError(t, err)
			if len(u.Txs) > 0 {
				tx = u.Txs[0]
			}
		}
		flushMempool(t, n.Config().RPC.ListenAddress)
		_, err := c.Tx(ctx, tx.Hash(), false)
		lost := err != nil // not committed before the flush: the create must resend it

		r := <-done
		require.NoError(t, r.err, "stderr: %s", r.errOut)
		got := decode[txOut](t, r.out)
		require.Equal(t, fmt.Sprintf("%X", tx.Hash()), got.TxHash)
		if lost {
			return
		}
		t.Logf("attempt %d: the block took the tx before the flush; again", attempt)
	}
	t.Fatal("three times the block took the tx before the mempool was flushed")
}

// flushMempool calls the node's unsafe_flush_mempool RPC (CometBFT's HTTP
// client has no method for it).
func flushMempool(t *testing.T, listen string) {
	t.Helper()
	res, err := http.Get("http://" + strings.TrimPrefix(listen, "tcp://") + "/unsafe_flush_mempool")
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	require.NotContains(t, string(body), `"error"`)
}
