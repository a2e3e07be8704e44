package keeper

import (
	"runtime"
	"slices"
	"sync"

	"github.com/custos-ledger/custos/x/did/types"
)

// Prewarm batch-verifies, across the CPUs, every signature of txs whose key
// can be known before execution (the target's and guardians' keys in st,
// and the keys a tx brings itself), and caches the ones that hold, so that
// executing the block finds them in the cache. It decides nothing: it only
// records crypto facts, and execution checks authorization as always. It is
// a no-op unless the keeper's verifier is a *SigCache, and when fewer than
// minBatch signatures are left to verify (execution verifies those one by
// one, for less).
func (k *Keeper) Prewarm(st Reader, txs [][]byte) {
	c, ok := k.verifier.(*SigCache)
	if !ok || c.facts.Cap() == 0 {
		return
	}
	var items []types.Signed
	for _, raw := range txs {
		items = k.candidates(st, c, raw, items)
	}
	if len(items) < minBatch {
		return // execution verifies them one by one, for less
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

// candidates appends the not-yet-cached (key, sig) pairs of one tx.
func (k *Keeper) candidates(st Reader, c *SigCache, raw []byte, items []types.Signed) []types.Signed {
	p, _, err := k.parse(raw)
	if err != nil || len(p.tx.Signatures) > int(k.params.MaxSignatures) || p.idErr != nil {
		return items
	}
	body, target := p.body, p.id
	// The candidate keys of each key URL, distinct, stored ones first.
	known := map[types.URL][]types.PublicKey{}
	add := func(u types.URL, pk types.PublicKey) {
		if !slices.Contains(known[u], pk) {
			known[u] = append(known[u], pk)
		}
	}
	addDoc := func(id types.ID, d *types.Document) {
		for _, vm := range d.VerificationMethods {
			if pk, err := types.ParsePublicKey(vm.PublicKey); err == nil && pk.Type().CanSign() {
				add(types.URL{ID: id, Fragment: vm.Id}, pk)
			}
		}
	}
	addStored := func(id types.ID) {
		if head, rec, err := k.resolve(st, id); err == nil && head != nil {
			addDoc(id, &rec.Document)
		}
	}
	addStored(target)
	switch op := body.Operation.(type) {
	case *types.TxBody_Create:
		addDoc(target, &op.Create.Document)
	case *types.TxBody_Update:
		addDoc(target, &op.Update.Document)
	case *types.TxBody_RotateKey:
		if pk, err := types.ParsePublicKey(op.RotateKey.NewPublicKey); err == nil {
			add(types.URL{ID: target, Fragment: op.RotateKey.KeyId}, pk)
		}
	case *types.TxBody_Deactivate:
		addDoc(target, &types.Document{VerificationMethods: op.Deactivate.Reveal})
	case *types.TxBody_RecoveryInitiate:
		addDoc(target, &types.Document{VerificationMethods: op.RecoveryInitiate.NewKeys})
		if g, err := types.ParseID(op.RecoveryInitiate.Guardian); err == nil {
			addStored(g)
		}
	case *types.TxBody_RecoveryApprove:
		if g, err := types.ParseID(op.RecoveryApprove.Guardian); err == nil {
			addStored(g)
		}
	case *types.TxBody_RecoveryCancel:
		if g, err := types.ParseID(op.RecoveryCancel.Guardian); err == nil {
			addStored(g)
		}
	}
	nth := map[types.URL]int{}
	for si, s := range p.tx.Signatures {
		u := p.urls[si]
		if p.urlErrs[si] != nil || len(s.Signature) != 64 {
			continue
		}
		// A URL with two candidate keys (a rotation's current and proposed
		// material) is signed by each in that order in every honest tx,
		// which is the order of the candidates: pair the n-th signature
		// with the n-th key. A wrong guess is only a fact that does not
		// hold; it costs its batch a check one by one, and nothing else.
		i := nth[u]
		nth[u]++
		if pks := known[u]; i < len(pks) && !c.has(pks[i], p.msg, s.Signature) {
			items = append(items, types.Signed{Key: pks[i], Msg: p.msg, Sig: s.Signature})
		}
	}
	return items
}

// verifyBatch verifies items together and caches the answers.
func (c *SigCache) verifyBatch(items []types.Signed) {
	for i, ok := range types.VerifyBatch(items) {
		c.add(cacheKey(items[i].Key, items[i].Msg, items[i].Sig), ok)
	}
}
