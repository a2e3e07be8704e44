package keeper

import (
	"github.com/custos-ledger/custos/x/did/types"
)

// deactivate ends the DID for good: a last version with no keys, every key
// recorded as retired. Earlier versions keep resolving as they were. Under a
// pre-rotation commitment it must be signed by the committed next keys
// (revealed in the op), not by the current ones.
func (e *execution) deactivate(op *types.DeactivateOp) (Outcome, error) {
	head, rec, cur, err := e.current()
	if err != nil {
		return Outcome{}, err
	}
	if err := e.authorizeDeactivation(&rec.Document, cur, op); err != nil {
		return Outcome{}, err
	}
	version := head.Version + 1
	for _, f := range cur.Fragments {
		if err := e.closeKey(f, version, types.KEY_STATUS_RETIRED, 0); err != nil {
			return Outcome{}, err
		}
	}
	ev := types.HistoryEntry{Kind: types.EVENT_KIND_DEACTIVATED, KeysRemoved: cur.Fragments}
	if _, err := e.commitVersion(head, types.Document{Id: e.id.String()}, true, ev); err != nil {
		return Outcome{}, err
	}
	if err := e.cancelPending(head, "the DID was deactivated"); err != nil {
		return Outcome{}, err
	}
	return e.outcome(head), nil
}

func (e *execution) authorizeDeactivation(doc *types.Document, cur types.Keys, op *types.DeactivateOp) error {
	c := doc.NextKeys
	if c == nil {
		if len(op.Reveal) > 0 {
			return types.ErrInvalidOperation.Wrap("the DID has no pre-rotation commitment: reveal no keys")
		}
		s, err := e.verifySignatures(&cur, types.Keys{})
		if err != nil {
			return err
		}
		return requireThreshold(doc, s)
	}
	revealed, err := revealedNextKeys(cur, c, op.Reveal)
	if err != nil {
		return err
	}
	s, err := e.verifySignatures(&cur, revealed)
	if err != nil {
		return err
	}
	n := 0
	for _, f := range revealed.Fragments {
		if s.next[f] {
			n++
		}
	}
	if n < int(c.Threshold) {
		return types.ErrPreRotation.Wrapf("%d of the %d committed next keys signed; the current keys cannot deactivate a pre-rotated DID", n, c.Threshold)
	}
	return nil
}

// revealedNextKeys checks the keys a deactivation of a DID whose current
// keys are cur and whose commitment is c reveals: valid keys, none of them
// a current key, each one of the committed next keys. It returns them; at
// least c.Threshold of them must sign.
func revealedNextKeys(cur types.Keys, c *types.NextKeys, reveal []types.VerificationMethod) (types.Keys, error) {
	revealed, err := proposedKeys(reveal)
	if err != nil {
		return types.Keys{}, types.ErrPreRotation.Wrap("deactivating a pre-rotated DID needs its committed next keys: " + types.Detail(err))
	}
	for i, k := range revealed.Keys {
		if cur.Contains(k) {
			return types.Keys{}, types.ErrPreRotation.Wrapf("revealed key %q is a current key, not a committed next key", revealed.Fragments[i])
		}
		if !types.HasDigest(c.Digests, types.KeyDigest(k)) {
			return types.Keys{}, types.ErrPreRotation.Wrapf("revealed key %q is not one of the committed next keys", revealed.Fragments[i])
		}
	}
	return revealed, nil
}
