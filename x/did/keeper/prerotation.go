package keeper

import (
	"github.com/custos-ledger/custos/x/did/types"
)

// authorizeChange decides whether the signatures s authorize changing the
// document from cur to next, with the pre-rotation rules of SPEC §2:
//   - without a commitment, m current capabilityInvocation keys must sign;
//   - with one, a change that keeps the capabilityInvocation keys and
//     threshold needs m current keys and must keep the commitment as it is;
//   - with one, a change of the capabilityInvocation keys or threshold must
//     reveal exactly the committed keys and threshold, be signed by at least
//     the committed threshold of them, and commit to a new next set. The
//     current keys are not needed: whoever holds the next keys rotates.
//
// It reports whether the change revealed the committed keys.
func authorizeChange(cur *types.Document, curKeys types.Keys, next *types.Document, nextKeys types.Keys, s signed) (bool, error) {
	c := cur.NextKeys
	if c == nil {
		return false, requireThreshold(cur, s)
	}
	if !types.ControlChanged(cur, next) {
		if !types.NextKeysEqual(c, next.NextKeys) {
			return false, types.ErrPreRotation.Wrap("the commitment to the next keys can only be replaced by a rotation that reveals them")
		}
		return false, requireThreshold(cur, s)
	}
	if !types.SameDigests(types.ControlDigests(next), c.Digests) || next.Threshold != c.Threshold {
		return false, types.ErrPreRotation.Wrap("the new capabilityInvocation keys and threshold must be exactly the committed next keys; a thief holding only the current keys cannot change them")
	}
	if next.NextKeys == nil || types.NextKeysEqual(next.NextKeys, c) {
		return false, types.ErrPreRotation.Wrap("a rotation that reveals the committed keys must commit to a new next set (--next-key)")
	}
	n := 0
	for _, f := range next.CapabilityInvocation {
		k, _ := nextKeys.Get(f)
		ck, had := curKeys.Get(f)
		if s.next[f] || (had && ck == k && s.current[f]) {
			n++
		}
	}
	if n < int(c.Threshold) {
		return false, types.ErrThresholdNotMet.Wrapf("%d of the %d committed next keys signed", n, c.Threshold)
	}
	return true, nil
}

// cancelPending voids every pending recovery and guardian change of the
// target, logging each: the owner revealed its pre-rotated keys.
func (e *execution) cancelPending(head *types.Head, why string) error {
	rs, err := e.loadRecoveries()
	if err != nil {
		return err
	}
	if len(rs.Pending) > 0 {
		dropped := rs.Pending
		rs.Pending = nil
		if err := e.saveRecoveries(); err != nil {
			return err
		}
		for _, r := range dropped {
			if err := e.log(head, types.HistoryEntry{Kind: types.EVENT_KIND_RECOVERY_CANCELLED, RecoveryId: r.Id, Guardian: r.Initiator, Detail: why}); err != nil {
				return err
			}
		}
	}
	return e.cancelGuardianChange(head, why)
}
