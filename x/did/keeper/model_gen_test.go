package keeper_test

import (
	"slices"

	"github.com/custos-ledger/custos/x/did/types"
)

// The operation generator of TestModel.

func (g *gen) chance(n int) bool { return g.rng.Intn(n) == 0 }

// inception is a random valid document: one to three Ed25519 keys, maybe
// an X25519 key, some of the Ed25519 keys controllers.
func (g *gen) inception() mDoc {
	var d mDoc
	keys := g.rng.Perm(poolEd)[:1+g.rng.Intn(3)]
	for i, k := range keys {
		d.methods = append(d.methods, mMethod{fragPool[i], k})
		if i == 0 || !g.chance(3) {
			d.capInv = append(d.capInv, fragPool[i])
		}
	}
	if g.chance(2) {
		d.methods = append(d.methods, mMethod{fragPool[len(keys)], poolEd + g.rng.Intn(poolX)})
	}
	d.threshold = uint32(1 + g.rng.Intn(len(d.capInv)))
	return d
}

// next generates one operation: mostly well formed and well signed, with
// faults mixed in (stale versions, wrong chains, missing or wrong signers,
// documents that break a rule).
func (g *gen) next() mOp {
	slot := g.rng.Intn(slots)
	for range 2 { // deactivated DIDs refuse everything: target them less
		if d := g.m.dids[g.ids[slot]]; d == nil || !d.deactivated {
			break
		}
		slot = g.rng.Intn(slots)
	}
	op := mOp{id: g.ids[slot], chainOK: !g.chance(25)}
	d := g.m.dids[op.id]
	cur := g.docs[slot]
	if d != nil {
		op.version = d.version
		if !d.deactivated {
			cur = d.doc
		}
	} else {
		op.version = 1
	}
	if g.chance(15) {
		op.version += uint64(g.rng.Intn(3)) - 1
	}
	r := g.rng.Intn(100)
	switch {
	case (d == nil && !g.chance(4)) || r < 4:
		op.kind, op.doc, op.version = opCreate, g.docs[slot], 0
		if g.chance(20) {
			op.version = 1
		}
		for _, m := range op.doc.methods {
			if g.m.isEd(m.key) && !g.chance(12) {
				op.sigs = append(op.sigs, mSig{op.id, m.frag, m.key})
			}
		}
		g.noise(&op, cur)
		return op
	case r < 45:
		op.kind, op.doc = opUpdate, g.mutate(cur)
	case r < 70:
		op.kind, op.frag = opRotate, g.someFrag(cur)
		old, _ := cur.key(op.frag)
		op.newKey = g.freshKey(cur, g.m.isEd(old) != g.chance(10))
		switch g.rng.Intn(8) {
		case 0:
			op.reason = types.REVOCATION_REASON_COMPROMISED
		case 1:
			op.reason = types.REVOCATION_REASON_COMPROMISED
			op.since = g.m.time - int64(g.rng.Intn(200)) + 100 // maybe in the future
		case 2:
			op.since = g.m.time - int64(g.rng.Intn(200)) // without compromised
		}
	case r < 96:
		op.kind, op.frag = opRevoke, g.someFrag(cur)
		if g.chance(4) {
			op.frag = g.formerFrag(op.id, cur)
		}
		op.reason = types.RevocationReason(1 + g.rng.Intn(2))
		switch g.rng.Intn(12) {
		case 0:
			op.reason = types.RevocationReason(g.rng.Intn(2) * 3) // unspecified or unknown
		case 1, 2:
			op.since = g.m.time - int64(g.rng.Intn(200)) + 100 // maybe in the future
		}
	default:
		op.kind = opDeactivate
	}
	g.authorize(&op, cur)
	return op
}

// someFrag is a fragment of cur, rarely one it does not have.
func (g *gen) someFrag(cur mDoc) string {
	if len(cur.methods) == 0 || g.chance(20) {
		return "zz"
	}
	return cur.methods[g.rng.Intn(len(cur.methods))].frag
}

// freshKey is a pool key of the type asked for, usually not in cur.
func (g *gen) freshKey(cur mDoc, ed bool) int {
	for range 4 {
		k := g.rng.Intn(poolEd)
		if !ed {
			k = poolEd + g.rng.Intn(poolX)
		}
		if !cur.hasKey(k) || g.chance(8) {
			return k
		}
	}
	return g.rng.Intn(poolEd + poolX)
}

