package app_test

import (
	"context"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// Rechecks after a block drop exactly the txs the block made stale.
func TestRecheckAfterBlock(t *testing.T) {
	a := newApp(t, t.TempDir())
	defer a.Close()
	initChain(t, a)
	ctx := context.Background()
	check := func(tx []byte, typ abci.CheckTxType) uint32 {
		res, err := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: tx, Type: typ})
		require.NoError(t, err)
		return res.Code
	}
	block := func(h int64, txs ...[]byte) { commitOK(t, a, h, txs) }

	k, k2, k3 := seedKey("r1"), seedKey("r2"), seedKey("r3")
	id, create, err := txbuild.Create(goldenChain, txbuild.SimpleDocument("key-1", pubOf(k)), "")
	require.NoError(t, err)
	createTx, err := txbuild.Sign(create, txbuild.NewSigner(id, "key-1", k))
	require.NoError(t, err)
	other := signedCreates(t, 1, 99)[0]

	require.Zero(t, check(createTx, abci.CheckTxType_New))
	require.Zero(t, check(other, abci.CheckTxType_New))
	block(1, createTx)
	require.Equal(t, types.ErrDIDExists.Code, check(createTx, abci.CheckTxType_Recheck), "a committed create no longer applies")
	require.Zero(t, check(other, abci.CheckTxType_Recheck), "an unrelated create still applies")

	r1, err := txbuild.Sign(txbuild.Rotate(goldenChain, id, 1, "key-1", pubOf(k2)), txbuild.NewSigner(id, "key-1", k), txbuild.NewSigner(id, "key-1", k2))
	require.NoError(t, err)
	r2, err := txbuild.Sign(txbuild.Rotate(goldenChain, id, 1, "key-1", pubOf(k3)), txbuild.NewSigner(id, "key-1", k), txbuild.NewSigner(id, "key-1", k3))
	require.NoError(t, err)
	require.Zero(t, check(r1, abci.CheckTxType_New))
	require.Zero(t, check(r2, abci.CheckTxType_New))
	block(2, r1)
	require.Equal(t, types.ErrStaleVersion.Code, check(r2, abci.CheckTxType_Recheck), "a rotation built on the old version is stale")
}
