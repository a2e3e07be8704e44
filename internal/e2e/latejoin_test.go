package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	rpcclient "github.com/cometbft/cometbft/rpc/client"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/testnet"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// TestLateFullNodeSyncs starts three validators of a `testnet init`
// network, commits DIDs through each, then starts the network's full node:
// it must catch up by blocksync to the validators' height and app hashes,
// answer ABCI queries for DIDs created before it joined exactly as a
// validator does, and serve them from its own resolver.
func TestLateFullNodeSyncs(t *testing.T) {
	if testing.Short() {
		t.Skip("starts node processes")
	}
	c := newCluster(t, 3, 1)
	validators, full := []int{0, 1, 2}, 3
	for _, i := range validators {
		c.start(i)
	}
	c.waitHeight(2, 60*time.Second, validators...)
	ctx := ctxT(t, 3*time.Minute)
	chainID := c.net.ChainID

	var ids []types.ID
	for k := range 6 {
		key := testKey(fmt.Sprintf("late-%d", k))
		id, tx := newCreate(t, chainID, key)
		_, code, log, err := commit(ctx, c.clients[k%len(validators)], tx)
		require.NoError(t, err)
		require.Zero(t, code, log)
		ids = append(ids, id)
	}
	rotate, err := txbuild.Sign(txbuild.Rotate(chainID, ids[0], 1, "key-1", pubOf(testKey("late-0-next"))),
		txbuild.NewSigner(ids[0], "key-1", testKey("late-0")), txbuild.NewSigner(ids[0], "key-1", testKey("late-0-next")))
	require.NoError(t, err)
	_, code, log, err := commit(ctx, c.clients[1], rotate)
	require.NoError(t, err)
	require.Zero(t, code, log)

	// Some thirty blocks for the full node to fetch.
	c.waitHeight(30, 60*time.Second, validators...)
	joinAt := c.top(ctx, validators...)
	c.start(full)
	target := c.top(ctx, validators...)
	c.waitHeight(target, 60*time.Second, full)
	for {
		st, err := c.clients[full].Status(ctx)
		require.NoError(t, err)
		if !st.SyncInfo.CatchingUp {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("full node still catching up")
		case <-time.After(100 * time.Millisecond):
		}
	}
	h := min(c.height(ctx, full), c.height(ctx, 0))
	compared := c.sameChain(ctx, h, append(validators, full)...)
	t.Logf("full node started when the validators were at height %d, reached %d; %d heights agree on all 4 nodes", joinAt, target, compared)

	for _, id := range ids {
		want := queryDID(ctx, t, c, 0, id, h)
		got := queryDID(ctx, t, c, full, id, h)
		require.True(t, bytes.Equal(want, got), "%s: the full node answers otherwise than node0 at height %d", id, h)
	}
	var head types.QueryDIDResponse
	require.NoError(t, head.Unmarshal(queryDID(ctx, t, c, full, ids[0], h)))
	require.EqualValues(t, 2, head.Head.Version, "the rotation made before the full node joined")

	// Its own resolver answers from its own state.
	res := httpGet(ctx, t, "http://"+c.net.Nodes[full].Resolver+"/1.0/identifiers/"+ids[1].String())
	require.Equal(t, http.StatusOK, res.code, res.body)
	require.Contains(t, res.body, ids[1].String())

	// And `custos testnet status` sees the whole network.
	for _, s := range testnet.Status(ctx, c.net, 5*time.Second) {
		require.True(t, s.Up, "%s: %s", s.Name, s.Error)
		require.True(t, s.ResolverUp, "%s: resolver", s.Name)
		require.NotEmpty(t, s.Peers, "%s has no peers", s.Name)
	}
}

// queryDID returns node i's /did answer for id at height, requiring code 0.
func queryDID(ctx context.Context, t *testing.T, c *cluster, i int, id types.ID, height int64) []byte {
	t.Helper()
	res, err := c.clients[i].ABCIQueryWithOptions(ctx, types.QueryPathDID, []byte(id.String()), rpcclient.ABCIQueryOptions{Height: height})
	require.NoError(t, err)
	require.Zero(t, res.Response.Code, "%s: %s", c.net.Nodes[i].Name, res.Response.Log)
	return res.Response.Value
}

type httpResult struct {
	code int
	body string
}

func httpGet(ctx context.Context, t *testing.T, url string) httpResult {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	require.NoError(t, err)
	return httpResult{code: res.StatusCode, body: string(b)}
}
