package keeper

import (
	"fmt"
	"slices"

	"github.com/custos-ledger/custos/x/did/types"
)

// GetHead returns the head of a DID, or nil when it is not registered.
func GetHead(r Reader, id types.ID) (*types.Head, error) {
	var h types.Head
	ok, err := get(r, types.HeadKey(id), &h)
	if !ok {
		return nil, err
	}
	return &h, nil
}

// GetVersion returns one version of a DID, or nil when it does not exist.
func GetVersion(r Reader, id types.ID, version uint64) (*types.VersionRecord, error) {
	var v types.VersionRecord
	ok, err := get(r, types.VersionKey(id, version), &v)
	if !ok {
		return nil, err
	}
	return &v, nil
}

// GetEvent returns one history entry of a DID, or nil when it does not exist.
func GetEvent(r Reader, id types.ID, seq uint64) (*types.HistoryEntry, error) {
	var h types.HistoryEntry
	ok, err := get(r, types.EventKey(id, seq), &h)
	if !ok {
		return nil, err
	}
	return &h, nil
}

// GetHistory returns every history entry of a DID, oldest first.
func GetHistory(r Reader, id types.ID) ([]types.HistoryEntry, error) {
	head, err := GetHead(r, id)
	if err != nil || head == nil {
		return nil, err
	}
	out := make([]types.HistoryEntry, 0, head.Events)
	for seq := uint64(1); seq <= head.Events; seq++ {
		ev, err := GetEvent(r, id, seq)
		if err != nil {
			return nil, err
		}
		if ev == nil {
			return nil, fmt.Errorf("keeper: history entry %d of %s is missing", seq, id)
		}
		out = append(out, *ev)
	}
	return out, nil
}

// GetKeyRecord returns the record of a DID's fragment, or nil. Key
// records live in the head.
func GetKeyRecord(r Reader, id types.ID, fragment string) (*types.KeyRecord, error) {
	head, err := GetHead(r, id)
	if err != nil || head == nil {
		return nil, err
	}
	return head.KeyRecord(fragment), nil
}

// KeyRecordAt returns the key record of a DID's fragment (nil: the
// fragment never named a key) holding the periods needed to answer for
// time at: the head's record, and when at is before its oldest period, the
// periods archived before them, found by following the head's chain of
// archiving history entries (last_archive, prev_archive) back until one
// started at or before at. The periods are in order, oldest first.
func KeyRecordAt(r Reader, id types.ID, head *types.Head, fragment string, at int64) (*types.KeyRecord, error) {
	var periods []types.KeyPeriod
	if rec := head.KeyRecord(fragment); rec != nil {
		periods = rec.Periods
	}
	for seq := head.LastArchive; seq != 0 && (len(periods) == 0 || periods[0].ValidFrom > at); {
		ev, err := GetEvent(r, id, seq)
		if err != nil {
			return nil, err
		}
		if ev == nil {
			return nil, fmt.Errorf("keeper: history entry %d of %s is missing", seq, id)
		}
		for _, fk := range ev.ArchivedKeys {
			if fk.Fragment == fragment {
				periods = append(slices.Clone(fk.Record.Periods), periods...)
			}
		}
		if ev.PrevArchive >= seq {
			return nil, fmt.Errorf("keeper: history entry %d of %s links back to %d", seq, id, ev.PrevArchive)
		}
		seq = ev.PrevArchive
	}
	if len(periods) == 0 {
		return nil, nil
	}
	return &types.KeyRecord{Periods: periods}, nil
}

// Resolve returns the head and the current version of a DID; both are nil
// when the DID is not registered.
func Resolve(r Reader, id types.ID) (*types.Head, *types.VersionRecord, error) {
	return resolveWith(r, id, GetVersion)
}

// resolveWith is Resolve with the version read by version.
func resolveWith(r Reader, id types.ID, version func(Reader, types.ID, uint64) (*types.VersionRecord, error)) (*types.Head, *types.VersionRecord, error) {
	head, err := GetHead(r, id)
	if err != nil || head == nil {
		return nil, nil, err
	}
	v, err := version(r, id, head.Version)
	if err != nil {
		return nil, nil, err
	}
	if v == nil {
		return nil, nil, fmt.Errorf("keeper: version %d of %s is missing", head.Version, id)
	}
	return head, v, nil
}

func get(r Reader, key []byte, m interface{ Unmarshal([]byte) error }) (bool, error) {
	b, err := r.Get(key)
	if err != nil {
		return false, fmt.Errorf("keeper: read %x: %w", key, err)
	}
	if b == nil {
		return false, nil
	}
	if err := m.Unmarshal(b); err != nil {
		return false, fmt.Errorf("keeper: corrupt record %x: %w", key, err)
	}
	return true, nil
}

// GetGuardians returns a DID's guardian state, or nil when it never had
// guardians.
func GetGuardians(r Reader, id types.ID) (*types.GuardianState, error) {
	var g types.GuardianState
	ok, err := get(r, types.GuardiansKey(id), &g)
	if !ok {
		return nil, err
	}
	return &g, nil
}

// GetRecoveries returns a DID's recovery state, or nil when it never had a
// recovery.
func GetRecoveries(r Reader, id types.ID) (*types.RecoveryState, error) {
	var rs types.RecoveryState
	ok, err := get(r, types.RecoveriesKey(id), &rs)
	if !ok {
		return nil, err
	}
	return &rs, nil
}

// DueActions returns the timed actions whose time has come by now, in the
// order blocks run them, at most limit of them.
func DueActions(st Store, now int64, limit int) ([]types.ScheduleEntry, error) {
	var due []types.ScheduleEntry
	var bad error
	err := st.Scan(types.SchedulePrefix(), func(key, value []byte) bool {
		var e types.ScheduleEntry
		if err := e.Unmarshal(value); err != nil {
			bad = fmt.Errorf("keeper: corrupt schedule entry %x: %w", key, err)
			return false
		}
		if e.Time > now || len(due) >= limit {
			return false
		}
		due = append(due, e)
		return true
	})
	if err == nil {
		err = bad
	}
	return due, err
}

// resolve is Resolve with the current version read through the keeper's
// Facts. The record may be shared: callers must not modify it.
func (k *Keeper) resolve(r Reader, id types.ID) (*types.Head, *types.VersionRecord, error) {
	return resolveWith(r, id, k.facts.Version)
}

// Compromised reports whether pk's material was ever recorded compromised
// for id.
func Compromised(r Reader, id types.ID, pk types.PublicKey) (bool, error) {
	b, err := r.Get(types.CompromisedKey(id, pk))
	if err != nil {
		return false, fmt.Errorf("keeper: read: %w", err)
	}
	return b != nil, nil
}
