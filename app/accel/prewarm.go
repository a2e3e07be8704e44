package accel

import (
	"runtime"
	"sync"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// prewarm batch-verifies, across the CPUs, the signatures of txs whose key
// can be known before execution (keeper.SigningCandidates against r) and
// that the signature memory does not hold yet, and remembers what each
// gave, so that executing (checking) the txs finds them remembered. It
// decides nothing. It does nothing when fewer than minBatch signatures are
// left to verify: execution verifies those one by one, for less.
func prewarm(k *keeper.Keeper, c *SigCache, r keeper.Reader, txs [][]byte) {
	if c.facts.Cap() == 0 {
		return
	}
	var items []types.Signed
	for _, raw := range txs {
		p, err := k.Parse(raw)
		if err != nil {
			continue
		}
		for _, s := range k.SigningCandidates(r, p) {
			if !c.has(s) {
				items = append(items, s)
			}
		}
	}
	if len(items) < minBatch {
		return
	}
	workers := min(runtime.NumCPU(), (len(items)+63)/64)
	per := (len(items) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*per, min((w+1)*per, len(items))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func(batch []types.Signed) {
			defer wg.Done()
			c.verifyBatch(batch)
		}(items[lo:hi])
	}
	wg.Wait()
}

// minBatch is the fewest signatures worth verifying together. Per
// signature, a batch of 2 costs about what verifying one by one does, a
// batch of 4 about 0.8 times as much, and batches of 8 or more about 0.6
// times (BenchmarkVerify in x/did/types, on the development machine).
const minBatch = 4

// verifyBatch verifies items together and remembers the answers.
func (c *SigCache) verifyBatch(items []types.Signed) {
	for i, ok := range types.VerifyBatch(items) {
		c.add(sigKey(items[i].Key, items[i].Msg, items[i].Sig), ok)
	}
}
