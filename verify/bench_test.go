package verify_test

import (
	"context"
	"sync"
	"testing"

	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/proof"
	"github.com/custos-ledger/custos/x/did/types"
)

// BenchmarkProofCheck is the client-side CPU cost of checking one
// resolution's proofs (the head and the version record) against an app
// hash already verified: what a client pays per answer once it trusts the
// header.
func BenchmarkProofCheck(b *testing.B) {
	id, h := benchDID(b, "bench-proof")
	ctx := context.Background()
	type answer struct {
		key, value []byte
		ops        *cmtcrypto.ProofOps
	}
	var answers []answer
	for _, key := range [][]byte{types.HeadKey(id), types.VersionKey(id, 1)} {
		res, err := rpc.ABCIQueryWithOptions(ctx, types.QueryPathState, key, rpcclient.ABCIQueryOptions{Height: h, Prove: true})
		require.NoError(b, err)
		answers = append(answers, answer{key: key, value: res.Response.Value, ops: res.Response.ProofOps})
	}
	next := h + 1
	require.NoError(b, waitHeight(rpc, next))
	blk, err := rpc.Block(ctx, &next)
	require.NoError(b, err)
	appHash := blk.Block.Header.AppHash
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, a := range answers {
			if err := proof.Verify(a.ops, appHash, a.key, a.value); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkResolveVerified is one verified resolution end to end against a
// real local node: two proved queries over RPC, the light client's header
// check (cached after the first answer at a height) and the proof checks.
func BenchmarkResolveVerified(b *testing.B) {
	id, h := benchDID(b, "bench-verified")
	c, err := newClient(b, nodeAddr)
	require.NoError(b, err)
	defer c.Close()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.ResolveAt(ctx, id, 0, h); err != nil {
			b.Fatal(err)
		}
	}
}

// benchDIDs holds the DIDs benchmarks created: a benchmark function runs
// more than once, and the same create cannot be sent twice.
var benchDIDs sync.Map

type created struct {
	id     types.ID
	height int64
}

func benchDID(b *testing.B, name string) (types.ID, int64) {
	if v, ok := benchDIDs.Load(name); ok {
		c := v.(created)
		return c.id, c.height
	}
	id, _, h, err := createDID(name)
	require.NoError(b, err)
	benchDIDs.Store(name, created{id, h})
	return id, h
}
