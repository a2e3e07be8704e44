package keeper

import (
	"cmp"
	"slices"

	"github.com/custos-ledger/custos/x/did/types"
)

// archiveKeys keeps the head's key records bounded (types.MaxHeadBytes):
// before the operation's history entry ev is logged, it moves out of the
// staged records every period beyond the last key_periods_kept of a
// fragment, and, beyond the former_key_records_kept fragments the document
// no longer lists that closed last, the whole record of each other former
// fragment. What it moves goes into ev.ArchivedKeys, which the head's log
// commits to like everything in the entry, and the head links the entries
// that archived (last_archive, prev_archive), so that key status for an
// older time stays answerable, and provable, from the history. Nothing is
// refused: however many keys an attacker holding the DID's keys adds or
// rotates, the head stays within the bound and every later operation,
// recovery included, still applies.
func (e *execution) archiveKeys(head *types.Head, ev *types.HistoryEntry) {
	keep := int(e.k.params.KeyPeriodsKept)
	moved := map[string][]types.KeyPeriod{}
	for f, rec := range e.keys {
		if n := len(rec.Periods) - keep; n > 0 {
			moved[f] = slices.Clone(rec.Periods[:n])
			rec.Periods = slices.Clone(rec.Periods[n:])
		}
	}
	type former struct {
		fragment string
		closed   uint64
	}
	var formers []former
	consider := func(f string, rec *types.KeyRecord) {
		if len(rec.Periods) == 0 {
			return
		}
		if last := rec.Periods[len(rec.Periods)-1]; last.Status != types.KEY_STATUS_VALID {
			formers = append(formers, former{f, last.ValidUntilVersion})
		}
	}
	for i := range head.Keys {
		f := head.Keys[i].Fragment
		if rec, staged := e.keys[f]; staged {
			consider(f, rec)
		} else {
			consider(f, &head.Keys[i].Record)
		}
	}
	for f, rec := range e.keys {
		if head.KeyRecord(f) == nil {
			consider(f, rec)
		}
	}
	if extra := len(formers) - int(e.k.params.FormerKeyRecordsKept); extra > 0 {
		slices.SortFunc(formers, func(a, b former) int {
			return cmp.Or(cmp.Compare(a.closed, b.closed), cmp.Compare(a.fragment, b.fragment))
		})
		for _, fo := range formers[:extra] {
			rec, staged := e.keys[fo.fragment]
			if !staged {
				rec = head.KeyRecord(fo.fragment)
			}
			moved[fo.fragment] = append(moved[fo.fragment], rec.Periods...)
			delete(e.keys, fo.fragment)
			e.dropped = append(e.dropped, fo.fragment)
		}
	}
	if len(moved) == 0 {
		return
	}
	fragments := make([]string, 0, len(moved))
	for f := range moved {
		fragments = append(fragments, f)
	}
	slices.Sort(fragments)
	for _, f := range fragments {
		ev.ArchivedKeys = append(ev.ArchivedKeys, types.FragmentKeys{Fragment: f, Record: types.KeyRecord{Periods: moved[f]}})
	}
	ev.PrevArchive = head.LastArchive
	head.LastArchive = head.Events + 1 // the sequence number log gives ev
}
