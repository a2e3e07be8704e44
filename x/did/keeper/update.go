package keeper

import (
	"slices"

	"github.com/custos-ledger/custos/x/did/types"
)

// update replaces the document's verification methods, relationships,
// services and threshold. The current controller keys authorize it; every
// new signing key proves possession.
func (e *execution) update(op *types.UpdateOp) (Outcome, error) {
	head, rec, cur, err := e.current()
	if err != nil {
		return Outcome{}, err
	}
	doc := op.Document
	if doc.Id != "" && doc.Id != e.id.String() {
		return Outcome{}, types.ErrInvalidOperation.Wrapf("the document's id %q is not the target %s", types.Truncate(doc.Id), e.id)
	}
	next, err := types.ValidateDocument(&doc, e.k.params)
	if err != nil {
		return Outcome{}, err
	}
	if err := e.limitEdit(head, &rec.Document, &doc); err != nil {
		return Outcome{}, err
	}
	revealed, err := e.authorizeEdit(&rec.Document, cur, &doc, next)
	if err != nil {
		return Outcome{}, err
	}
	version := head.Version + 1
	ev := types.HistoryEntry{Kind: types.EVENT_KIND_UPDATED, Threshold: doc.Threshold,
		NextKeysCommitted: doc.NextKeys != nil && !types.NextKeysEqual(doc.NextKeys, rec.Document.NextKeys)}
	for i, f := range cur.Fragments {
		nk, kept := next.Get(f)
		switch {
		case !kept:
			ev.KeysRemoved = append(ev.KeysRemoved, f)
			err = e.closeKey(f, version, types.KEY_STATUS_RETIRED, 0)
		case nk != cur.Keys[i]:
			ev.KeysRotated = append(ev.KeysRotated, f)
			err = e.rotateKey(f, nk, version, types.KEY_STATUS_RETIRED, 0)
		}
		if err != nil {
			return Outcome{}, err
		}
	}
	for i, f := range next.Fragments {
		if _, had := cur.Get(f); !had {
			ev.KeysAdded = append(ev.KeysAdded, f)
			if err := e.openKey(f, next.Keys[i], version); err != nil {
				return Outcome{}, err
			}
		}
	}
	ev.RelationshipsChanged = relationshipsDiffer(&rec.Document, &doc)
	ev.ServicesChanged = !slices.EqualFunc(rec.Document.Services, doc.Services, func(a, b types.Service) bool { return a == b })
	doc.Id = e.id.String()
	if _, err := e.commitVersion(head, doc, false, ev); err != nil {
		return Outcome{}, err
	}
	if revealed {
		if err := e.cancelPending(head, "the owner rotated to its pre-committed keys"); err != nil {
			return Outcome{}, err
		}
	}
	return e.outcome(head), nil
}

func relationshipsDiffer(a, b *types.Document) bool {
	for _, r := range types.Relationships() {
		if !slices.Equal(a.Refs(r), b.Refs(r)) {
			return true
		}
	}
	return false
}
