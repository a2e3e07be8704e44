package keeper

import (
	"github.com/custos-ledger/custos/x/did/types"
)

// create registers a new DID. Its id must be the one derived from the
// inception document on this chain, the write policy must admit it (stamp,
// endorsement, policy.go), and every signing key of the document must sign
// (proof of possession).
func (e *execution) create(op *types.CreateOp) (Outcome, error) {
	if err := e.checkStamp(); err != nil {
		return Outcome{}, err
	}
	doc, keys, err := e.inception(op)
	if err != nil {
		return Outcome{}, err
	}
	head, err := GetHead(e.st, e.id)
	if err != nil {
		return Outcome{}, err
	}
	if head != nil {
		return Outcome{}, types.ErrDIDExists.Wrapf("%s is already registered (version %d)", e.id, head.Version)
	}
	if err := e.endorse(); err != nil {
		return Outcome{}, err
	}
	fresh := &types.Head{}
	if err := e.rateLimit(fresh); err != nil {
		return Outcome{}, err
	}
	e.loaded = &types.Head{} // no key records yet
	s, err := e.verifySignatures(nil, keys)
	if err != nil {
		return Outcome{}, err
	}
	if err := e.requirePossession(nil, keys, s); err != nil {
		return Outcome{}, err
	}
	for i, f := range keys.Fragments {
		if err := e.openKey(f, keys.Keys[i], 1); err != nil {
			return Outcome{}, err
		}
	}
	doc.Id = e.id.String()
	ev := types.HistoryEntry{
		Kind: types.EVENT_KIND_CREATED, KeysAdded: keys.Fragments,
		ServicesChanged: len(doc.Services) > 0, RelationshipsChanged: true, Threshold: doc.Threshold,
		NextKeysCommitted: doc.NextKeys != nil,
	}
	return e.commitVersion(fresh, doc, false, ev)
}

// inception runs the checks of a create that need no state: the expected
// version, the inception document's rules and the DID it derives. It
// returns the document and its keys.
func (e *execution) inception(op *types.CreateOp) (types.Document, types.Keys, error) {
	if e.body.ExpectedVersion != 0 {
		return types.Document{}, types.Keys{}, types.ErrStaleVersion.Wrapf("a create expects version 0, the tx says %d", e.body.ExpectedVersion)
	}
	doc := op.Document
	if doc.Id != "" {
		return types.Document{}, types.Keys{}, types.ErrInvalidOperation.Wrap("the inception document's id must be empty: the DID is derived from it")
	}
	keys, err := types.ValidateDocument(&doc, e.k.params)
	if err != nil {
		return types.Document{}, types.Keys{}, err
	}
	inception, err := types.Inception(doc)
	if err != nil {
		return types.Document{}, types.Keys{}, types.ErrInvalidDocument.Wrapf("encode inception: %v", err)
	}
	if want := types.DeriveID(e.blk.ChainID, inception); want != e.id {
		return types.Document{}, types.Keys{}, types.ErrDIDMismatch.Wrapf("the inception document derives %s, the tx names %s", want, e.id)
	}
	return doc, keys, nil
}
