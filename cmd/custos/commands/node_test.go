package commands_test

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/libs/log"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/testutil"
	"github.com/custos-ledger/custos/node"
	"github.com/custos-ledger/custos/node/nodetest"
)

// TestNodeInProcess initializes a home with the init command, runs the node
// as `custos start` does (node.Run) on free ports, waits for height 3 and
// checks that cancelling stops it cleanly and releases its ports and
// goroutines.
func TestNodeInProcess(t *testing.T) {
	home := t.TempDir()
	_, err := run(t, "init", "--home", home, "--chain-id", "custos-inproc")
	require.NoError(t, err)

	ports := testutil.FreePorts(t, 2)
	rpcAddr := fmt.Sprintf("tcp://127.0.0.1:%d", ports[0])
	cfg, err := node.LoadConfig(home, node.Overrides{
		RPCListenAddr: rpcAddr,
		P2PListenAddr: fmt.Sprintf("tcp://127.0.0.1:%d", ports[1]),
		TimeoutCommit: 100 * time.Millisecond,
	})
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- node.Run(ctx, cfg, log.NewNopLogger()) }()

	c, err := rpchttp.New(rpcAddr, "/websocket")
	require.NoError(t, err)
	nodetest.WaitForHeight(t, c, 3, 30*time.Second)
	st, err := c.Status(context.Background())
	require.NoError(t, err)
	require.Equal(t, "custos-inproc", st.NodeInfo.Network)

	cancel()
	select {
	case err := <-errc:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("node.Run did not return within 20s of cancel")
	}
	for _, p := range ports {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		require.NoError(t, err, "port %d still held after stop", p)
		require.NoError(t, l.Close())
	}
	requireNoNodeGoroutines(t)
}

// requireNoNodeGoroutines waits until no goroutine runs consensus, P2P,
// mempool or RPC server code. (CometBFT v0.38 leaves its tx-indexer
// database's goroutines behind; those are not checked.)
func requireNoNodeGoroutines(t *testing.T) {
	t.Helper()
	suspects := []string{
		"cometbft/consensus.", "cometbft/p2p.", "cometbft/mempool.",
		"cometbft/rpc/jsonrpc/server.", "cometbft/blocksync.", "cometbft/evidence.",
	}
	var leaked []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		leaked = leaked[:0]
		buf := make([]byte, 1<<22)
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			for _, s := range suspects {
				if strings.Contains(g, s) {
					leaked = append(leaked, g)
					break
				}
			}
		}
		if len(leaked) == 0 {
			return
		}
	}
	t.Fatalf("%d node goroutines still running after stop, e.g.:\n%s", len(leaked), leaked[0])
}
