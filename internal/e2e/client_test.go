package e2e

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	rpcclient "github.com/cometbft/cometbft/rpc/client"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/types"
)

// testKey returns the key named name in the end-to-end tests' domain.
func testKey(name string) ed25519.PrivateKey { return didtest.KeyIn("e2e", name) }

func pubOf(k ed25519.PrivateKey) types.PublicKey { return didtest.Pub(k) }

// newCreate returns a signed create of a one-key DID.
func newCreate(_ testing.TB, chainID string, k ed25519.PrivateKey) (types.ID, []byte) {
	return didtest.OneKey(chainID, k, "")
}

// commit broadcasts tx and waits for its block; it returns the height and
// the result code of the tx.
func commit(ctx context.Context, c *rpchttp.HTTP, tx []byte) (int64, uint32, string, error) {
	res, err := c.BroadcastTxCommit(ctx, tx)
	if err != nil {
		return 0, 0, "", err
	}
	if res.CheckTx.Code != 0 {
		return 0, res.CheckTx.Code, res.CheckTx.Log, nil
	}
	return res.Height, res.TxResult.Code, res.TxResult.Log, nil
}

// resolve reads a DID through ABCI Query at height (0: latest).
func resolve(ctx context.Context, t testing.TB, c *rpchttp.HTTP, id types.ID, height int64) (*types.QueryDIDResponse, uint32) {
	res, err := c.ABCIQueryWithOptions(ctx, types.QueryPathDID, []byte(id.String()), rpcclient.ABCIQueryOptions{Height: height})
	require.NoError(t, err)
	if res.Response.Code != 0 {
		return nil, res.Response.Code
	}
	var out types.QueryDIDResponse
	require.NoError(t, out.Unmarshal(res.Response.Value))
	return &out, 0
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
