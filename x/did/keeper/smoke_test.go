package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

func TestLifecycle(t *testing.T) {
	e := newEnv(t)
	k1, k2 := key("a1"), key("a2")
	id := e.create(k1)
	require.Equal(t, uint64(1), e.head(id).Version)

	// rotate key-1 to k2: signed by the old key (authority) and the new one (possession).
	_, err := e.exec(e.sign(txbuild.Rotate(testChain, id, 1, "key-1", pub(k2)),
		txbuild.NewSigner(id, "key-1", k1), txbuild.NewSigner(id, "key-1", k2)))
	require.NoError(t, err)
	require.Equal(t, uint64(2), e.head(id).Version)

	// the old key can no longer sign
	_, err = e.exec(e.sign(txbuild.Deactivate(testChain, id, 2), txbuild.NewSigner(id, "key-1", k1)))
	require.ErrorIs(t, err, types.ErrBadSignature)

	_, err = e.exec(e.sign(txbuild.Deactivate(testChain, id, 2), txbuild.NewSigner(id, "key-1", k2)))
	require.NoError(t, err)
	h := e.head(id)
	require.True(t, h.Deactivated)
	require.Equal(t, uint64(3), h.Version)

	hist, err := keeper.GetHistory(e.db, id)
	require.NoError(t, err)
	require.Len(t, hist, 3)
	require.Equal(t, types.EVENT_KIND_KEY_ROTATED, hist[1].Kind)

	kr, err := keeper.GetKeyRecord(e.db, id, "key-1")
	require.NoError(t, err)
	require.Len(t, kr.Periods, 2)
	require.Equal(t, types.KEY_STATUS_RETIRED, kr.Periods[0].Status)
	require.Equal(t, pub(k1).Multicodec(), kr.Periods[0].PublicKey)

	// version 1 still resolves as it was
	v1, err := keeper.GetVersion(e.db, id, 1)
	require.NoError(t, err)
	require.Equal(t, pub(k1).Multicodec(), v1.Document.VerificationMethods[0].PublicKey)
}
