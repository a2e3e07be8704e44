package keeper

import (
	"github.com/custos-ledger/custos/x/did/types"
)

// signed records which fragments' materials signed the transaction.
type signed struct {
	current map[string]bool // the fragment's material in the current version
	next    map[string]bool // the fragment's material in the proposed version
}

// party is a DID whose keys may sign a tx: its current keys (nil for a
// DID being created) and the keys it is about to have.
type party struct {
	id   types.ID
	cur  *types.Keys
	next types.Keys
}

// authorizeEdit checks an edit of the target's document from cur (its
// keys curKeys) to next (nextKeys): no new material was ever compromised
// for the DID (refuseCompromised), the change is authorized
// (authorizeChange, which reports a pre-rotation reveal) and every signing
// key with new material signed.
func (e *execution) authorizeEdit(cur *types.Document, curKeys types.Keys, next *types.Document, nextKeys types.Keys) (revealed bool, err error) {
	if err := e.refuseCompromised(&curKeys, nextKeys); err != nil {
		return false, err
	}
	s, err := e.verifySignatures(&curKeys, nextKeys)
	if err != nil {
		return false, err
	}
	if revealed, err = authorizeChange(e.id, cur, curKeys, next, nextKeys, s); err != nil {
		return false, err
	}
	return revealed, e.requirePossession(&curKeys, nextKeys, s)
}

// verifySignatures checks every signature of the tx against the target's
// current and proposed keys. cur is nil for a create.
func (e *execution) verifySignatures(cur *types.Keys, next types.Keys) (signed, error) {
	s, err := e.verifyParties(party{id: e.id, cur: cur, next: next})
	if err != nil {
		return signed{}, err
	}
	return s[0], nil
}

// verifyParties checks every signature of the tx. A signature names a key
// of one of the parties by DID URL; it counts for the current material
// under that fragment if it verifies under it, else for the proposed
// material if it verifies under that. A signature that names no signing
// key of a party, or that verifies under neither, refuses the tx.
//
// Signatures that cannot count are refused before any is verified (junk
// costs the least): a malformed key URL, a key that is no signing key of
// a party (unknown_signer), and more signatures naming a party than it has
// distinct signing materials, current and proposed (excess_signatures). So
// a tx causes at most one verification per signature, and a second only
// for a signature naming a fragment whose material it replaces, within
// max_signatures signatures and the parties' keys: the per-tx signature
// budget (docs/write-policy.md). A key still counts once however often it
// signs. The endorsement (endorse) was verified before and is left out.
func (e *execution) verifyParties(parties ...party) ([]signed, error) {
	type named struct {
		pi        int
		fragment  string
		cur, next types.PublicKey
		sig       []byte
		url       types.URL
	}
	plan := make([]named, 0, len(e.sigs))
	counts := make([]int, len(parties))
	for i, sig := range e.sigs {
		if i == e.endorsement {
			continue
		}
		u := e.urls[i]
		if err := e.urlErrs[i]; err != nil {
			return nil, err
		}
		pi := -1
		for i, p := range parties {
			if p.id == u.ID {
				pi = i
				break
			}
		}
		if pi < 0 {
			return nil, types.ErrUnknownSigner.Wrapf("%s is a key of a DID that has no part in this tx; sign with keys of %s", u, parties[0].id)
		}
		p := parties[pi]
		var curKey, nextKey types.PublicKey
		if p.cur != nil {
			if k, ok := p.cur.Get(u.Fragment); ok && k.Type().CanSign() {
				curKey = k
			}
		}
		if k, ok := p.next.Get(u.Fragment); ok && k.Type().CanSign() && k != curKey {
			nextKey = k
		}
		if curKey.IsZero() && nextKey.IsZero() {
			return nil, types.ErrUnknownSigner.Wrapf("%s is not a signing key of %s", u, p.id)
		}
		counts[pi]++
		plan = append(plan, named{pi: pi, fragment: u.Fragment, cur: curKey, next: nextKey, sig: sig.Signature, url: u})
	}
	for pi, p := range parties {
		if n := p.signingMaterials(); counts[pi] > n {
			return nil, types.ErrExcessSignatures.Wrapf("%d signatures name keys of %s, which has %d signing key(s) that could count", counts[pi], p.id, n)
		}
	}
	out := make([]signed, len(parties))
	for i := range out {
		out[i] = signed{current: map[string]bool{}, next: map[string]bool{}}
	}
	for _, n := range plan {
		pi, f, curKey, nextKey := n.pi, n.fragment, n.cur, n.next
		// A signature counts for the current material if it verifies
		// under it, else for the proposed. The order of the trials only
		// saves work: no signature verifies under two distinct keys, so it
		// cannot change which one a signature counts for. Once the current
		// material of a fragment has signed, a second signature naming the
		// fragment is, in every honest tx, the proposed material's (a
		// rotation's proof of possession): try that first, and spare the
		// verification that would fail.
		nextFirst := !nextKey.IsZero() && out[pi].current[f]
		switch {
		case nextFirst && e.k.facts.Verify(nextKey, e.msg, n.sig):
			out[pi].next[f] = true
		case !curKey.IsZero() && e.k.facts.Verify(curKey, e.msg, n.sig):
			out[pi].current[f] = true
		case !nextFirst && !nextKey.IsZero() && e.k.facts.Verify(nextKey, e.msg, n.sig):
			out[pi].next[f] = true
		default:
			if !nextKey.IsZero() && !nextKey.IsCurvePoint() {
				return nil, notAPoint(n.url.String())
			}
			if types.HighS(curKey.Type(), n.sig) || types.HighS(nextKey.Type(), n.sig) {
				return nil, types.ErrHighS.Wrapf("the signature by %s has a high s: sign again, or replace s by n - s", n.url)
			}
			return nil, types.ErrBadSignature.Wrapf("the signature by %s does not verify", n.url)
		}
	}
	return out, nil
}

