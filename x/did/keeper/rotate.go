package keeper

import (
	"github.com/custos-ledger/custos/x/did/types"
)

// rotate replaces one key's material and keeps its relationships; the old
// material is recorded as retired, or as compromised (op.Compromised, with
// its optional since-time) in the same step. The new key, if it signs,
// proves possession.
func (e *execution) rotate(op *types.RotateKeyOp) (Outcome, error) {
	head, rec, cur, err := e.current()
	if err != nil {
		return Outcome{}, err
	}
	status := types.KEY_STATUS_RETIRED
	if op.Compromised {
		if err := e.checkCompromisedSince(op.CompromisedSince); err != nil {
			return Outcome{}, err
		}
		status = types.KEY_STATUS_COMPROMISED
	} else if op.CompromisedSince != 0 {
		return Outcome{}, types.ErrInvalidOperation.Wrap("compromised_since goes only with compromised")
	}
	old, ok := cur.Get(op.KeyId)
	if !ok {
		return Outcome{}, types.ErrKeyNotFound.Wrapf("%s has no key %q", e.id, types.Truncate(op.KeyId))
	}
	nk, err := types.ParsePublicKey(op.NewPublicKey)
	if err != nil {
		return Outcome{}, err
	}
	if nk.Type() != old.Type() {
		return Outcome{}, types.ErrKeyTypeMismatch.Wrapf("key %q is %s, the new key is %s", op.KeyId, old.Type(), nk.Type())
	}
	if cur.Contains(nk) {
		return Outcome{}, types.ErrDuplicateKey.Wrap("the new key is already listed in the document")
	}
	doc := rec.Document.Clone()
	if op.NextKeys != nil {
		if err := types.ValidateNextKeys(op.NextKeys, e.k.params); err != nil {
			return Outcome{}, err
		}
		doc.NextKeys = op.NextKeys
	}
	next := types.Keys{Fragments: cur.Fragments, Keys: append([]types.PublicKey(nil), cur.Keys...)}
	for i := range doc.VerificationMethods {
		if doc.VerificationMethods[i].Id == op.KeyId {
			doc.VerificationMethods[i].PublicKey = nk.Multicodec()
			next.Keys[i] = nk
		}
	}
	revealed, err := e.authorizeEdit(&rec.Document, cur, &doc, next)
	if err != nil {
		return Outcome{}, err
	}
	if err := e.rotateKey(op.KeyId, nk, head.Version+1, status, op.CompromisedSince); err != nil {
		return Outcome{}, err
	}
	ev := types.HistoryEntry{Kind: types.EVENT_KIND_KEY_ROTATED, KeysRotated: []string{op.KeyId}, Threshold: doc.Threshold,
		NextKeysCommitted: op.NextKeys != nil}
	if op.Compromised {
		ev.Reason, ev.CompromisedSince, ev.KeysCompromised = types.REVOCATION_REASON_COMPROMISED, op.CompromisedSince, []string{op.KeyId}
	}
	if _, err := e.commitVersion(head, doc, false, ev); err != nil {
		return Outcome{}, err
	}
	if revealed {
		if err := e.cancelPending(head, "the owner rotated to its pre-committed keys"); err != nil {
			return Outcome{}, err
		}
	}
	return e.outcome(head), nil
}
