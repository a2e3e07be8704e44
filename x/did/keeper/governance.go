package keeper

import (
	"fmt"

	"github.com/custos-ledger/custos/x/did/types"
)

// GovernanceDID returns the network's governance DID; ok is false when the
// genesis named none.
func GovernanceDID(st Reader) (id types.ID, ok bool, err error) {
	b, err := st.Get(types.GovernanceKey())
	if err != nil {
		return types.ID{}, false, fmt.Errorf("keeper: read: %w", err)
	}
	if b == nil {
		return types.ID{}, false, nil
	}
	if len(b) != types.IDLen {
		return types.ID{}, false, fmt.Errorf("keeper: corrupt governance DID in state (%d bytes)", len(b))
	}
	copy(id[:], b)
	return id, true, nil
}

// governed runs a governance operation: the network has a governance DID,
// the tx targets it, expects its current version, and is signed by at least
// its threshold of its current capabilityInvocation keys (and by no key of
// another DID) — the same rules as any change of that DID's document.
// Then apply checks and stages the operation's own effect (it may refuse
// it with a registered error), and the operation is recorded as the next
// version of the governance DID (its document unchanged) with ev as its
// history entry: each governance operation applies once, and the
// governance DID's history is the public record of every one.
//
// Every governance-signed operation goes through governed; ev.Kind names
// the operation.
func (e *execution) governed(ev types.HistoryEntry, apply func() error) (Outcome, error) {
	head, rec, err := e.authorizeGovernance()
	if err != nil {
		return Outcome{}, err
	}
	if err := apply(); err != nil {
		return Outcome{}, err
	}
	return e.commitVersion(head, rec.Document, false, ev)
}

// authorizeGovernance is governed's check of who signed, reusing the
// owner-operation rules: current (deactivation, expected version),
// verifySignatures and requireThreshold.
func (e *execution) authorizeGovernance() (*types.Head, *types.VersionRecord, error) {
	gov, ok, err := GovernanceDID(e.st)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, types.ErrNoGovernance.Wrap("this network's genesis names no governance DID")
	}
	if e.id != gov {
		return nil, nil, types.ErrNotGovernance.Wrapf("the tx targets %s; governance operations target the governance DID %s", e.id, gov)
	}
	head, rec, keys, err := e.current()
	if err != nil {
		return nil, nil, err
	}
	s, err := e.verifySignatures(&keys, keys)
	if err != nil {
		return nil, nil, err
	}
	if err := requireThreshold(&rec.Document, s); err != nil {
		return nil, nil, err
	}
	return head, rec, nil
}

// InitGovernance registers the network's governance DID at genesis. doc,
// its id empty, is checked as a create's inception document; the DID is
// derived from it as for any create, registered at version 1 with a
// created entry in its history, and recorded as the governance DID. No
// signature is asked for: the genesis file is the authority, as it is for
// the initial validator set. Every key of doc must still be a usable
// signing key (of prime order).
func (k *Keeper) InitGovernance(st Store, blk Block, doc types.Document) (types.ID, error) {
	if _, ok, err := GovernanceDID(st); err != nil || ok {
		if err == nil {
			err = fmt.Errorf("keeper: the governance DID is already set")
		}
		return types.ID{}, err
	}
	keys, err := types.ValidateDocument(&doc, k.params)
	if err != nil {
		return types.ID{}, err
	}
	inception, err := types.Inception(doc)
	if err != nil {
		return types.ID{}, types.ErrInvalidDocument.Wrapf("encode inception: %v", err)
	}
	e := &execution{k: k, st: st, blk: blk, id: types.DeriveID(blk.ChainID, inception), loaded: &types.Head{}}
	for i, f := range keys.Fragments {
		if keys.Keys[i].Type().CanSign() {
			if err := k.facts.CheckPrimeOrder(keys.Keys[i]); err != nil {
				return types.ID{}, types.ErrInvalidPublicKey.Wrapf("key %q: %s", f, types.Detail(err))
			}
		}
		if err := e.openKey(f, keys.Keys[i], 1); err != nil {
			return types.ID{}, err
		}
	}
	doc.Id = e.id.String()
	ev := types.HistoryEntry{
		Kind: types.EVENT_KIND_CREATED, KeysAdded: keys.Fragments, RelationshipsChanged: true,
		Threshold: doc.Threshold, ServicesChanged: len(doc.Services) > 0, NextKeysCommitted: doc.NextKeys != nil,
	}
	if _, err := e.commitVersion(&types.Head{}, doc, false, ev); err != nil {
		return types.ID{}, err
	}
	if err := e.finish(); err != nil {
		return types.ID{}, err
	}
	if err := e.apply(st); err != nil {
		return types.ID{}, err
	}
	if err := st.Set(types.GovernanceKey(), e.id[:]); err != nil {
		return types.ID{}, fmt.Errorf("keeper: write: %w", err)
	}
	return e.id, nil
}
