package keeper

import (
	"fmt"
	"slices"
	"strings"

	"github.com/custos-ledger/custos/x/did/types"
)

// setGuardians sets the target's guardians, threshold and delay. The first
// set takes effect at once, or under a pre-rotation commitment after its own
// delay; a change to an existing set waits out the current delay (and a
// recovery initiated meanwhile supersedes it). No change is made while a
// recovery is pending.
func (e *execution) setGuardians(op *types.SetGuardiansOp) (Outcome, error) {
	head, rec, cur, err := e.current()
	if err != nil {
		return Outcome{}, err
	}
	gs, err := e.loadGuardians()
	if err != nil {
		return Outcome{}, err
	}
	if op.ExpectedRevision != gs.Revision {
		return Outcome{}, types.ErrStaleGuardians.Wrapf("the tx expects guardian state revision %d, %s is at revision %d; read it again (custos recovery status) and rebuild the tx", op.ExpectedRevision, e.id, gs.Revision)
	}
	cfg, err := e.validateGuardians(op)
	if err != nil {
		return Outcome{}, err
	}
	// A recovery in progress fixes the guardians: a change made meanwhile
	// would take effect while it is pending, and the new set (a thief's
	// accomplice) could open a recovery of its own that the honest
	// guardians, outside that set, cannot cancel, and that may be ready
	// before theirs.
	rs, err := e.loadRecoveries()
	if err != nil {
		return Outcome{}, err
	}
	if len(rs.Pending) > 0 {
		ids := make([]string, len(rs.Pending))
		for i, r := range rs.Pending {
			ids[i] = fmt.Sprint(r.Id)
		}
		return Outcome{}, types.ErrGuardiansLocked.Wrapf("%s has pending recovery %s: change its guardians once that has executed, been cancelled or expired", e.id, strings.Join(ids, ", "))
	}
	if err := e.rateLimit(head); err != nil {
		return Outcome{}, err
	}
	s, err := e.verifySignatures(&cur, types.Keys{})
	if err != nil {
		return Outcome{}, err
	}
	if err := requireThreshold(&rec.Document, s); err != nil {
		return Outcome{}, err
	}
	ev := types.HistoryEntry{
		Kind: types.EVENT_KIND_GUARDIANS_SET, Guardians: cfg.Guardians,
		GuardianThreshold: cfg.Threshold, Delay: cfg.Delay,
	}
	switch {
	case len(gs.Current.Guardians) == 0 && (rec.Document.NextKeys == nil || len(cfg.Guardians) == 0):
		gs.Current, gs.Pending, gs.PendingEffective = cfg, nil, 0
		ev.Effective = e.blk.Time
	default:
		// A change waits out the current delay. Under a pre-rotation
		// commitment the first set waits out its own delay: the current
		// keys alone must not install guardians who could recover the DID
		// at once, and the owner's rotation to the committed keys cancels
		// the change meanwhile.
		wait := gs.Current.Delay
		if len(gs.Current.Guardians) == 0 {
			wait = cfg.Delay
		}
		gs.Pending = &cfg
		gs.PendingEffective = e.blk.Time + wait
		ev.Effective = gs.PendingEffective // the schedule follows the saved state
	}
	if err := e.saveGuardians(); err != nil {
		return Outcome{}, err
	}
	if err := e.log(head, ev); err != nil {
		return Outcome{}, err
	}
	return e.outcome(head), nil
}

// validateGuardians is GuardianConfig for the target, whose guardians
// must be active DIDs.
func (e *execution) validateGuardians(op *types.SetGuardiansOp) (types.GuardianConfig, error) {
	return GuardianConfig(e.id, op, e.k.params, func(g types.ID) error {
		_, _, err := e.activeDID(g)
		return err
	})
}

