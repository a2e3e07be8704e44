package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/node/nodetest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// TestNodeRoundTrip runs a real node, submits signed txs through its RPC,
// waits for their blocks and reads the state back through ABCI Query.
func TestNodeRoundTrip(t *testing.T) {
	n := nodetest.Start(t, nodetest.Home(t))
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 1, 20*time.Second)
	ctx := ctxT(t, 60*time.Second)
	chainID := n.App().ChainID()

	k1, k2 := testKey("k1"), testKey("k2")
	id, tx := newCreate(t, chainID, k1)
	h1, code, log, err := commit(ctx, c, tx)
	require.NoError(t, err)
	require.Zero(t, code, log)

	got, code := resolve(ctx, t, c, id, 0)
	require.Zero(t, code)
	require.Equal(t, uint64(1), got.Head.Version)
	require.Equal(t, id.String(), got.Record.Document.Id)
	require.Equal(t, h1, got.Record.Height)

	// The same inception again (other bytes: a memo): refused, named.
	_, again, err := txbuild.Create(chainID, txbuild.SimpleDocument("key-1", pubOf(k1)), "again")
	require.NoError(t, err)
	tx2, err := txbuild.Sign(again, txbuild.NewSigner(id, "key-1", k1))
	require.NoError(t, err)
	_, code, log, err = commit(ctx, c, tx2)
	require.NoError(t, err)
	require.Equal(t, types.ErrDIDExists.Code, code, log)

	// A rotation signed only by the old key lacks proof of possession.
	rot := txbuild.Rotate(chainID, id, 1, "key-1", pubOf(k2))
	bad, err := txbuild.Sign(rot, txbuild.NewSigner(id, "key-1", k1))
	require.NoError(t, err)
	_, code, log, err = commit(ctx, c, bad)
	require.NoError(t, err)
	require.Equal(t, types.ErrMissingPossession.Code, code, log)

	good, err := txbuild.Sign(rot, txbuild.NewSigner(id, "key-1", k1), txbuild.NewSigner(id, "key-1", k2))
	require.NoError(t, err)
	h2, code, log, err := commit(ctx, c, good)
	require.NoError(t, err)
	require.Zero(t, code, log)
	require.Greater(t, h2, h1)

	got, _ = resolve(ctx, t, c, id, 0)
	require.Equal(t, uint64(2), got.Head.Version)
	require.Equal(t, pubOf(k2).Multicodec(), got.Record.Document.VerificationMethods[0].PublicKey)

	// The state as of the create's height still shows version 1.
	old, code := resolve(ctx, t, c, id, h1)
	require.Zero(t, code)
	require.Equal(t, uint64(1), old.Head.Version)
	require.Equal(t, pubOf(k1).Multicodec(), old.Record.Document.VerificationMethods[0].PublicKey)

	// History and the not-found and bad-DID answers.
	res, err := c.ABCIQuery(ctx, types.QueryPathHistory, []byte(id.String()))
	require.NoError(t, err)
	var hist types.QueryHistoryResponse
	require.NoError(t, hist.Unmarshal(res.Response.Value))
	require.Len(t, hist.Entries, 2)
	require.Equal(t, types.EVENT_KIND_KEY_ROTATED, hist.Entries[1].Kind)

	other, _ := newCreate(t, chainID, testKey("never"))
	_, code = resolve(ctx, t, c, other, 0)
	require.Equal(t, types.ErrDIDNotFound.Code, code)
	res, err = c.ABCIQuery(ctx, types.QueryPathDID, []byte("did:example:123"))
	require.NoError(t, err)
	require.Equal(t, types.ErrInvalidDID.Code, res.Response.Code)

	// Garbage bytes are refused with a name, and the node keeps going.
	_, code, _, err = commit(ctx, c, []byte("not a tx"))
	require.NoError(t, err)
	require.Equal(t, types.ErrMalformedTx.Code, code)
	st, err := c.Status(ctx)
	require.NoError(t, err)
	nodetest.WaitForHeight(t, c, st.SyncInfo.LatestBlockHeight+1, 10*time.Second)
}
