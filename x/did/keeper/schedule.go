package keeper

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/custos-ledger/custos/x/did/types"
)

// BeginBlock runs the timed actions whose time has come (block time at or
// past their time), in schedule order, before the block's txs: guardian
// changes take effect, unapproved recoveries expire, approved recoveries
// execute. It runs at most ScheduledPerBlock of them, and no more than
// MaxScheduledWriteBytes of writes taken from the block's write budget
// (blk.Writes, nil: unbounded); the rest stay due and run first in the
// next blocks. The first action of a block runs whatever it writes, up to
// the whole budget, so an action larger than MaxScheduledWriteBytes (a DID
// with a large head) still runs, alone. One larger than the whole budget
// could never be committed: it is dropped, and only its entry deleted. It
// returns what each action did.
func (k *Keeper) BeginBlock(st Store, blk Block) ([]Outcome, error) {
	due, err := DueActions(st, blk.Time, k.scheduledPerBlock)
	if err != nil {
		return nil, err
	}
	var outs []Outcome
	var spent int64 // of the block's write budget
	for _, entry := range due {
		key := types.ScheduleEntryKey(entry)
		if v, err := st.Get(key); err != nil || v == nil {
			if err != nil {
				return nil, err
			}
			continue // an action that ran before it in this block removed it
		}
		var id types.ID
		copy(id[:], entry.Did)
		e := &execution{k: k, st: st, blk: blk, id: id}
		// The entry goes first; the action's own writes follow.
		e.writes = []write{{key: key}}
		out, ran, err := e.runScheduled(entry)
		if err == nil {
			err = e.finish()
		}
		if err != nil {
			if types.Registered(err) != nil {
				return nil, fmt.Errorf("keeper: scheduled action for %s refused: %w", id, err)
			}
			return nil, err
		}
		if b := blk.Writes; b != nil {
			if e.cost() > b.total {
				e.writes, ran = e.writes[:1], false // no block could commit it
			}
			n := e.cost()
			if n > b.left || (spent > 0 && spent+n > MaxScheduledWriteBytes) {
				break // it runs first in the next block
			}
			b.left -= n
			spent += n
		}
		if err := e.apply(st); err != nil {
			return nil, err
		}
		if ran {
			outs = append(outs, out)
		}
	}
	return outs, nil
}

// runScheduled performs one due action; an action made moot meanwhile (the
// recovery was cancelled, the change replaced) is skipped.
func (e *execution) runScheduled(entry types.ScheduleEntry) (Outcome, bool, error) {
	head, err := GetHead(e.st, e.id)
	if err != nil || head == nil || head.Deactivated {
		return Outcome{}, false, err
	}
	e.loaded = head
	switch entry.Kind {
	case types.SCHEDULE_KIND_GUARDIANS_EFFECTIVE:
		gs, err := e.loadGuardians()
		if err != nil || gs.Pending == nil || gs.PendingEffective != entry.Time {
			return Outcome{}, false, err
		}
		cfg := *gs.Pending
		gs.Current, gs.Pending, gs.PendingEffective = cfg, nil, 0
		if err := e.saveGuardians(); err != nil {
			return Outcome{}, false, err
		}
		err = e.log(head, types.HistoryEntry{Kind: types.EVENT_KIND_GUARDIANS_CHANGED, Guardians: cfg.Guardians,
			GuardianThreshold: cfg.Threshold, Delay: cfg.Delay, Effective: entry.Time})
		return e.outcome(head), err == nil, err
	case types.SCHEDULE_KIND_RECOVERY_EXPIRY:
		rs, err := e.loadRecoveries()
		if err != nil {
			return Outcome{}, false, err
		}
		i := findRecovery(rs, entry.RecoveryId)
		if i < 0 || rs.Pending[i].Ready != 0 || rs.Pending[i].Expires != entry.Time {
			return Outcome{}, false, nil
		}
		r := rs.Pending[i]
		rs.Pending = slices.Delete(rs.Pending, i, i+1)
		if err := e.saveRecoveries(); err != nil {
			return Outcome{}, false, err
		}
		err = e.log(head, types.HistoryEntry{Kind: types.EVENT_KIND_RECOVERY_EXPIRED, RecoveryId: r.Id, Guardian: r.Initiator,
			Detail: fmt.Sprintf("%d approvals, not enough before expiry", len(r.Approvals))})
		return e.outcome(head), err == nil, err
	case types.SCHEDULE_KIND_RECOVERY_READY:
		return e.executeRecovery(head, entry)
	}
	return Outcome{}, false, nil
}

