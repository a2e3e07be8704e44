package keeper

import (
	"github.com/custos-ledger/custos/x/did/types"
)

// loadGuardians returns the target's guardian state (zero when it has none),
// loading it once per execution.
func (e *execution) loadGuardians() (*types.GuardianState, error) {
	if e.guardians == nil {
		gs, err := GetGuardians(e.st, e.id)
		if err != nil {
			return nil, err
		}
		if gs == nil {
			gs = &types.GuardianState{}
		}
		e.guardians = gs
		e.sched.guardians = guardianActions(e.id, gs)
		e.sched.guardiansLoaded = e.sched.guardians
	}
	return e.guardians, nil
}

// saveGuardians stages the guardian state with a new revision.
func (e *execution) saveGuardians() error {
	e.guardians.Revision++
	e.sched.guardians = guardianActions(e.id, e.guardians)
	return e.put(types.GuardiansKey(e.id), e.guardians)
}

// loadRecoveries returns the target's pending recoveries, loading them once.
func (e *execution) loadRecoveries() (*types.RecoveryState, error) {
	if e.recoveries == nil {
		rs, err := GetRecoveries(e.st, e.id)
		if err != nil {
			return nil, err
		}
		if rs == nil {
			rs = &types.RecoveryState{}
		}
		e.recoveries = rs
		e.sched.recoveries = recoveryActions(e.id, rs)
		e.sched.recoveriesLoaded = e.sched.recoveries
	}
	return e.recoveries, nil
}

// saveRecoveries stages the recovery state with a new revision.
func (e *execution) saveRecoveries() error {
	e.recoveries.Revision++
	e.sched.recoveries = recoveryActions(e.id, e.recoveries)
	return e.put(types.RecoveriesKey(e.id), e.recoveries)
}

// findRecovery returns the index of the pending recovery with id, or -1.
func findRecovery(rs *types.RecoveryState, id uint64) int {
	for i, r := range rs.Pending {
		if r.Id == id {
			return i
		}
	}
	return -1
}

// activeDID loads a DID that must be registered and active (a guardian), and
// its current document and keys.
func (e *execution) activeDID(id types.ID) (*types.Document, types.Keys, error) {
	head, rec, err := e.k.resolve(e.st, id)
	if err != nil {
		return nil, types.Keys{}, err
	}
	if head == nil {
		return nil, types.Keys{}, types.ErrGuardianInactive.Wrapf("%s is not registered", id)
	}
	if head.Deactivated {
		return nil, types.Keys{}, types.ErrGuardianInactive.Wrapf("%s is deactivated", id)
	}
	keys, err := types.KeysOf(&rec.Document)
	if err != nil {
		return nil, types.Keys{}, err
	}
	return &rec.Document, keys, nil
}

// isActive reports whether a DID is registered and not deactivated.
func (e *execution) isActive(did string) (bool, error) {
	id, err := types.ParseID(did)
	if err != nil {
		return false, nil
	}
	head, err := GetHead(e.st, id)
	if err != nil {
		return false, err
	}
	return head != nil && !head.Deactivated, nil
}