// signingMaterials is the number of distinct signing key materials of
// the party, current and proposed: the most signatures that could count.
func (p party) signingMaterials() int {
	n := 0
	if p.cur != nil {
		for _, k := range p.cur.Keys {
			if k.Type().CanSign() {
				n++
			}
		}
	}
	for _, k := range p.next.Keys {
		if k.Type().CanSign() && (p.cur == nil || !p.cur.Contains(k)) {
			n++
		}
	}
	return n
}

// requireThreshold checks that at least doc.Threshold distinct
// capabilityInvocation keys of the current document signed.
func requireThreshold(doc *types.Document, s signed) error {
	n := 0
	for _, f := range doc.CapabilityInvocation {
		if s.current[f] {
			n++
		}
	}
	if n < int(doc.Threshold) {
		return types.ErrThresholdNotMet.Wrapf("%d of the required %d capabilityInvocation keys signed", n, doc.Threshold)
	}
	return nil
}

// owesPossession reports whether the key k of a proposed document must
// prove possession: it signs, and its material is new (not in cur; nil for
// a create, where every key is new).
func owesPossession(cur *types.Keys, k types.PublicKey) bool {
	return k.Type().CanSign() && (cur == nil || !cur.Contains(k))
}

// requirePossession checks that every signing key of next whose material
// is not in cur is of prime order (types.PublicKey.CheckPrimeOrder) and
// signed the tx with that material.
func (e *execution) requirePossession(cur *types.Keys, next types.Keys, s signed) error {
	for i, f := range next.Fragments {
		k := next.Keys[i]
		if !owesPossession(cur, k) {
			continue
		}
		if err := e.k.facts.CheckPrimeOrder(k); err != nil {
			return types.ErrInvalidPublicKey.Wrapf("new key %q: %s", f, types.Detail(err))
		}
		if !s.next[f] {
			return types.ErrMissingPossession.Wrapf("new key %q must sign the transaction", f)
		}
	}
	return nil
}

// notAPoint is the refusal of a new Ed25519 key that is no curve point:
// nothing can sign for it, so it cannot prove possession.
func notAPoint(key string) error {
	return types.ErrInvalidPublicKey.Wrapf("new key %s is not a point of the Ed25519 curve: nothing can sign for it", key)
}
