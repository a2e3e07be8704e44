package e2e

import (
	"bytes"
	"context"
	"testing"
	"time"

	rpcclient "github.com/cometbft/cometbft/rpc/client"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/types"
)

// TestTestnetFaults runs a `testnet init` network of four validators as
// child processes under a steady load of creates and rotations, and
// SIGKILLs them as networks suffer:
//
//  1. one validator dies: the other three (30 of 40 power) keep committing;
//  2. it restarts: it catches up;
//  3. two die: the two left (20 of 40) cannot commit, and do not;
//  4. both restart: the chain resumes;
//  5. every node holds the same block and app hash at every height, and
//     every tx the client was told is committed is there, answered byte
//     for byte alike by every node.
func TestTestnetFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills node processes")
	}
	began := time.Now()
	c := newCluster(t, 4, 0)
	all := c.all()
	for _, i := range all {
		c.start(i)
	}
	c.waitHeight(3, 60*time.Second, all...)
	ctx := ctxT(t, 4*time.Minute)
	load := startFaultLoad(c, 4)
	defer func() {
		select {
		case <-load.stop:
		default:
			load.halt()
		}
	}()
	time.Sleep(2 * time.Second)
	phase := func(format string, args ...any) {
		ps, cr, rot, unk, _, _ := load.snapshot()
		t.Logf("%5.1fs: "+format+" (%d promised: %d creates, %d rotations; %d unknown)",
			append(append([]any{time.Since(began).Seconds()}, args...), len(ps), cr, rot, unk)...)
	}
	phase("4 validators up at height %d", c.top(ctx, all...))

	// 1. One validator dies: blocks keep coming.
	c.kill(3)
	three := []int{0, 1, 2}
	h := c.top(ctx, three...)
	c.waitHeight(h+10, 45*time.Second, three...)
	phase("killed node3 at height %d; the others reached %d", h, c.top(ctx, three...))

	// 2. It restarts and catches up.
	c.start(3)
	h = c.top(ctx, three...)
	c.waitHeight(h, 60*time.Second, 3)
	c.waitHeight(h+3, 30*time.Second, all...)
	phase("restarted node3: caught up to %d and follows", h)

	// 3. Two die: the chain halts, and the two left agree.
	c.kill(1)
	c.kill(2)
	alive := []int{0, 3}
	halted := c.waitHalt(ctx, alive, 15*time.Second)
	time.Sleep(3 * time.Second)
	for _, i := range alive {
		require.Equal(t, halted[i], c.answeredHeight(ctx, i), "%s committed without a quorum", c.net.Nodes[i].Name)
	}
	haltHeight := min(halted[0], halted[3])
	c.sameChain(ctx, haltHeight, alive...)
	phase("killed node1 and node2: node0 and node3 halted at %d and %d for 3s", halted[0], halted[3])

	// 4. They restart: the chain resumes.
	resumed := time.Now()
	c.start(1)
	c.start(2)
	c.waitHeight(haltHeight+5, 90*time.Second, all...)
	phase("restarted node1 and node2: all at %d+5 after %.1fs", haltHeight, time.Since(resumed).Seconds())
	time.Sleep(2 * time.Second)

	// 5. Agreement on everything.
	load.halt()
	final := c.top(ctx, all...) + 2
	c.waitHeight(final, 30*time.Second, all...)
	heights := c.sameChain(ctx, final, all...)
	promises, creates, rotations, unknown, behind, refused := load.snapshot()
	require.Empty(t, refused, "the ledger refused txs the client built on what it was told")
	require.GreaterOrEqual(t, creates, 10, "too little load to prove anything")
	require.GreaterOrEqual(t, rotations, 5, "too little load to prove anything")
	heads := map[types.ID]bool{}
	for _, p := range promises {
		var first []byte
		for _, i := range all {
			got := queryVersion(ctx, t, c, i, p.id, p.version, final)
			if first == nil {
				first = got
				var rec types.QueryDIDResponse
				require.NoError(t, rec.Unmarshal(got))
				require.Equal(t, p.height, rec.Record.Height, "%s v%d: committed at another height than the client was told", p.id, p.version)
				require.Equal(t, p.txHash, rec.Record.TxHash, "%s v%d: made by another tx", p.id, p.version)
				continue
			}
			require.True(t, bytes.Equal(first, got), "%s v%d: %s answers otherwise than node0", p.id, p.version, c.net.Nodes[i].Name)
		}
		heads[p.id] = true
	}
	for id := range heads {
		first := queryDID(ctx, t, c, 0, id, final)
		for _, i := range all[1:] {
			require.True(t, bytes.Equal(first, queryDID(ctx, t, c, i, id, final)), "%s: %s resolves otherwise than node0", id, c.net.Nodes[i].Name)
		}
	}
	t.Logf("%5.1fs: %d heights agree on 4 nodes (block and app hash); %d promised txs (%d creates, %d rotations) over %d DIDs resolve alike on every node; %d txs had no answer, %d were refused by a node still behind (not caught up within 3s)",
		time.Since(began).Seconds(), heights, len(promises), creates, rotations, len(heads), unknown, behind)
}

// waitHalt waits until nodes stop advancing (the same heights for a
// second) and returns those heights; it fails if they still advance after
// timeout.
func (c *cluster) waitHalt(ctx context.Context, nodes []int, timeout time.Duration) map[int]int64 {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	read := func() map[int]int64 {
		out := map[int]int64{}
		for _, i := range nodes {
			out[i] = c.answeredHeight(ctx, i)
		}
		return out
	}
	last := read()
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		now := read()
		same := true
		for _, i := range nodes {
			same = same && now[i] == last[i]
		}
		if same {
			return now
		}
		last = now
	}
	c.t.Fatalf("nodes %v still commit %v after losing a third of the power", nodes, timeout)
	return nil
}

// answeredHeight is node i's height, asked up to three times: the node
// runs and must answer.
func (c *cluster) answeredHeight(ctx context.Context, i int) int64 {
	c.t.Helper()
	for range 3 {
		if h := c.height(ctx, i); h >= 0 {
			return h
		}
	}
	c.t.Fatalf("%s does not answer /status", c.net.Nodes[i].Name)
	return -1
}

// queryVersion returns node i's /did/version answer for id's version at
// height, requiring code 0.
func queryVersion(ctx context.Context, t *testing.T, c *cluster, i int, id types.ID, version uint64, height int64) []byte {
	t.Helper()
	q := types.QueryVersionRequest{Did: id.String(), Version: version}
	data, err := q.Marshal()
	require.NoError(t, err)
	res, err := c.clients[i].ABCIQueryWithOptions(ctx, types.QueryPathVersion, data, rpcclient.ABCIQueryOptions{Height: height})
	require.NoError(t, err)
	require.Zero(t, res.Response.Code, "%s: %s v%d: %s", c.net.Nodes[i].Name, id, version, res.Response.Log)
	return res.Response.Value
}
