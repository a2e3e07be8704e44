package keeper

import (
	"encoding/binary"
	"fmt"

	"github.com/custos-ledger/custos/x/did/types"
)

// current loads the head and current version of the target for an
// operation of its controllers on an existing DID, and checks the expected
// version: the owner's operations are built on the version they change.
func (e *execution) current() (*types.Head, *types.VersionRecord, types.Keys, error) {
	return e.load(false)
}

// currentForGuardian is current for an operation signed by a guardian
// (recovery initiate, approve, a guardian's cancel vote): the expected
// version may be any version the DID has reached. Whoever holds the DID's
// current keys can advance its version at will; if guardians' txs had to
// name the latest version, a thief could keep every one of them stale.
// Their replay protection is the recovery id they name (docs/did-method.md).
func (e *execution) currentForGuardian() (*types.Head, *types.VersionRecord, types.Keys, error) {
	return e.load(true)
}

func (e *execution) load(guardian bool) (*types.Head, *types.VersionRecord, types.Keys, error) {
	head, rec, err := e.k.resolve(e.st, e.id)
	if err != nil {
		return nil, nil, types.Keys{}, err
	}
	if head == nil {
		return nil, nil, types.Keys{}, types.ErrDIDNotFound.Wrapf("%s is not registered", e.id)
	}
	e.loaded = head
	if head.Deactivated {
		return nil, nil, types.Keys{}, types.ErrDeactivated.Wrapf("%s was deactivated at version %d", e.id, head.Version)
	}
	if e.body.ExpectedVersion != head.Version && (!guardian || e.body.ExpectedVersion > head.Version) {
		return nil, nil, types.Keys{}, types.ErrStaleVersion.Wrapf("the tx expects version %d, %s is at version %d; read it again and rebuild the tx", e.body.ExpectedVersion, e.id, head.Version)
	}
	keys, err := types.KeysOf(&rec.Document)
	if err != nil {
		return nil, nil, types.Keys{}, fmt.Errorf("keeper: stored document of %s: %w", e.id, err)
	}
	return head, rec, keys, nil
}

// commitVersion stages the next version of the document and logs ev as
// the history entry that made it.
func (e *execution) commitVersion(head *types.Head, doc types.Document, deactivated bool, ev types.HistoryEntry) (Outcome, error) {
	head.Version++
	if head.Version == 1 {
		head.Created = e.blk.Time
	}
	head.Updated = e.blk.Time
	head.Deactivated = deactivated
	e.archiveKeys(head, &ev)
	rec := types.VersionRecord{
		Version: head.Version, Document: doc, Height: e.blk.Height, Time: e.blk.Time,
		TxHash: e.txHash, Deactivated: deactivated,
	}
	if !e.dryRun {
		key := types.VersionKey(e.id, head.Version)
		b, err := rec.Marshal()
		if err != nil {
			return Outcome{}, fmt.Errorf("keeper: encode: %w", err)
		}
		e.writes = append(e.writes, write{key: key, value: b})
		e.made = types.RecordDigest(key, b)
	}
	if err := e.log(head, ev); err != nil {
		return Outcome{}, err
	}
	return e.outcome(head), nil
}

// log stages ev as the next history entry of the target, at the head's
// current version, chains it (with the version commitVersion just wrote,
// if any) into the head's log, and keeps the head for finish to stage.
func (e *execution) log(head *types.Head, ev types.HistoryEntry) error {
	head.Events++
	ev.Seq = head.Events
	ev.Version = head.Version
	ev.Height = e.blk.Height
	ev.Time = e.blk.Time
	ev.TxHash = e.txHash
	if e.body != nil {
		ev.Memo = e.body.Memo
	}
	ev.PrevLog = head.Log
	e.logged = append(e.logged, ev)
	e.head = head
	if e.dryRun {
		return nil
	}
	key := types.EventKey(e.id, ev.Seq)
	b, err := ev.Marshal()
	if err != nil {
		return fmt.Errorf("keeper: encode: %w", err)
	}
	e.writes = append(e.writes, write{key: key, value: b})
	head.Log = types.ChainLog(head.Log, types.StepDigest(e.made, types.RecordDigest(key, b)))
	e.made = nil
	return nil
}

// keyRecord returns fragment's key record as this execution has left it
// (nil: none); the caller may change it and stage it with setKeyRecord.
func (e *execution) keyRecord(fragment string) (*types.KeyRecord, error) {
	if rec, ok := e.keys[fragment]; ok {
		return rec, nil
	}
	if e.loaded == nil {
		return nil, fmt.Errorf("keeper: key record %s#%s read before the head was loaded", e.id, fragment)
	}
	rec := e.loaded.KeyRecord(fragment)
	if rec == nil {
		return nil, nil
	}
	c := types.KeyRecord{Periods: append([]types.KeyPeriod(nil), rec.Periods...)}
	return &c, nil
}

// setKeyRecord stages fragment's key record; finish writes it in the head.
func (e *execution) setKeyRecord(fragment string, rec *types.KeyRecord) {
	if e.keys == nil {
		e.keys = make(map[string]*types.KeyRecord)
	}
	e.keys[fragment] = rec
}

