package app_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/txbuild"
)

// signedCreates returns n signed creates of one-key DIDs.
func signedCreates(b testing.TB, n, offset int) [][]byte {
	txs := make([][]byte, n)
	for i := range txs {
		var seed [32]byte
		binary.BigEndian.PutUint64(seed[:], uint64(offset+i))
		s := sha256.Sum256(seed[:])
		k := ed25519.NewKeyFromSeed(s[:])
		id, body, err := txbuild.Create(goldenChain, txbuild.SimpleDocument("key-1", pubOf(k)), "")
		require.NoError(b, err)
		txs[i], err = txbuild.Sign(body, txbuild.NewSigner(id, "key-1", k))
		require.NoError(b, err)
	}
	return txs
}

// BenchmarkFinalizeBlock measures executing and committing blocks of 500
// creates, with signatures already verified by CheckTx (warm) or not
// (cold). Reported per tx.
func BenchmarkFinalizeBlock(b *testing.B) {
	for _, warm := range []bool{false, true} {
		b.Run(fmt.Sprintf("checked=%v", warm), func(b *testing.B) {
			const perBlock = 500
			a := newApp(b, b.TempDir())
			defer a.Close()
			initChain(b, a)
			ctx := context.Background()
			blocks := make([][][]byte, b.N)
			for i := range blocks {
				blocks[i] = signedCreates(b, perBlock, i*perBlock)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if warm {
					b.StopTimer()
					for _, tx := range blocks[i] {
						_, err := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: tx})
						require.NoError(b, err)
					}
					b.StartTimer()
				}
				res, err := a.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: int64(i + 1), Time: time.Unix(1_700_000_000+int64(i), 0), Txs: blocks[i]})
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range res.TxResults {
					if r.Code != 0 {
						b.Fatal(r.Log)
					}
				}
				if _, err := a.Commit(ctx, &abci.RequestCommit{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*perBlock), "ns/tx")
		})
	}
}

// BenchmarkCheckTx measures admitting one create to the mempool, with its
// signature not yet cached (first sight) and cached (a recheck).
func BenchmarkCheckTx(b *testing.B) {
	for _, recheck := range []bool{false, true} {
		b.Run(fmt.Sprintf("recheck=%v", recheck), func(b *testing.B) {
			a := newApp(b, b.TempDir())
			defer a.Close()
			initChain(b, a)
			ctx := context.Background()
			txs := signedCreates(b, b.N, 0)
			if recheck {
				for _, tx := range txs {
					_, _ = a.CheckTx(ctx, &abci.RequestCheckTx{Tx: tx})
				}
			}
			b.ResetTimer()
			for _, tx := range txs {
				res, err := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: tx})
				if err != nil || res.Code != 0 {
					b.Fatal(err, res.Log)
				}
			}
		})
	}
}