// GuardianConfig checks a set-guardians operation of id against the
// genesis limits p and returns the guardian set it makes: none (a
// removal, with threshold 0 and delay 0), or 1 to max_guardians distinct
// DIDs other than id, each accepted by active (the ledger requires an
// active DID; nil checks nothing), a threshold between 1 and their number,
// and a delay between the chain's recovery_min_delay and MaxDelay. The CLI
// calls it before signing, the ledger when it executes.
func GuardianConfig(id types.ID, op *types.SetGuardiansOp, p types.Params, active func(types.ID) error) (types.GuardianConfig, error) {
	n := len(op.Guardians)
	if n == 0 {
		if op.Threshold != 0 || op.Delay != 0 {
			return types.GuardianConfig{}, types.ErrInvalidGuardians.Wrap("removing every guardian takes threshold 0 and delay 0")
		}
		return types.GuardianConfig{}, nil
	}
	if n > int(p.MaxGuardians) {
		return types.GuardianConfig{}, types.ErrLimitExceeded.Wrapf("%d guardians, the limit is %d", n, p.MaxGuardians)
	}
	cfg := types.GuardianConfig{Threshold: op.Threshold, Delay: op.Delay}
	for _, g := range op.Guardians {
		gid, err := types.ParseID(g)
		if err != nil {
			return types.GuardianConfig{}, types.ErrInvalidGuardians.Wrapf("guardian %q: %s", types.Truncate(g), types.Detail(err))
		}
		if gid == id {
			return types.GuardianConfig{}, types.ErrInvalidGuardians.Wrap("a DID cannot be its own guardian")
		}
		if slices.Contains(cfg.Guardians, gid.String()) {
			return types.GuardianConfig{}, types.ErrInvalidGuardians.Wrapf("guardian %s is listed twice", gid)
		}
		if active != nil {
			if err := active(gid); err != nil {
				return types.GuardianConfig{}, err
			}
		}
		cfg.Guardians = append(cfg.Guardians, gid.String())
	}
	if op.Threshold == 0 || int(op.Threshold) > n {
		return types.GuardianConfig{}, types.ErrInvalidGuardians.Wrapf("threshold %d must be between 1 and the %d guardians", op.Threshold, n)
	}
	if op.Delay < p.RecoveryMinDelay {
		return types.GuardianConfig{}, types.ErrInvalidGuardians.Wrapf("delay %ds is shorter than the chain's recovery_min_delay of %ds", op.Delay, p.RecoveryMinDelay)
	}
	if op.Delay > types.MaxDelay {
		return types.GuardianConfig{}, types.ErrInvalidGuardians.Wrapf("delay %ds is longer than the longest guardian delay, %ds", op.Delay, types.MaxDelay)
	}
	return cfg, nil
}

// guardianOf checks that did names a guardian of the target in set (the
// current set for an initiation, the recovery's own set for an approval or
// a cancel vote), and returns its ID, document and keys; the guardian must
// be active.
func (e *execution) guardianOf(did string, set *types.GuardianConfig) (types.ID, *types.Document, types.Keys, error) {
	gid, err := types.ParseID(did)
	if err != nil {
		return types.ID{}, nil, types.Keys{}, err
	}
	if !slices.Contains(set.Guardians, gid.String()) {
		return types.ID{}, nil, types.Keys{}, types.ErrNotGuardian.Wrapf("%s is not a guardian of %s", gid, e.id)
	}
	doc, keys, err := e.activeDID(gid)
	if err != nil {
		return types.ID{}, nil, types.Keys{}, err
	}
	return gid, doc, keys, nil
}

// cancelGuardianChange drops a pending guardian change, logging why.
func (e *execution) cancelGuardianChange(head *types.Head, why string) error {
	gs, err := e.loadGuardians()
	if err != nil || gs.Pending == nil {
		return err
	}
	ev := types.HistoryEntry{
		Kind: types.EVENT_KIND_GUARDIAN_CHANGE_CANCELLED, Guardians: gs.Pending.Guardians,
		GuardianThreshold: gs.Pending.Threshold, Delay: gs.Pending.Delay, Detail: why,
	}
	gs.Pending, gs.PendingEffective = nil, 0
	if err := e.saveGuardians(); err != nil {
		return err
	}
	return e.log(head, ev)
}
