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
	}
	return e.guardians, nil
}

// saveGuardians stages the guardian state with a new revision.
func (e *execution) saveGuardians() error {
	e.guardians.Revision++
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
	}
	return e.recoveries, nil
}

// saveRecoveries stages the recovery state with a new revision.
func (e *execution) saveRecoveries() error {
	e.recoveries.Revision++
	return e.put(types.RecoveriesKey(e.id), e.recoveries)
}

// scheduleAt adds a timed action for the target: one state entry of its
// own, so its cost does not depend on how many others are pending.
func (e *execution) scheduleAt(t int64, kind types.ScheduleKind, recoveryID uint64) error {
	entry := types.ScheduleEntry{Time: t, Did: append([]byte(nil), e.id[:]...), Kind: kind, RecoveryId: recoveryID}
	return e.put(types.ScheduleEntryKey(entry), &entry)
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
