package keeper

import (
	"fmt"
	"slices"

	"github.com/custos-ledger/custos/x/did/types"
)

// ownerVote is how the owner's cancel vote is recorded.
const ownerVote = "owner"

// recoveryInitiate opens a recovery of the target proposed by one of its
// guardians: new controller keys (each proving possession), threshold and
// optional next-key commitment. The initiation counts as the guardian's
// approval; a pending guardian change is superseded. The recovery keeps the
// guardian set in force now: it is judged against that set until it
// executes.
func (e *execution) recoveryInitiate(op *types.RecoveryInitiateOp) (Outcome, error) {
	head, rec, _, err := e.currentForGuardian()
	if err != nil {
		return Outcome{}, err
	}
	rs, err := e.loadRecoveries()
	if err != nil {
		return Outcome{}, err
	}
	if op.RecoveryId != rs.NextId+1 {
		return Outcome{}, types.ErrWrongRecoveryID.Wrapf("the initiation names recovery id %d, the next recovery of %s gets id %d; read it again (custos recovery status) and rebuild the tx", op.RecoveryId, e.id, rs.NextId+1)
	}
	gs, err := e.loadGuardians()
	if err != nil {
		return Outcome{}, err
	}
	gid, gdoc, gkeys, err := e.guardianOf(op.Guardian, &gs.Current)
	if err != nil {
		return Outcome{}, err
	}
	proposed, err := proposedKeys(op.NewKeys)
	if err != nil {
		return Outcome{}, err
	}
	rv, err := e.restoreVersion(op, head, rec)
	if err != nil {
		return Outcome{}, err
	}
	if op.Compromised {
		if err := e.checkCompromisedSince(op.CompromisedSince); err != nil {
			return Outcome{}, err
		}
	} else if op.CompromisedSince != 0 {
		return Outcome{}, types.ErrInvalidOperation.Wrap("compromised_since goes only with compromised")
	}
	s, err := e.verifyParties(party{id: gid, cur: &gkeys}, party{id: e.id, next: proposed})
	if err != nil {
		return Outcome{}, err
	}
	if err := requireThreshold(gdoc, s[0]); err != nil {
		return Outcome{}, err
	}
	if err := e.requirePossession(nil, proposed, s[1]); err != nil {
		return Outcome{}, err
	}
	if err := e.refuseCompromised(nil, proposed); err != nil {
		return Outcome{}, err
	}
	for _, p := range rs.Pending {
		if p.Initiator == gid.String() {
			return Outcome{}, types.ErrRecoveryPending.Wrapf("%s already initiated recovery %d of %s", gid, p.Id, e.id)
		}
	}
	rs.NextId++
	r := types.Recovery{
		Id: rs.NextId, Initiator: gid.String(), NewKeys: op.NewKeys, Threshold: op.Threshold,
		NextKeys: op.NextKeys, Approvals: []string{gid.String()},
		Initiated: e.blk.Time, Expires: e.blk.Time + e.k.params.RecoveryExpiry,
		Guardians: cloneConfig(&gs.Current), RestoreVersion: rv,
		Compromised: op.Compromised, CompromisedSince: op.CompromisedSince,
	}
	ev := types.HistoryEntry{
		Kind: types.EVENT_KIND_RECOVERY_INITIATED, RecoveryId: r.Id, Guardian: gid.String(),
		KeysAdded: proposed.Fragments, Threshold: op.Threshold, NextKeysCommitted: op.NextKeys != nil,
		Detail: fmt.Sprintf("restores version %d", rv),
	}
	if op.Compromised {
		ev.Reason, ev.CompromisedSince = types.REVOCATION_REASON_COMPROMISED, op.CompromisedSince
	}
	if err := e.maybeReady(&r, &ev); err != nil {
		return Outcome{}, err
	}
	rs.Pending = append(rs.Pending, r)
	if err := e.saveRecoveries(); err != nil {
		return Outcome{}, err
	}
	if err := e.log(head, ev); err != nil {
		return Outcome{}, err
	}
	if err := e.cancelGuardianChange(head, fmt.Sprintf("superseded by recovery %d", r.Id)); err != nil {
		return Outcome{}, err
	}
	return e.outcome(head), nil
}

