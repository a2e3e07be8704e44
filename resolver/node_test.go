package resolver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/testutil"
	"github.com/custos-ledger/custos/node"
	"github.com/custos-ledger/custos/node/nodetest"
	"github.com/custos-ledger/custos/resolver"
	"github.com/custos-ledger/custos/x/did/txbuild"
)

// commitTx broadcasts tx to a real node and waits for its block.
func commitTx(t testing.TB, c *rpchttp.HTTP, tx []byte) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := c.BroadcastTxCommit(ctx, tx)
	require.NoError(t, err)
	require.Zero(t, res.CheckTx.Code, res.CheckTx.Log)
	require.Zero(t, res.TxResult.Code, res.TxResult.Log)
	return res.Height
}

// blockTimes returns the node's block store's times, for a LocalSource.
func blockTimes(n *node.Node) resolver.BlockTimeFunc {
	return func(h int64) (time.Time, bool) {
		meta := n.CometBFT().BlockStore().LoadBlockMeta(h)
		if meta == nil {
			return time.Time{}, false
		}
		return meta.Header.Time, true
	}
}

// TestSourcesAgree runs a real node, writes DIDs through consensus, and
// requires the in-process source and the RPC source to give the same
// answers.
func TestSourcesAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	n := nodetest.Start(t, nodetest.Home(t))
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 1, 30*time.Second)
	chain := n.App().ChainID()

	ak := key("node/alice")
	alice, body, err := txbuild.Create(chain, txbuild.SimpleDocument("key-1", pub(ak)), "alice")
	require.NoError(t, err)
	commitTx(t, c, sign(t, body, txbuild.NewSigner(alice, "key-1", ak)))
	doc, keys := richDocument("node/bob")
	bob, body, err := txbuild.Create(chain, doc, "")
	require.NoError(t, err)
	commitTx(t, c, sign(t, body, txbuild.NewSigner(bob, "sign", keys["sign"]), txbuild.NewSigner(bob, "ctl", keys["ctl"])))
	sign2 := key("node/bob/sign2")
	hRotate := commitTx(t, c, sign(t, txbuild.Rotate(chain, bob, 1, "sign", pub(sign2)),
		txbuild.NewSigner(bob, "ctl", keys["ctl"]), txbuild.NewSigner(bob, "sign", sign2)))
	commitTx(t, c, sign(t, txbuild.Deactivate(chain, alice, 1), txbuild.NewSigner(alice, "key-1", ak)))
	nodetest.WaitForHeight(t, c, hRotate+2, 30*time.Second)

	rpcSrc, err := resolver.NewRPCSource(n.Config().RPC.ListenAddress)
	require.NoError(t, err)
	local := startServer(t, resolver.NewLocalSource(n.App().Store(), blockTimes(n)))
	remote := startServer(t, rpcSrc)

	rotated := n.CometBFT().BlockStore().LoadBlockMeta(hRotate).Header.Time.UTC().Format(time.RFC3339)
	unknown, _, err := txbuild.Create(chain, txbuild.SimpleDocument("key-1", pub(key("node/nobody"))), "")
	require.NoError(t, err)
	paths := []struct {
		path   string
		accept string
		status int
	}{
		{resolver.PathIdentifiers + bob.String(), "", 200},
		{resolver.PathIdentifiers + bob.String(), resolver.MediaDIDJSON, 200},
		{resolver.PathIdentifiers + bob.String() + "?versionId=1", "", 200},
		{resolver.PathIdentifiers + bob.String() + "?versionTime=" + url.QueryEscape(rotated), "", 200},
		{resolver.PathIdentifiers + bob.String() + "%23ctl", "", 200},
		{resolver.PathIdentifiers + alice.String(), "", 410},
		{resolver.PathIdentifiers + alice.String() + "?versionId=1", "", 200},
		{resolver.PathIdentifiers + unknown.String(), "", 404},
		{resolver.PathIdentifiers + "did:custos:x", "", 400},
		{resolver.PathIdentifiers + bob.String() + "/history", "", 200},
		{resolver.PathIdentifiers + alice.String() + "/history", "", 200},
		{resolver.PathKeys + url.PathEscape(bob.String()+"#sign") + "/status?at=" + url.QueryEscape(rotated), "", 200},
		{resolver.PathKeys + url.PathEscape(alice.String()+"#key-1") + "/status", "", 200},
	}
	for _, p := range paths {
		t.Run(p.path, func(t *testing.T) {
			var hdr []string
			if p.accept != "" {
				hdr = []string{"Accept", p.accept}
			}
			a, b := local.get(p.path, hdr...), remote.get(p.path, hdr...)
			require.Equal(t, p.status, a.status, "local: %s", a.body)
			require.Equal(t, a.status, b.status, "remote: %s", b.body)
			require.Equal(t, a.header.Get("Content-Type"), b.header.Get("Content-Type"))
			require.Equal(t, withoutHeight(t, a.body), withoutHeight(t, b.body))
			if p.status != 400 {
				require.NotEmpty(t, b.header.Get(resolver.HeaderHeight))
			}
		})
	}

	m := remote.get(resolver.PathHealth).json(t)
	require.Equal(t, "ok", m["status"])
	require.Equal(t, chain, m["chainId"])
	require.Equal(t, n.Config().RPC.ListenAddress, m["source"])
	require.NotEmpty(t, m["blockTime"])
	m = local.get(resolver.PathHealth).json(t)
	require.Equal(t, chain, m["chainId"])
	require.NotEmpty(t, m["blockTime"])
}

// withoutHeight drops the height (and the default time) that history and
// key-status answers carry: two sources read at slightly different heights.
func withoutHeight(t *testing.T, body []byte) string {
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m))
	delete(m, "height")
	if m["atLatestState"] == true {
		delete(m, "at")
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

// TestRPCSourceNodeDown resolves through a node that does not answer: a
// 500 internalError, and 503 on /healthz.
func TestRPCSourceNodeDown(t *testing.T) {
	src, err := resolver.NewRPCSource(fmt.Sprintf("tcp://127.0.0.1:%d", testutil.FreePort(t)))
	require.NoError(t, err)
	ts := startServer(t, src, func(c *resolver.Config) { c.SourceTimeout = 2 * time.Second })
	id, _, err := txbuild.Create(testChain, txbuild.SimpleDocument("key-1", pub(key("down"))), "")
	require.NoError(t, err)
	res := ts.get(resolver.PathIdentifiers + id.String())
	require.Equal(t, 500, res.status)
	require.Equal(t, "internalError", path(res.json(t), "didResolutionMetadata", "error"))
	res = ts.get(resolver.PathHealth)
	require.Equal(t, 503, res.status)
	require.Contains(t, res.json(t)["error"], "cannot read the node's state")
	res = ts.get(resolver.PathIdentifiers + "did:custos:bad")
	require.Equal(t, 400, res.status, "bad input is refused before the node is asked")
}