// outcome describes what the execution did: the first logged entry is the
// operation's own, the rest are its consequences.
func (e *execution) outcome(head *types.Head) Outcome {
	out := Outcome{DID: e.id, Version: head.Version, Endorser: e.endorser, EndorserVersion: e.endorserVersion}
	if len(e.logged) > 0 {
		out.Kind = e.logged[0].Kind
		out.Event = e.logged[0]
		out.Extra = e.logged[1:]
	}
	return out
}

// openKey stages a new valid period for fragment, starting at version.
func (e *execution) openKey(fragment string, pk types.PublicKey, version uint64) error {
	rec, err := e.keyRecord(fragment)
	if err != nil {
		return err
	}
	if rec == nil {
		rec = &types.KeyRecord{}
	}
	rec.Periods = append(rec.Periods, types.KeyPeriod{
		PublicKey: pk.Multicodec(), Status: types.KEY_STATUS_VALID,
		ValidFromVersion: version, ValidFrom: e.blk.Time,
	})
	e.setKeyRecord(fragment, rec)
	return nil
}

// openPeriod returns fragment's key record and its open (last, valid)
// period, which the caller ends.
func (e *execution) openPeriod(fragment string) (*types.KeyRecord, *types.KeyPeriod, error) {
	rec, err := e.keyRecord(fragment)
	if err != nil {
		return nil, nil, err
	}
	if rec == nil || len(rec.Periods) == 0 {
		return nil, nil, fmt.Errorf("keeper: key record %s#%s is missing", e.id, fragment)
	}
	p := &rec.Periods[len(rec.Periods)-1]
	if p.Status != types.KEY_STATUS_VALID {
		return nil, nil, fmt.Errorf("keeper: key record %s#%s has no open period", e.id, fragment)
	}
	return rec, p, nil
}

// closeKey stages the end of fragment's open period at version, with the
// status the key ends in; when the same tx opens a new period for the
// fragment, closeKey must be staged first.
func (e *execution) closeKey(fragment string, version uint64, status types.KeyStatus, compromisedSince int64) error {
	rec, p, err := e.openPeriod(fragment)
	if err != nil {
		return err
	}
	e.setKeyRecord(fragment, rec)
	return e.endPeriod(p, version, status, compromisedSince)
}

// endPeriod ends the open period p at version and the block's time, with
// the status its material ends in, and marks the material when that is
// compromised.
func (e *execution) endPeriod(p *types.KeyPeriod, version uint64, status types.KeyStatus, compromisedSince int64) error {
	p.Status = status
	p.ValidUntilVersion = version
	p.ValidUntil = e.blk.Time
	p.CompromisedSince = compromisedSince
	return e.markIfCompromised(p, version)
}

// markIfCompromised marks p's material when p ends compromised.
func (e *execution) markIfCompromised(p *types.KeyPeriod, version uint64) error {
	if p.Status != types.KEY_STATUS_COMPROMISED {
		return nil
	}
	pk, err := types.ParsePublicKey(p.PublicKey)
	if err != nil {
		return fmt.Errorf("keeper: stored key of %s: %w", e.id, err)
	}
	return e.markMaterial(pk, version)
}

// rotateKey stages closing fragment's period, with the status the old
// material ends in, and opening one for pk.
func (e *execution) rotateKey(fragment string, pk types.PublicKey, version uint64, status types.KeyStatus, compromisedSince int64) error {
	rec, p, err := e.openPeriod(fragment)
	if err != nil {
		return err
	}
	if err := e.endPeriod(p, version, status, compromisedSince); err != nil {
		return err
	}
	rec.Periods = append(rec.Periods, types.KeyPeriod{
		PublicKey: pk.Multicodec(), Status: types.KEY_STATUS_VALID,
		ValidFromVersion: version, ValidFrom: e.blk.Time,
	})
	e.setKeyRecord(fragment, rec)
	return nil
}

// refuseCompromised refuses next when it lists a material that is not in
// cur (nil: none) and that was ever recorded as compromised for the
// target, under any fragment: a key known to be in other hands never
// returns to the DID, whatever fragment it would come back under.
func (e *execution) refuseCompromised(cur *types.Keys, next types.Keys) error {
	for i, k := range next.Keys {
		if cur != nil && cur.Contains(k) {
			continue
		}
		bad, err := e.everCompromised(k)
		if err != nil {
			return err
		}
		if bad {
			return types.ErrKeyCompromised.Wrapf("key %q: %s was recorded as compromised for %s; generate a new key", next.Fragments[i], k, e.id)
		}
	}
	return nil
}

// everCompromised reports whether pk's material was ever recorded as
// compromised for the target: it has a mark (markCompromisedMaterial), or
// this execution staged it compromised.
func (e *execution) everCompromised(pk types.PublicKey) (bool, error) {
	if _, staged := e.burned[string(pk.Multicodec())]; staged {
		return true, nil
	}
	return Compromised(e.st, e.id, pk)
}

// markMaterial stages the mark that the material pk was recorded
// compromised for the target at version (kept if one exists: the first
// version stays).
func (e *execution) markMaterial(pk types.PublicKey, version uint64) error {
	had, err := e.everCompromised(pk)
	if err != nil || had {
		return err
	}
	if e.burned == nil {
		e.burned = map[string]bool{}
	}
	e.burned[string(pk.Multicodec())] = true
	if e.dryRun {
		return nil
	}
	e.writes = append(e.writes, write{key: types.CompromisedKey(e.id, pk), value: binary.BigEndian.AppendUint64(nil, version)})
	return nil
}