// maybeReady makes r ready, at approval time + delay, once its active
// approvals reach the threshold of its guardian set. (The schedule follows
// the saved state: a ready recovery's execution, else its expiry.)
func (e *execution) maybeReady(r *types.Recovery, ev *types.HistoryEntry) error {
	if r.Ready != 0 {
		return nil
	}
	n, err := e.activeApprovals(r)
	if err != nil {
		return err
	}
	if n < int(r.Guardians.Threshold) {
		return nil
	}
	r.Ready = e.blk.Time + r.Guardians.Delay
	ev.Effective = r.Ready
	return nil
}

// activeApprovals counts the approvals of guardians of r's set that are
// active.
func (e *execution) activeApprovals(r *types.Recovery) (int, error) {
	return e.activeGuardians(r.Approvals, &r.Guardians)
}

// activeGuardians counts the DIDs of dids that are guardians of set and
// active; other entries (the owner's vote) are not counted.
func (e *execution) activeGuardians(dids []string, set *types.GuardianConfig) (int, error) {
	n := 0
	for _, g := range dids {
		if !slices.Contains(set.Guardians, g) {
			continue
		}
		ok, err := e.isActive(g)
		if err != nil {
			return 0, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// signedByGuardian checks that did is an active guardian of set and that
// its own controller keys, at its own threshold, signed the tx.
func (e *execution) signedByGuardian(did string, set *types.GuardianConfig) (types.ID, error) {
	gid, gdoc, gkeys, err := e.guardianOf(did, set)
	if err != nil {
		return types.ID{}, err
	}
	s, err := e.verifyParties(party{id: gid, cur: &gkeys})
	if err != nil {
		return types.ID{}, err
	}
	return gid, requireThreshold(gdoc, s[0])
}

// recoveryApprove records the approval of a guardian of the recovery's
// set; a guardian counts once.
func (e *execution) recoveryApprove(op *types.RecoveryApproveOp) (Outcome, error) {
	head, _, _, err := e.currentForGuardian()
	if err != nil {
		return Outcome{}, err
	}
	_, r, err := e.pendingRecovery(op.RecoveryId)
	if err != nil {
		return Outcome{}, err
	}
	gid, err := e.signedByGuardian(op.Guardian, &r.Guardians)
	if err != nil {
		return Outcome{}, err
	}
	if slices.Contains(r.Approvals, gid.String()) {
		return Outcome{}, types.ErrAlreadyCounted.Wrapf("%s already approved recovery %d", gid, r.Id)
	}
	r.Approvals = append(r.Approvals, gid.String())
	ev := types.HistoryEntry{Kind: types.EVENT_KIND_RECOVERY_APPROVED, RecoveryId: r.Id, Guardian: gid.String(), Effective: r.Ready}
	if err := e.maybeReady(r, &ev); err != nil {
		return Outcome{}, err
	}
	if err := e.saveRecoveries(); err != nil {
		return Outcome{}, err
	}
	if err := e.log(head, ev); err != nil {
		return Outcome{}, err
	}
	return e.outcome(head), nil
}

// pendingRecovery finds a pending, unexpired recovery of the target.
func (e *execution) pendingRecovery(id uint64) (*types.RecoveryState, *types.Recovery, error) {
	rs, err := e.loadRecoveries()
	if err != nil {
		return nil, nil, err
	}
	i := findRecovery(rs, id)
	if i < 0 {
		return nil, nil, types.ErrRecoveryNotFound.Wrapf("%s has no pending recovery %d", e.id, id)
	}
	r := &rs.Pending[i]
	if r.Ready == 0 && e.blk.Time >= r.Expires {
		return nil, nil, types.ErrRecoveryExpired.Wrapf("recovery %d expired at %d", id, r.Expires)
	}
	return rs, r, nil
}

// recoveryCancel records a cancel vote by the owner (m controller keys) or a
// guardian of the recovery's set; once ⌈(n+1)/2⌉ of {owner, n guardians of
// that set} voted, the recovery is dropped.
func (e *execution) recoveryCancel(op *types.RecoveryCancelOp) (Outcome, error) {
	load := e.current
	if op.Guardian != "" {
		load = e.currentForGuardian
	}
	head, rec, cur, err := load()
	if err != nil {
		return Outcome{}, err
	}
	rs, r, err := e.pendingRecovery(op.RecoveryId)
	if err != nil {
		return Outcome{}, err
	}
	voter := ownerVote
	if op.Guardian == "" {
		s, err := e.verifySignatures(&cur, types.Keys{})
		if err != nil {
			return Outcome{}, err
		}
		if err := requireThreshold(&rec.Document, s); err != nil {
			return Outcome{}, err
		}
	} else {
		gid, err := e.signedByGuardian(op.Guardian, &r.Guardians)
		if err != nil {
			return Outcome{}, err
		}
		voter = gid.String()
	}
	if slices.Contains(r.CancelVotes, voter) {
		return Outcome{}, types.ErrAlreadyCounted.Wrapf("%s already voted to cancel recovery %d", voter, r.Id)
	}
	r.CancelVotes = append(r.CancelVotes, voter)
	votes, err := e.cancelVotes(r)
	if err != nil {
		return Outcome{}, err
	}
	need := (len(r.Guardians.Guardians) + 2) / 2 // ⌈(n+1)/2⌉
	ev := types.HistoryEntry{Kind: types.EVENT_KIND_RECOVERY_CANCEL_VOTED, RecoveryId: r.Id, Guardian: voter,
		Detail: fmt.Sprintf("%d of %d votes needed", votes, need)}
	if votes >= need {
		ev.Kind = types.EVENT_KIND_RECOVERY_CANCELLED
		ev.Detail = fmt.Sprintf("cancelled by %d of %d votes (owner and guardians)", votes, len(r.Guardians.Guardians)+1)
		rs.Pending = slices.DeleteFunc(rs.Pending, func(p types.Recovery) bool { return p.Id == op.RecoveryId })
	}
	if err := e.saveRecoveries(); err != nil {
		return Outcome{}, err
	}
	if err := e.log(head, ev); err != nil {
		return Outcome{}, err
	}
	return e.outcome(head), nil
}

// cancelVotes counts the owner's vote and those of active guardians of r's
// set.
func (e *execution) cancelVotes(r *types.Recovery) (int, error) {
	n, err := e.activeGuardians(r.CancelVotes, &r.Guardians)
	if slices.Contains(r.CancelVotes, ownerVote) {
		n++
	}
	return n, err
}

// proposedKeys parses a recovery's proposed keys; they must all sign.
func proposedKeys(vms []types.VerificationMethod) (types.Keys, error) {
	d := types.Document{VerificationMethods: vms}
	keys, err := types.KeysOf(&d)
	if err != nil {
		return types.Keys{}, err
	}
	if len(vms) == 0 {
		return types.Keys{}, types.ErrInvalidOperation.Wrap("a recovery proposes at least one new key")
	}
	for i, k := range keys.Keys {
		if !k.Type().CanSign() {
			return types.Keys{}, types.ErrInvalidOperation.Wrapf("proposed key %q is %s: controller keys must sign", keys.Fragments[i], k.Type())
		}
	}
	return keys, nil
}

// cloneConfig returns a deep copy of a guardian set.
func cloneConfig(c *types.GuardianConfig) types.GuardianConfig {
	return types.GuardianConfig{Guardians: slices.Clone(c.Guardians), Threshold: c.Threshold, Delay: c.Delay}
}
