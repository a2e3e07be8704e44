package keeper

import (
	"github.com/custos-ledger/custos/x/did/types"
)

// revoke removes a key from the document and every relationship, and records
// it as retired or compromised. It never leaves fewer capabilityInvocation
// keys than the threshold.
func (e *execution) revoke(op *types.RevokeKeyOp) (Outcome, error) {
	head, rec, cur, err := e.current()
	if err != nil {
		return Outcome{}, err
	}
	if err := e.rateLimit(head); err != nil {
		return Outcome{}, err
	}
	if _, ok := cur.Get(op.KeyId); !ok || len(op.PublicKey) > 0 {
		return e.markCompromised(op, head, rec, cur)
	}
	status, err := e.revocationStatus(op)
	if err != nil {
		return Outcome{}, err
	}
	doc := rec.Document.Clone()
	doc.VerificationMethods = removeMethod(doc.VerificationMethods, op.KeyId)
	for _, r := range types.Relationships() {
		doc.SetRefs(r, removeRef(doc.Refs(r), op.KeyId))
	}
	if len(doc.CapabilityInvocation) < int(doc.Threshold) {
		return Outcome{}, types.ErrWouldLoseControl.Wrapf("revoking %q leaves %d capabilityInvocation keys, the threshold is %d; add a key first or deactivate the DID", op.KeyId, len(doc.CapabilityInvocation), doc.Threshold)
	}
	next, err := types.KeysOf(&doc)
	if err != nil {
		return Outcome{}, err
	}
	if _, err := e.authorizeEdit(&rec.Document, cur, &doc, next); err != nil {
		return Outcome{}, err
	}
	if err := e.closeKey(op.KeyId, head.Version+1, status, op.CompromisedSince); err != nil {
		return Outcome{}, err
	}
	ev := types.HistoryEntry{
		Kind: types.EVENT_KIND_KEY_REVOKED, KeysRemoved: []string{op.KeyId},
		Reason: op.Reason, CompromisedSince: op.CompromisedSince,
		RelationshipsChanged: true, Threshold: doc.Threshold,
	}
	return e.commitVersion(head, doc, false, ev)
}

func (e *execution) revocationStatus(op *types.RevokeKeyOp) (types.KeyStatus, error) {
	switch op.Reason {
	case types.REVOCATION_REASON_RETIRED:
		if op.CompromisedSince != 0 {
			return 0, types.ErrInvalidOperation.Wrap("compromised_since goes only with reason compromised")
		}
		return types.KEY_STATUS_RETIRED, nil
	case types.REVOCATION_REASON_COMPROMISED:
		if err := e.checkCompromisedSince(op.CompromisedSince); err != nil {
			return 0, err
		}
		return types.KEY_STATUS_COMPROMISED, nil
	}
	return 0, types.ErrInvalidOperation.Wrap("the revocation reason must be retired or compromised")
}

// checkCompromisedSince checks a compromised_since: 0 (not given) or a
// time no later than the block's.
func (e *execution) checkCompromisedSince(since int64) error {
	if since < 0 || since > e.blk.Time {
		return types.ErrInvalidTime.Wrapf("compromised_since %d must be between 0 and the block time %d", since, e.blk.Time)
	}
	return nil
}

func removeMethod(vms []types.VerificationMethod, fragment string) []types.VerificationMethod {
	out := vms[:0]
	for _, vm := range vms {
		if vm.Id != fragment {
			out = append(out, vm)
		}
	}
	return out
}

func removeRef(refs []string, fragment string) []string {
	var out []string
	for _, f := range refs {
		if f != fragment {
			out = append(out, f)
		}
	}
	return out
}
