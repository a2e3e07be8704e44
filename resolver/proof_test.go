package resolver_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/node/nodetest"
	"github.com/custos-ledger/custos/proof"
	"github.com/custos-ledger/custos/resolver"
	"github.com/custos-ledger/custos/x/did/txbuild"
)

// jsonOps decodes the proofOps of one proof entry of ?proof=true metadata.
func jsonOps(e map[string]any) *cmtcrypto.ProofOps {
	ops := &cmtcrypto.ProofOps{}
	for _, o := range e["proofOps"].([]any) {
		op := o.(map[string]any)
		opKey, _ := base64.StdEncoding.DecodeString(op["key"].(string))
		data, _ := base64.StdEncoding.DecodeString(op["data"].(string))
		ops.Ops = append(ops.Ops, cmtcrypto.ProofOp{Type: op["type"].(string), Key: opKey, Data: data})
	}
	return ops
}

// checkProofs verifies every proof of a ?proof=true answer against the
// store's app hash of the height it names, and returns that height.
func checkProofs(t *testing.T, l *ledger, m map[string]any) int64 {
	t.Helper()
	c, ok := path(m, "didResolutionMetadata", "custos").(map[string]any)
	require.True(t, ok, "no custos proof metadata")
	height := int64(c["height"].(float64))
	root, err := l.db.RootAt(height)
	require.NoError(t, err)
	require.Equal(t, strings.ToUpper(hex.EncodeToString(root)), c["appHash"])
	proofs := c["proofs"].([]any)
	require.NotEmpty(t, proofs)
	for _, p := range proofs {
		e := p.(map[string]any)
		key, err := hex.DecodeString(e["key"].(string))
		require.NoError(t, err)
		var value []byte
		if v, ok := e["value"].(string); ok {
			value, err = base64.StdEncoding.DecodeString(v)
			require.NoError(t, err)
		}
		ops := jsonOps(e)
		require.Equal(t, proof.KeyPath(key), e["keyPath"])
		require.NoError(t, proof.Verify(ops, root, key, value), "key %x", key)
		if value != nil {
			require.Error(t, proof.Verify(ops, root, key, append(value, 0)), "a changed value must not verify")
		}
	}
	return height
}

func TestResolveWithProof(t *testing.T) {
	l := newLedger(t)
	id, create, k := simpleDID(t, "proved")
	l.block(10, create)
	k2 := key("proved-2")
	l.block(10, sign(t, txbuild.Rotate(testChain, id, 1, "key-1", pub(k2)), txbuild.NewSigner(id, "key-1", k), txbuild.NewSigner(id, "key-1", k2)))
	l.block(10) // so that the rotation's height is provable (the one before the last)
	ts := startServer(t, resolver.NewLocalSource(l.db, nil))
	base := resolver.PathIdentifiers + id.String()

	t.Run("current version", func(t *testing.T) {
		r := ts.get(base + "?proof=true")
		require.Equal(t, 200, r.status, r.body)
		m := r.json(t)
		require.Equal(t, "2", path(m, "didDocumentMetadata", "versionId"))
		require.Equal(t, l.height-1, checkProofs(t, l, m))
	})
	t.Run("old version", func(t *testing.T) {
		r := ts.get(base + "?versionId=1&proof=true")
		require.Equal(t, 200, r.status, r.body)
		m := r.json(t)
		require.Equal(t, "1", path(m, "didDocumentMetadata", "versionId"))
		require.Equal(t, "2", path(m, "didDocumentMetadata", "nextVersionId"))
		checkProofs(t, l, m)
	})
	t.Run("notFound with a non-inclusion proof", func(t *testing.T) {
		other, _, _ := simpleDID(t, "never")
		r := ts.get(resolver.PathIdentifiers + other.String() + "?proof=true")
		require.Equal(t, 404, r.status, r.body)
		m := r.json(t)
		require.Equal(t, "notFound", path(m, "didResolutionMetadata", "error"))
		checkProofs(t, l, m)
	})
	t.Run("document-only representations carry no proof", func(t *testing.T) {
		r := ts.get(base+"?proof=true", "Accept", resolver.MediaDIDJSON)
		require.Equal(t, 400, r.status, r.body)
	})
	t.Run("dereferencing takes no proof", func(t *testing.T) {
		r := ts.get(base + "%23key-1?proof=true")
		require.Equal(t, 400, r.status, r.body)
	})
}

// Through a node's RPC, the proofs verify against the app hash of header
// height+1 as the node's block store has it.
func TestResolveWithProofOverRPC(t *testing.T) {
	n := nodetest.Start(t, nodetest.Home(t))
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 1, 20*time.Second)
	ctx := context.Background()
	k := key("rpc-proved")
	id, body, err := txbuild.Create(n.App().ChainID(), txbuild.SimpleDocument("key-1", pub(k)), "")
	require.NoError(t, err)
	res, err := c.BroadcastTxCommit(ctx, sign(t, body, txbuild.NewSigner(id, "key-1", k)))
	require.NoError(t, err)
	require.Zero(t, res.TxResult.Code, res.TxResult.Log)
	nodetest.WaitForHeight(t, c, res.Height+2, 20*time.Second)

	src, err := resolver.NewRPCSource(n.Config().RPC.ListenAddress)
	require.NoError(t, err)
	ts := startServer(t, src)
	r := ts.get(resolver.PathIdentifiers + id.String() + "?proof=true")
	require.Equal(t, 200, r.status, r.body)
	m := r.json(t)
	cm := path(m, "didResolutionMetadata", "custos").(map[string]any)
	height := int64(cm["height"].(float64))
	next := height + 1
	blk, err := c.Block(ctx, &next)
	require.NoError(t, err)
	require.Equal(t, blk.Block.Header.AppHash.String(), cm["appHash"])
	for _, p := range cm["proofs"].([]any) {
		e := p.(map[string]any)
		key, _ := hex.DecodeString(e["key"].(string))
		value, _ := base64.StdEncoding.DecodeString(e["value"].(string))
		require.NoError(t, proof.Verify(jsonOps(e), blk.Block.Header.AppHash, key, value))
	}
}
