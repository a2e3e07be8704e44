package keeper

import (
	"github.com/custos-ledger/custos/x/did/types"
)

// markCompromised records as compromised a material the document no
// longer lists: the last one of a fragment that has a key record but no
// method, or the one op.PublicKey names among the fragment's earlier
// materials. It is how a key found stolen after it was rotated away or
// revoked as retired gets its theft window recorded, so that key status
// answers compromised for it. The document does not change; the operation
// makes a version like every revocation (the same document), authorized by
// m controller keys. A record only widens: retired becomes compromised, and
// a compromised one takes an earlier compromised_since, never a later one.
func (e *execution) markCompromised(op *types.RevokeKeyOp, head *types.Head, rec *types.VersionRecord, cur types.Keys) (Outcome, error) {
	kr, err := e.keyRecord(op.KeyId)
	if err != nil {
		return Outcome{}, err
	}
	if kr == nil || len(kr.Periods) == 0 {
		return Outcome{}, types.ErrKeyNotFound.Wrapf("%s has no key %q, now or among the %d fragments it listed last", e.id, types.Truncate(op.KeyId), e.k.params.FormerKeyRecordsKept)
	}
	if op.Reason != types.REVOCATION_REASON_COMPROMISED {
		return Outcome{}, types.ErrInvalidOperation.Wrapf("key %q is no longer listed: a revocation can only record it as compromised", types.Truncate(op.KeyId))
	}
	if err := e.checkCompromisedSince(op.CompromisedSince); err != nil {
		return Outcome{}, err
	}
	i := len(kr.Periods) - 1
	if len(op.PublicKey) > 0 {
		pk, err := types.ParsePublicKey(op.PublicKey)
		if err != nil {
			return Outcome{}, err
		}
		mc := string(pk.Multicodec())
		for i >= 0 && string(kr.Periods[i].PublicKey) != mc {
			i--
		}
		if i < 0 {
			return Outcome{}, types.ErrKeyNotFound.Wrapf("key %q did not list %s in its last %d keys (older ones are archived and final)", types.Truncate(op.KeyId), pk, e.k.params.KeyPeriodsKept)
		}
	}
	p := &kr.Periods[i]
	if p.Status == types.KEY_STATUS_VALID {
		return Outcome{}, types.ErrInvalidOperation.Wrapf("that material is the current key of %q: revoke it without public_key", op.KeyId)
	}
	if pk, err := types.ParsePublicKey(p.PublicKey); err == nil && cur.Contains(pk) {
		return Outcome{}, types.ErrInvalidOperation.Wrapf("the material is listed again under another fragment: revoke that key with reason compromised")
	}
	if p.Status == types.KEY_STATUS_COMPROMISED && compromisedFrom(p.CompromisedSince, p.ValidUntil) <= compromisedFrom(op.CompromisedSince, p.ValidUntil) {
		return Outcome{}, types.ErrAlreadyCompromised.Wrapf("key %q's material is recorded compromised from %d; a record only moves to an earlier time", op.KeyId, compromisedFrom(p.CompromisedSince, p.ValidUntil))
	}
	doc := rec.Document.Clone()
	if _, err := e.authorizeEdit(&rec.Document, cur, &doc, cur); err != nil {
		return Outcome{}, err
	}
	p.Status = types.KEY_STATUS_COMPROMISED
	p.CompromisedSince = op.CompromisedSince
	e.setKeyRecord(op.KeyId, kr)
	if err := e.markIfCompromised(p, head.Version+1); err != nil {
		return Outcome{}, err
	}
	ev := types.HistoryEntry{
		Kind: types.EVENT_KIND_KEY_REVOKED, KeysCompromised: []string{op.KeyId},
		Reason: op.Reason, CompromisedSince: op.CompromisedSince, Threshold: doc.Threshold,
	}
	return e.commitVersion(head, doc, false, ev)
}

// compromisedFrom is when a compromised period counts as compromised from
// (didjson.RenderKeyStatus): its compromised_since when given and earlier
// than the end of the period, else the end of the period.
func compromisedFrom(since, until int64) int64 {
	if since != 0 && since < until {
		return since
	}
	return until
}