// mutate returns cur after one to three random edits.
func (g *gen) mutate(cur mDoc) mDoc {
	d := cur.clone()
	for range 1 + g.rng.Intn(3) {
		switch g.rng.Intn(5) {
		case 0: // add a key
			free := slices.DeleteFunc(slices.Clone(fragPool), func(f string) bool { _, ok := d.key(f); return ok })
			if len(free) == 0 {
				continue
			}
			f, k := free[g.rng.Intn(len(free))], g.freshKey(d, !g.chance(4))
			d.methods = append(d.methods, mMethod{f, k})
			if g.m.isEd(k) && g.chance(2) {
				d.capInv = append(d.capInv, f)
			}
		case 1: // remove a key
			if len(d.methods) > 0 {
				d = d.without(d.methods[g.rng.Intn(len(d.methods))].frag)
			}
		case 2: // new material for a fragment
			if len(d.methods) > 0 {
				i := g.rng.Intn(len(d.methods))
				d.methods[i].key = g.freshKey(d, g.m.isEd(d.methods[i].key))
			}
		case 3: // a key becomes or stops being a controller
			if len(d.methods) > 0 {
				m := d.methods[g.rng.Intn(len(d.methods))]
				if slices.Contains(d.capInv, m.frag) {
					d.capInv = slices.DeleteFunc(d.capInv, func(f string) bool { return f == m.frag })
				} else if g.m.isEd(m.key) {
					d.capInv = append(d.capInv, m.frag)
				}
			}
		case 4:
			d.threshold = uint32(g.rng.Intn(len(d.capInv) + 2))
		}
	}
	if n := len(d.capInv); n > 0 && !g.chance(6) {
		d.threshold = max(1, min(d.threshold, uint32(n)))
	}
	return d
}

// authorize signs op with about a threshold of cur's controllers and, for
// a change that brings new Ed25519 keys, usually with those keys.
func (g *gen) authorize(op *mOp, cur mDoc) {
	n := int(cur.threshold)
	switch g.rng.Intn(10) {
	case 0:
		n--
	case 1:
		n++
	}
	for _, i := range g.rng.Perm(len(cur.capInv)) {
		if n <= 0 {
			break
		}
		f := cur.capInv[i]
		k, _ := cur.key(f)
		op.sigs = append(op.sigs, mSig{op.id, f, k})
		n--
	}
	var next []mMethod
	switch op.kind {
	case opUpdate:
		next = op.doc.methods
	case opRotate:
		next = []mMethod{{op.frag, op.newKey}}
	}
	for _, m := range next {
		if g.m.isEd(m.key) && !cur.hasKey(m.key) && !g.chance(8) {
			op.sigs = append(op.sigs, mSig{op.id, m.frag, m.key})
		}
	}
	g.noise(op, cur)
}

// noise sometimes adds a repeated, a wrong-key, an authentication-only or
// a foreign signature, and shuffles the signatures.
func (g *gen) noise(op *mOp, cur mDoc) {
	if len(op.sigs) > 0 && g.chance(12) {
		op.sigs = append(op.sigs, op.sigs[g.rng.Intn(len(op.sigs))])
	}
	if len(cur.methods) > 0 && g.chance(15) {
		op.sigs = append(op.sigs, mSig{op.id, cur.methods[g.rng.Intn(len(cur.methods))].frag, g.rng.Intn(poolEd)})
	}
	if g.chance(12) {
		for _, m := range cur.methods {
			if g.m.isEd(m.key) && !slices.Contains(cur.capInv, m.frag) {
				op.sigs = append(op.sigs, mSig{op.id, m.frag, m.key})
				break
			}
		}
	}
	if g.chance(40) {
		other := g.ids[g.rng.Intn(slots)]
		op.sigs = append(op.sigs, mSig{other, "a", g.rng.Intn(poolEd)})
	}
	g.rng.Shuffle(len(op.sigs), func(i, j int) { op.sigs[i], op.sigs[j] = op.sigs[j], op.sigs[i] })
}

// formerFrag is a fragment id had but cur does not list, when there is
// one (in sorted order, for determinism), else "zz".
func (g *gen) formerFrag(id types.ID, cur mDoc) string {
	d := g.m.dids[id]
	if d == nil {
		return "zz"
	}
	var former []string
	for f := range d.ever {
		if _, ok := cur.key(f); !ok {
			former = append(former, f)
		}
	}
	if len(former) == 0 {
		return "zz"
	}
	slices.Sort(former)
	return former[g.rng.Intn(len(former))]
}