// executeRecovery replaces the target's controller keys with the ones a
// recovery proposed: the old controller keys are recorded as retired, the
// version is bumped, every other pending recovery and guardian change is
// dropped, and the guardian set the recovery was initiated under becomes
// the DID's set again (a change made since does not outlive it). A recovery
// whose approvals no longer reach its set's threshold (guardians
// deactivated meanwhile), or whose keys no longer fit the document, is
// dropped instead.
func (e *execution) executeRecovery(head *types.Head, entry types.ScheduleEntry) (Outcome, bool, error) {
	rs, err := e.loadRecoveries()
	if err != nil {
		return Outcome{}, false, err
	}
	i := findRecovery(rs, entry.RecoveryId)
	if i < 0 || rs.Pending[i].Ready != entry.Time {
		return Outcome{}, false, nil
	}
	r := rs.Pending[i]
	drop := func(why string) (Outcome, bool, error) {
		rs.Pending = slices.Delete(rs.Pending, i, i+1)
		if err := e.saveRecoveries(); err != nil {
			return Outcome{}, false, err
		}
		err := e.log(head, types.HistoryEntry{Kind: types.EVENT_KIND_RECOVERY_CANCELLED, RecoveryId: r.Id, Guardian: r.Initiator, Detail: why})
		return e.outcome(head), err == nil, err
	}
	n, err := e.activeApprovals(&r)
	if err != nil {
		return Outcome{}, false, err
	}
	if n < int(r.Guardians.Threshold) || len(r.Guardians.Guardians) == 0 {
		return drop(fmt.Sprintf("only %d active guardian approvals remain, %d needed", n, r.Guardians.Threshold))
	}
	cur, err := e.k.facts.Version(e.st, e.id, head.Version)
	if err != nil {
		return Outcome{}, false, err
	}
	rv := r.RestoreVersion
	if rv == 0 {
		rv = head.Version
	}
	base, err := e.k.facts.Version(e.st, e.id, rv)
	if err != nil {
		return Outcome{}, false, err
	}
	doc, keys, err := RecoveredDocument(&base.Document, r.NewKeys, r.Threshold, r.NextKeys, e.k.params, e.notCompromised)
	if err != nil {
		if types.Registered(err) == nil {
			return Outcome{}, false, err
		}
		return drop("the recovered document is not valid: " + types.Detail(err))
	}
	curKeys, err := types.KeysOf(&cur.Document)
	if err != nil {
		return Outcome{}, false, fmt.Errorf("keeper: stored document of %s: %w", e.id, err)
	}
	version := head.Version + 1
	status, since := types.KEY_STATUS_RETIRED, int64(0)
	if r.Compromised {
		status, since = types.KEY_STATUS_COMPROMISED, r.CompromisedSince
	}
	var added, removed, rotated []string
	for i, f := range curKeys.Fragments {
		nk, kept := keys.Get(f)
		switch {
		case !kept:
			removed = append(removed, f)
			err = e.closeKey(f, version, status, since)
		case nk != curKeys.Keys[i]:
			rotated = append(rotated, f)
			err = e.rotateKey(f, nk, version, status, since)
		}
		if err != nil {
			return Outcome{}, false, err
		}
	}
	for i, f := range keys.Fragments {
		if _, had := curKeys.Get(f); !had {
			added = append(added, f)
			if err := e.openKey(f, keys.Keys[i], version); err != nil {
				return Outcome{}, false, err
			}
		}
	}
	others := slices.DeleteFunc(slices.Clone(rs.Pending), func(p types.Recovery) bool { return p.Id == r.Id })
	rs.Pending = nil
	if err := e.saveRecoveries(); err != nil {
		return Outcome{}, false, err
	}
	ev := types.HistoryEntry{Kind: types.EVENT_KIND_RECOVERY_EXECUTED, RecoveryId: r.Id, Guardian: r.Initiator,
		KeysAdded: added, KeysRemoved: removed, KeysRotated: rotated, Threshold: r.Threshold,
		NextKeysCommitted: r.NextKeys != nil, RelationshipsChanged: true, Effective: entry.Time,
		ServicesChanged: !slices.Equal(cur.Document.Services, doc.Services),
		Detail:          fmt.Sprintf("approved by %d guardians; restores version %d", n, rv)}
	if r.Compromised {
		ev.Reason, ev.CompromisedSince = types.REVOCATION_REASON_COMPROMISED, r.CompromisedSince
		ev.KeysCompromised = append(slices.Clone(removed), rotated...)
		slices.Sort(ev.KeysCompromised)
	}
	// The recovered DID's controllers start with fresh rate-limit windows,
	// ordinary and reveal: the keys that used them up (a thief's, current
	// or next) no longer control it.
	head.Rate, head.RevealRate = nil, nil
	out, err := e.commitVersion(head, doc, false, ev)
	if err != nil {
		return Outcome{}, false, err
	}
	for _, p := range others {
		if err := e.log(head, types.HistoryEntry{Kind: types.EVENT_KIND_RECOVERY_CANCELLED, RecoveryId: p.Id, Guardian: p.Initiator,
			Detail: fmt.Sprintf("superseded by recovery %d", r.Id)}); err != nil {
			return Outcome{}, false, err
		}
	}
	if err := e.cancelGuardianChange(head, fmt.Sprintf("superseded by recovery %d", r.Id)); err != nil {
		return Outcome{}, false, err
	}
	if err := e.restoreGuardians(head, &r); err != nil {
		return Outcome{}, false, err
	}
	out = e.outcome(head)
	return out, true, nil
}

