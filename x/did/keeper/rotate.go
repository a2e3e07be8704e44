package keeper

import (
	"strings"

	"github.com/custos-ledger/custos/x/did/types"
)

// rotate replaces one key's material and keeps its relationships; the old
// material is recorded as retired, or as compromised (op.Compromised, with
// its optional since-time) in the same step. The new key, if it signs,
// proves possession. A signing key may rotate to a signing key of another
// type (an Ed25519 key to a P-256 key held in a token): every relationship
// but keyAgreement takes any signing type, so the relationships kept stay
// valid. A keyAgreement key rotates to an X25519 key only.
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
	doc, next, err := RotatedDocument(e.id, &rec.Document, cur, op.KeyId, op.NewPublicKey)
	if err != nil {
		return Outcome{}, err
	}
	if op.NextKeys != nil {
		if err := types.ValidateNextKeys(op.NextKeys, e.k.params); err != nil {
			return Outcome{}, err
		}
		doc.NextKeys = op.NextKeys
	}
	nk, _ := next.Get(op.KeyId)
	if err := e.limitEdit(head, &rec.Document, &doc); err != nil {
		return Outcome{}, err
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

// RotatedDocument is the document a rotation makes of cur, the current
// document of id (its keys curKeys): the material of fragment keyID
// replaced by newPublicKey (multicodec), its relationships and everything
// else kept. It refuses a fragment cur does not list, a new key that does
// not parse, cannot take the old key's place (a signing key for a
// keyAgreement key or the reverse) or is listed in cur already. It returns
// the new document's keys. The CLI calls it to build a rotation, the
// ledger to execute one.
func RotatedDocument(id types.ID, cur *types.Document, curKeys types.Keys, keyID string, newPublicKey []byte) (types.Document, types.Keys, error) {
	old, ok := curKeys.Get(keyID)
	if !ok {
		return types.Document{}, types.Keys{}, types.ErrKeyNotFound.Wrapf("%s has no key #%s (its keys: %s)", id, types.Truncate(keyID), listKeys(curKeys))
	}
	nk, err := types.ParsePublicKey(newPublicKey)
	if err != nil {
		return types.Document{}, types.Keys{}, err
	}
	if nk.Type().CanSign() != old.Type().CanSign() {
		return types.Document{}, types.Keys{}, types.ErrKeyTypeMismatch.Wrapf("#%s is an %s key, the new key %s is %s: a signing key rotates to a signing key (Ed25519, P-256, secp256k1), a keyAgreement key to an X25519 key", keyID, old.Type(), nk.Multibase(), nk.Type())
	}
	for i, k := range curKeys.Keys {
		if k == nk {
			return types.Document{}, types.Keys{}, types.ErrDuplicateKey.Wrapf("the new key %s is already #%s of %s", nk.Multibase(), curKeys.Fragments[i], id)
		}
	}
	doc := cur.Clone()
	next := types.Keys{Fragments: curKeys.Fragments, Keys: append([]types.PublicKey(nil), curKeys.Keys...)}
	for i := range doc.VerificationMethods {
		if doc.VerificationMethods[i].Id == keyID {
			doc.VerificationMethods[i].PublicKey = nk.Multicodec()
			next.Keys[i] = nk
		}
	}
	return doc, next, nil
}

// listKeys names a document's keys for error details: #fragment and
// publicKeyMultibase of each.
func listKeys(keys types.Keys) string {
	if len(keys.Keys) == 0 {
		return "none"
	}
	parts := make([]string, len(keys.Keys))
	for i, k := range keys.Keys {
		parts[i] = "#" + keys.Fragments[i] + " " + k.Multibase()
	}
	return strings.Join(parts, ", ")
}
