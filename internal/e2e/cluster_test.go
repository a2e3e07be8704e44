package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/testnet"
)

// clusterTimeoutCommit is the timeout_commit of cluster nodes.
const clusterTimeoutCommit = 200 * time.Millisecond

// cluster is a testnet (package testnet) whose nodes run as `custos start`
// child processes, started and SIGKILLed one by one.
type cluster struct {
	t       *testing.T
	bin     string
	net     testnet.Testnet
	procs   []*child // nil while a node is down
	clients []*rpchttp.HTTP
	starts  int
}

// newCluster writes a testnet of validators and full nodes on a free block
// of ports, with 200ms blocks and a 1s propose timeout (a dead proposer
// costs a second, not three).
func newCluster(t *testing.T, validators, full int, edit ...func(*testnet.Options)) *cluster {
	t.Helper()
	opts := testnet.DefaultOptions(filepath.Join(t.TempDir(), "net"))
	opts.Validators, opts.FullNodes = validators, full
	opts.BasePort = freeBlock(t, validators+full)
	opts.ChainID = "custos-e2e-cluster"
	opts.TimeoutCommit = clusterTimeoutCommit
	opts.Prometheus = false
	opts.Configure = func(_ int, cfg *cmtcfg.Config) {
		cfg.Consensus.TimeoutPropose = time.Second
	}
	for _, e := range edit {
		e(&opts)
	}
	tn, err := testnet.Init(opts)
	require.NoError(t, err)
	c := &cluster{t: t, bin: custosBinary(t), net: tn, procs: make([]*child, len(tn.Nodes))}
	for _, n := range tn.Nodes {
		cl, err := rpchttp.New(n.RPC, "/websocket")
		require.NoError(t, err)
		c.clients = append(c.clients, cl)
	}
	return c
}

// freeBlock returns a base port whose nodes' ports (P2P, RPC, resolver)
// are free on 127.0.0.1 now, in [20000, 32000).
func freeBlock(t *testing.T, nodes int) int {
	t.Helper()
	span := testnet.PortStride * nodes
	for range 500 {
		base := 20000 + testnet.PortStride*rand.IntN((32000-20000-span)/testnet.PortStride)
		free := true
		for i := 0; i < nodes && free; i++ {
			for _, off := range []int{testnet.P2POffset, testnet.RPCOffset, testnet.ResolverOffset} {
				l, err := net.Listen("tcp", net.JoinHostPort(testnet.Host, strconv.Itoa(base+testnet.PortStride*i+off)))
				if err != nil {
					free = false
					break
				}
				_ = l.Close()
			}
		}
		if free {
			return base
		}
	}
	t.Fatalf("no free block of %d ports below 32000", span)
	return 0
}

// start runs node i as a child process (its log in its home).
func (c *cluster) start(i int) {
	c.t.Helper()
	require.Nil(c.t, c.procs[i], "node %d already runs", i)
	n := c.net.Nodes[i]
	c.starts++
	logPath := filepath.Join(n.Home, fmt.Sprintf("start-%02d.log", c.starts))
	f, err := os.Create(logPath)
	require.NoError(c.t, err)
	cmd := exec.Command(c.bin, n.StartArgs()...)
	cmd.Stdout, cmd.Stderr = f, f
	require.NoError(c.t, cmd.Start())
	p := &child{cmd: cmd, done: make(chan struct{}), log: logPath}
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	c.t.Cleanup(p.kill)
	c.procs[i] = p
}

// kill SIGKILLs node i and waits until it is gone.
func (c *cluster) kill(i int) {
	c.t.Helper()
	require.NotNil(c.t, c.procs[i], "node %d is not running", i)
	c.procs[i].kill()
	c.procs[i] = nil
}

// height returns node i's latest height, or -1 if it does not answer.
func (c *cluster) height(ctx context.Context, i int) int64 {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := c.clients[i].Status(ctx)
	if err != nil {
		return -1
	}
	return st.SyncInfo.LatestBlockHeight
}

// top returns the highest height among nodes.
func (c *cluster) top(ctx context.Context, nodes ...int) int64 {
	var h int64 = -1
	for _, i := range nodes {
		h = max(h, c.height(ctx, i))
	}
	return h
}

// waitHeight waits until each of nodes is at height h or above, failing
// the test (with the laggard's log) after timeout.
func (c *cluster) waitHeight(h int64, timeout time.Duration, nodes ...int) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for _, i := range nodes {
		if _, err := waitHeight(ctx, c.clients[i], h); err != nil {
			log := "(not running)"
			if c.procs[i] != nil {
				log = c.procs[i].tail()
			}
			c.t.Fatalf("%s did not reach height %d within %v (at %d): %v\n%s", c.net.Nodes[i].Name, h, timeout, c.height(context.Background(), i), err, log)
		}
	}
}

// all returns the indexes of every node.
func (c *cluster) all() []int {
	out := make([]int, len(c.net.Nodes))
	for i := range out {
		out[i] = i
	}
	return out
}

// blockMeta is what a node says height h is.
type blockMeta struct {
	blockHash, appHash []byte
}

// blocks reads the block id and header app hash of heights 1..upTo from
// node i, 20 per /blockchain call.
func (c *cluster) blocks(ctx context.Context, i int, upTo int64) map[int64]blockMeta {
	c.t.Helper()
	out := make(map[int64]blockMeta, upTo)
	for lo := int64(1); lo <= upTo; lo += 20 {
		hi := min(lo+19, upTo)
		res, err := c.clients[i].BlockchainInfo(ctx, lo, hi)
		require.NoError(c.t, err, "%s: /blockchain %d..%d", c.net.Nodes[i].Name, lo, hi)
		for _, m := range res.BlockMetas {
			out[m.Header.Height] = blockMeta{blockHash: m.BlockID.Hash, appHash: m.Header.AppHash}
		}
	}
	require.Len(c.t, out, int(upTo), "%s: missing block metas", c.net.Nodes[i].Name)
	return out
}

// sameChain requires that nodes agree on the block and the app hash of
// every height from 1 to upTo, and returns how many heights it compared.
func (c *cluster) sameChain(ctx context.Context, upTo int64, nodes ...int) int {
	c.t.Helper()
	want := c.blocks(ctx, nodes[0], upTo)
	for _, i := range nodes[1:] {
		got := c.blocks(ctx, i, upTo)
		for h := int64(1); h <= upTo; h++ {
			require.True(c.t, bytes.Equal(want[h].blockHash, got[h].blockHash),
				"height %d: %s committed block %X, %s block %X", h, c.net.Nodes[nodes[0]].Name, want[h].blockHash, c.net.Nodes[i].Name, got[h].blockHash)
			require.True(c.t, bytes.Equal(want[h].appHash, got[h].appHash),
				"height %d: %s has app hash %X, %s %X", h, c.net.Nodes[nodes[0]].Name, want[h].appHash, c.net.Nodes[i].Name, got[h].appHash)
		}
	}
	return int(upTo)
}
