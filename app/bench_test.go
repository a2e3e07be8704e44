package app_test

import (
	"context"
	"fmt"
	"runtime"
	"runtime/pprof"
	"syscall"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/didtest"
)

// signedCreates returns the signed creates of one-key DIDs offset to
// offset+n-1 of a workload.
func signedCreates(_ testing.TB, n, offset int) [][]byte {
	txs, _ := didtest.Creates(goldenChain, "signed", offset, n)
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
				commitOK(b, a, int64(i+1), blocks[i])
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

// BenchmarkBlockMix measures one node's state-machine work per tx under
// the `make bench` workload: blocks of 2,000 txs (half creates, a quarter
// rotations, a quarter service updates of existing DIDs) into a state of
// 20,000 DIDs, every tx checked once on arrival (CheckTx) and then
// finalized and committed. cpu-µs/tx is the process's CPU time (every
// goroutine, badger's writers included) per tx; run it with -benchtime at
// most 10x (each block needs 1,000 fresh warm DIDs).
func BenchmarkBlockMix(b *testing.B) { blockMix(b, 2000, 0) }

// BenchmarkBlockMixBatched is BlockMix as a node under load runs it:
// blocks of 500 txs, whose first-time checks arrive in batches of 16 that
// the node prepares together (PrepareCheckTxs, as accel.BatchedCheckTx
// does), and enough blocks to cross the tree's periodic reload (every 32
// commits by default). Run it with -benchtime 40x (at most 80x).
func BenchmarkBlockMixBatched(b *testing.B) { blockMix(b, 500, 16) }

// blockMix runs b.N blocks of perBlock mixed txs after a warm-up of
// creates; checkBatch > 0 prepares the checks in batches of that size.
func blockMix(b *testing.B, perBlock, checkBatch int) {
	const warm = 20000
	if b.N*perBlock/2 > warm {
		b.Skipf("at most %d blocks: use a smaller -benchtime", 2*warm/perBlock)
	}
	a := newApp(b, b.TempDir())
	defer a.Close()
	initChain(b, a)
	ctx := context.Background()
	height := int64(0)
	block := func(txs [][]byte, check bool) {
		if check {
			for lo := 0; lo < len(txs); lo += max(checkBatch, 1) {
				batch := txs[lo:min(lo+max(checkBatch, 1), len(txs))]
				if checkBatch > 0 {
					a.PrepareCheckTxs(batch)
				}
				for _, tx := range batch {
					res, err := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: tx})
					if err != nil || res.Code != 0 {
						b.Fatal(err, res.Log)
					}
				}
			}
		}
		height++
		commitOK(b, a, height, txs)
	}
	warmTxs, ids := didtest.Creates(goldenChain, "mix", 0, warm)
	for i := 0; i < warm; i += 2500 {
		block(warmTxs[i:i+2500], false)
	}
	mix := didtest.Mix(goldenChain, "mix", ids, 0, warm, perBlock*b.N)
	runtime.GC()
	b.ResetTimer()
	cpu0 := cpuSeconds(b)
	// Labelled, so that a CPU profile can focus on the measured blocks
	// (go tool pprof -tagfocus phase=measured); badger's own goroutines
	// carry no label.
	pprof.Do(ctx, pprof.Labels("phase", "measured"), func(context.Context) {
		for i := 0; i < b.N; i++ {
			block(mix[i*perBlock:(i+1)*perBlock], true)
		}
	})
	cpu := cpuSeconds(b) - cpu0
	b.ReportMetric(cpu*1e6/float64(b.N*perBlock), "cpu-µs/tx")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*perBlock), "wall-µs/tx")
}

// cpuSeconds is the process's user and system CPU time so far.
func cpuSeconds(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
