package app_test

import (
	"context"
	"fmt"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// A spam run against a chain with a stamp and rate limits: 10,000 txs,
// each refused (creates without a stamp or with one for another body,
// updates past the DID's quota, stamped creates whose signatures cannot
// count), by CheckTx
// and in blocks, each with its own code, leave the app hash as it was.
func TestSpamLeavesStateUnchanged(t *testing.T) {
	const bits = 8
	c := newPolicyChain(t, func(g *app.GenesisState) {
		g.Params.StampDifficulty = bits
		g.Params.RateLimits = []app.GenesisRateLimit{{Period: "1h", MaxOps: 1}}
	})
	k := seedKey("spammed")
	id, create, err := txbuild.Create(goldenChain, txbuild.SimpleDocument("key-1", pubOf(k)), "")
	require.NoError(t, err)
	createTx, err := txbuild.AddStamp(context.Background(), didSign(t, create, id, k), bits, nil)
	require.NoError(t, err)
	c.ok(createTx) // its one op of the hour
	before := c.a.Store().LastCommit().AppHash
	s := txbuild.NewSigner(id, "key-1", k)

	const n = 10_000
	spam := make([][]byte, 0, n)
	want := make([]uint32, 0, n)
	add := func(tx []byte, code *types.Error) { spam, want = append(spam, tx), append(want, code.Code) }
	for i := 0; len(spam) < n; i++ {
		sk := seedKey(fmt.Sprintf("spam %d", i))
		sid, body, err := txbuild.Create(goldenChain, txbuild.SimpleDocument("key-1", pubOf(sk)), "")
		require.NoError(t, err)
		signed, err := txbuild.Sign(body, txbuild.NewSigner(sid, "key-1", sk))
		require.NoError(t, err)
		switch i % 4 {
		case 0: // no stamp
			add(signed, types.ErrStampMissing)
		case 1: // the create of the DID above's stamp: another body
			var env, stamped types.Tx
			require.NoError(t, env.Unmarshal(signed))
			require.NoError(t, stamped.Unmarshal(createTx))
			// Claiming 32 bits, it fits this body by chance once in 2^32.
			env.Stamp = &types.Stamp{Bits: 32, Nonce: stamped.Stamp.Nonce}
			b, err := env.Marshal()
			require.NoError(t, err)
			add(b, types.ErrStampInvalid)
		case 2: // an update past the quota
			doc := txbuild.SimpleDocument("key-1", pubOf(k))
			doc.Services = []types.Service{{Id: "s", Type: "T", Endpoint: fmt.Sprintf("https://example.com/%d", i)}}
			tx, err := txbuild.Sign(txbuild.Update(goldenChain, id, 1, doc), s)
			require.NoError(t, err)
			add(tx, types.ErrRateLimited)
		case 3: // the same key signing twice
			tx, err := txbuild.Sign(body, txbuild.NewSigner(sid, "key-1", sk), txbuild.NewSigner(sid, "key-1", sk))
			require.NoError(t, err)
			tx, err = txbuild.AddStamp(context.Background(), tx, bits, nil)
			require.NoError(t, err)
			add(tx, types.ErrExcessSignatures)
		}
	}
	for i, tx := range spam {
		res := c.check(tx, abci.CheckTxType_New)
		require.Equal(t, want[i], res.Code, "tx %d: %s", i, res.Log)
	}
	for from := 0; from < n; from += 2_500 {
		for i, r := range c.block(spam[from : from+2_500]...) {
			require.Equal(t, want[from+i], r.Code, "tx %d: %s", from+i, r.Log)
		}
	}
	// Blocks with no successful tx change nothing but the height.
	require.Equal(t, before, c.a.Store().LastCommit().AppHash, "the spam changed the state")
}
