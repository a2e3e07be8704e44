package keeper

import (
	"strings"

	"github.com/custos-ledger/custos/x/did/types"
)

// CheckCommitment applies the pre-rotation rule of SPEC §2 to changing
// the document of id from cur to next, before any signature counts:
//   - without a commitment in cur, anything goes (m current
//     capabilityInvocation keys sign);
//   - with one, a change that keeps the capabilityInvocation keys and
//     threshold must keep the commitment as it is;
//   - with one, a change of the capabilityInvocation keys or threshold must
//     reveal exactly the committed keys and threshold and commit to a new
//     next set.
//
// It reports whether the change reveals cur's commitment: then at least
// the committed threshold of next's capabilityInvocation keys must sign,
// and the current keys are not needed (whoever holds the next keys
// rotates). The CLI calls it before signing, the ledger when it executes.
func CheckCommitment(id types.ID, cur, next *types.Document) (reveals bool, err error) {
	c := cur.NextKeys
	if c == nil {
		return false, nil
	}
	if !types.ControlChanged(cur, next) {
		if !types.NextKeysEqual(c, next.NextKeys) {
			return false, types.ErrPreRotation.Wrap("the commitment to the next keys can only be replaced by a rotation that reveals them")
		}
		return false, nil
	}
	if !types.SameDigests(types.ControlDigests(next), c.Digests) || next.Threshold != c.Threshold {
		return false, notCommitted(id, c, next)
	}
	if next.NextKeys == nil || types.NextKeysEqual(next.NextKeys, c) {
		return false, types.ErrPreRotation.Wrapf("revealing the committed next keys of %s needs a new commitment to the keys after them, in the same change", id)
	}
	return true, nil
}

// notCommitted explains why next's capabilityInvocation keys and
// threshold are not the commitment c: the keys outside it, else the counts.
func notCommitted(id types.ID, c *types.NextKeys, next *types.Document) error {
	var outside []string
	for _, f := range next.CapabilityInvocation {
		vm, ok := next.Method(f)
		if !ok {
			continue
		}
		if pk, err := types.ParsePublicKey(vm.PublicKey); err == nil && !types.HasDigest(c.Digests, types.KeyDigest(pk)) {
			outside = append(outside, "#"+f+" "+pk.Multibase())
		}
	}
	if len(outside) > 0 {
		verb := "is not one of them"
		if len(outside) > 1 {
			verb = "are not among them"
		}
		return types.ErrPreRotation.Wrapf("%s has committed to its next controller keys and %s %s: only the committed keys can take control, so holding the current keys is not enough",
			id, strings.Join(outside, ", "), verb)
	}
	return types.ErrPreRotation.Wrapf("%s has committed to %d next controller key(s) with threshold %d; the change would leave %d with threshold %d: reveal exactly the committed keys",
		id, len(c.Digests), c.Threshold, len(next.CapabilityInvocation), next.Threshold)
}

// authorizeChange decides whether the signatures s authorize changing the
// document of id from cur to next: CheckCommitment, then m current
// capabilityInvocation keys, or for a change that reveals the commitment,
// at least the committed threshold of the revealed keys (a revealed key
// that is also a current one counts with either signature).
//
// It reports whether the change revealed the committed keys.
func authorizeChange(id types.ID, cur *types.Document, curKeys types.Keys, next *types.Document, nextKeys types.Keys, s signed) (bool, error) {
	reveals, err := CheckCommitment(id, cur, next)
	if err != nil {
		return false, err
	}
	if !reveals {
		return false, requireThreshold(cur, s)
	}
	c := cur.NextKeys
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