// restoreGuardians makes the guardian set r was initiated under the
// target's set again, logging it, when a change took effect meanwhile: a
// thief holding the DID's keys must not keep guardians of its choosing
// after the recovery that took the DID back.
func (e *execution) restoreGuardians(head *types.Head, r *types.Recovery) error {
	gs, err := e.loadGuardians()
	if err != nil {
		return err
	}
	if sameConfig(&gs.Current, &r.Guardians) {
		return nil
	}
	gs.Current = cloneConfig(&r.Guardians)
	if err := e.saveGuardians(); err != nil {
		return err
	}
	return e.log(head, types.HistoryEntry{Kind: types.EVENT_KIND_GUARDIANS_CHANGED, Guardians: gs.Current.Guardians,
		GuardianThreshold: gs.Current.Threshold, Delay: gs.Current.Delay, Effective: e.blk.Time,
		RecoveryId: r.Id, Detail: fmt.Sprintf("restored by recovery %d: the guardian set it was initiated under", r.Id)})
}

func sameConfig(a, b *types.GuardianConfig) bool {
	return slices.Equal(a.Guardians, b.Guardians) && a.Threshold == b.Threshold && a.Delay == b.Delay
}

// actions are a DID's timed actions as its guardian and recovery state
// imply them, as the execution loaded that state and as it last saved it.
type actions struct {
	guardians, guardiansLoaded   []types.ScheduleEntry
	recoveries, recoveriesLoaded []types.ScheduleEntry
}

// guardianActions are the timed actions a guardian state implies: its
// pending change taking effect.
func guardianActions(id types.ID, gs *types.GuardianState) []types.ScheduleEntry {
	if gs.Pending == nil {
		return nil
	}
	return []types.ScheduleEntry{{Time: gs.PendingEffective, Did: id[:], Kind: types.SCHEDULE_KIND_GUARDIANS_EFFECTIVE}}
}

// recoveryActions are the timed actions a recovery state implies: each
// pending recovery's execution once it is ready, else its expiry.
func recoveryActions(id types.ID, rs *types.RecoveryState) []types.ScheduleEntry {
	out := make([]types.ScheduleEntry, 0, len(rs.Pending))
	for _, r := range rs.Pending {
		if r.Ready != 0 {
			out = append(out, types.ScheduleEntry{Time: r.Ready, Did: id[:], Kind: types.SCHEDULE_KIND_RECOVERY_READY, RecoveryId: r.Id})
		} else {
			out = append(out, types.ScheduleEntry{Time: r.Expires, Did: id[:], Kind: types.SCHEDULE_KIND_RECOVERY_EXPIRY, RecoveryId: r.Id})
		}
	}
	return out
}

// reschedule makes the schedule follow the target's saved guardian and
// recovery state: the entries the state implied when loaded and no longer
// implies are deleted (a change replaced or superseded, a recovery that
// became ready, was cancelled or executed), and those it newly implies are
// added. So the schedule holds exactly the live actions, never a dead
// entry: a DID has at most one entry for its pending guardian change and
// one per pending recovery (at most one per guardian).
func (e *execution) reschedule() error {
	was := append(slices.Clone(e.sched.guardiansLoaded), e.sched.recoveriesLoaded...)
	now := append(slices.Clone(e.sched.guardians), e.sched.recoveries...)
	keys := func(es []types.ScheduleEntry) map[string]types.ScheduleEntry {
		m := make(map[string]types.ScheduleEntry, len(es))
		for _, x := range es {
			m[string(types.ScheduleEntryKey(x))] = x
		}
		return m
	}
	wasKeys, nowKeys := keys(was), keys(now)
	for _, x := range was { // in state order: deterministic
		k := types.ScheduleEntryKey(x)
		if _, keep := nowKeys[string(k)]; keep || e.staged(k) {
			continue
		}
		v, err := e.st.Get(k)
		if err != nil {
			return fmt.Errorf("keeper: read schedule entry: %w", err)
		}
		if v != nil {
			e.writes = append(e.writes, write{key: k})
		}
	}
	for _, x := range now {
		k := types.ScheduleEntryKey(x)
		if _, had := wasKeys[string(k)]; had && !e.staged(k) {
			continue
		}
		x := x
		if err := e.put(k, &x); err != nil {
			return err
		}
	}
	return nil
}

// staged reports whether the execution has staged a write or a deletion of
// key.
func (e *execution) staged(key []byte) bool {
	for _, w := range e.writes {
		if bytes.Equal(w.key, key) {
			return true
		}
	}
	return false
}
