package app_test

import (
	"context"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"
)

// A block of txs no CheckTx has seen is verified in one batch pass before
// execution: every signature is verified once, and execution finds each in
// the cache.
func TestFinalizeBlockPrewarms(t *testing.T) {
	a := newApp(t, t.TempDir())
	defer a.Close()
	initChain(t, a)
	txs := signedCreates(t, 200, 0)
	finalizeOK(t, a, 1, txs)
	hits, verified := a.SigCacheStats()
	require.Equal(t, uint64(200), verified, "each signature verified once")
	require.Equal(t, uint64(200), hits, "execution found every signature cached")
}

// Txs CheckTx accepted are not prewarmed again; the others in the same
// block still are, in the batch pass.
func TestFinalizeBlockPrewarmsOnlyUnchecked(t *testing.T) {
	a := newApp(t, t.TempDir())
	defer a.Close()
	initChain(t, a)
	txs := signedCreates(t, 200, 0)
	for _, tx := range txs[:100] {
		res, err := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
		require.NoError(t, err)
		require.Zero(t, res.Code, res.Log)
	}
	finalizeOK(t, a, 1, txs)
	hits, verified := a.SigCacheStats()
	require.Equal(t, uint64(200), verified, "each signature verified once: 100 by CheckTx, 100 in the batch pass")
	require.Equal(t, uint64(200), hits, "execution found every signature cached")
}
