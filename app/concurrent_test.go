package app_test

import (
	"context"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/types"
)

// CheckTx may be called concurrently with itself and with FinalizeBlock
// and Commit (accel.BatchedCheckTx takes no lock for it). Run with -race:
// every check must give the answer a lone check gives.
func TestConcurrentCheckTx(t *testing.T) {
	a := newApp(t, t.TempDir())
	defer a.Close()
	initChain(t, a)
	ctx := context.Background()
	txs := signedCreates(t, 200, 1000)
	committed := txs[:50]
	res, err := a.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: 1, Time: time.Unix(1_700_000_001, 0), Txs: committed})
	require.NoError(t, err)
	for _, r := range res.TxResults {
		require.Zero(t, r.Code, r.Log)
	}

	var wg sync.WaitGroup
	codes := make([]uint32, len(txs))
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(txs); i += 8 {
				res, err := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: txs[i], Type: abci.CheckTxType_New})
				if assert.NoError(t, err) {
					codes[i] = res.Code
				}
			}
		}(w)
	}
	// Height 1 commits while the checks run: each check sees height 0 or 1.
	_, err = a.Commit(ctx, &abci.RequestCommit{})
	require.NoError(t, err)
	wg.Wait()
	for i := 50; i < len(txs); i++ {
		require.Zero(t, codes[i], "tx %d", i)
	}
	for i := 0; i < 50; i++ {
		require.Contains(t, []uint32{0, types.ErrDIDExists.Code}, codes[i], "tx %d", i)
		res, err := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: txs[i], Type: abci.CheckTxType_New})
		require.NoError(t, err)
		require.Equal(t, types.ErrDIDExists.Code, res.Code, "after the commit, tx %d is a duplicate", i)
	}
}
