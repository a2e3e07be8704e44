package keeper

import (
	"github.com/custos-ledger/custos/x/did/types"
)

// signed records which fragments' materials signed the transaction.
type signed struct {
	current map[string]bool // the fragment's material in the current version
	next    map[string]bool // the fragment's material in the proposed version
}

// verifySignatures checks every signature of the tx. A signature names a
// key of the target DID; it counts for the current material under that
// fragment, for the proposed material, or both, whichever it verifies
// under. A signature that names no signing key of the DID, or verifies under
// neither, refuses the tx. cur is nil for a create.
func (e *execution) verifySignatures(cur *types.Keys, next types.Keys) (signed, error) {
	s := signed{current: map[string]bool{}, next: map[string]bool{}}
	for _, sig := range e.sigs {
		u, err := types.ParseURL(sig.VerificationMethod)
		if err != nil {
			return signed{}, err
		}
		if u.ID != e.id {
			return signed{}, types.ErrUnknownSigner.Wrapf("%s is a key of another DID; sign with keys of %s", u, e.id)
		}
		var curKey, nextKey types.PublicKey
		if cur != nil {
			if k, ok := cur.Get(u.Fragment); ok && k.Type().CanSign() {
				curKey = k
			}
		}
		if k, ok := next.Get(u.Fragment); ok && k.Type().CanSign() && k != curKey {
			nextKey = k
		}
		if curKey.IsZero() && nextKey.IsZero() {
			return signed{}, types.ErrUnknownSigner.Wrapf("%s is not a signing key of %s", u, e.id)
		}
		ok := false
		if !curKey.IsZero() && e.k.verifier.Verify(curKey, e.msg, sig.Signature) {
			s.current[u.Fragment], ok = true, true
		}
		if !nextKey.IsZero() && e.k.verifier.Verify(nextKey, e.msg, sig.Signature) {
			s.next[u.Fragment], ok = true, true
		}
		if !ok {
			return signed{}, types.ErrBadSignature.Wrapf("the signature by %s does not verify", u)
		}
	}
	return s, nil
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

// requirePossession checks that every signing key of next whose material
// is not in cur signed the tx with that material.
func requirePossession(cur *types.Keys, next types.Keys, s signed) error {
	for i, f := range next.Fragments {
		k := next.Keys[i]
		if !k.Type().CanSign() || (cur != nil && cur.Contains(k)) {
			continue
		}
		if !s.next[f] {
			return types.ErrMissingPossession.Wrapf("new key %q must sign the transaction", f)
		}
	}
	return nil
}
