package keeper

import (
	"fmt"
	"slices"

	"github.com/custos-ledger/custos/x/did/types"
)

// RecoveredDocument is the document a recovery makes: base, the version it
// restores, without its capabilityInvocation keys, with the proposed keys
// as its capabilityInvocation and authentication keys, the proposed
// threshold and commitment, checked against the genesis limits p. keep, if
// set, says whether another method of base stays: the ledger passes the
// filter Uncompromised describes (no material recorded compromised). The
// CLI calls it to show what a recovery will restore, the ledger to check
// an initiation and to execute a recovery.
//
// base is a version of the past, which nothing can change, and the limits
// are genesis params: a proposal that gives a valid document at its
// initiation gives one at its execution, whatever the current keys did
// meanwhile (a thief cannot void it by taking a proposed fragment or
// filling the document), and what they added after base is not in it.
// Leaving methods out of a valid document (keep) keeps it valid.
func RecoveredDocument(base *types.Document, newKeys []types.VerificationMethod, threshold uint32, next *types.NextKeys, p types.Params, keep func(types.VerificationMethod) (bool, error)) (types.Document, types.Keys, error) {
	doc := base.Clone()
	drop := func(f string) {
		doc.VerificationMethods = removeMethod(doc.VerificationMethods, f)
		for _, r := range types.Relationships() {
			doc.SetRefs(r, removeRef(doc.Refs(r), f))
		}
	}
	for _, f := range base.CapabilityInvocation {
		drop(f)
	}
	if keep != nil {
		for _, vm := range slices.Clone(doc.VerificationMethods) {
			ok, err := keep(vm)
			if err != nil {
				return types.Document{}, types.Keys{}, err
			}
			if !ok {
				drop(vm.Id)
			}
		}
	}
	fresh := make([]string, 0, len(newKeys))
	for _, vm := range newKeys {
		doc.VerificationMethods = append(doc.VerificationMethods, types.VerificationMethod{Id: vm.Id, PublicKey: slices.Clone(vm.PublicKey)})
		fresh = append(fresh, vm.Id)
	}
	doc.CapabilityInvocation = fresh
	doc.Authentication = append(doc.Authentication, fresh...)
	doc.Threshold = threshold
	doc.NextKeys = next.Clone()
	keys, err := types.ValidateDocument(&doc, p)
	if err != nil {
		return types.Document{}, types.Keys{}, err
	}
	return doc, keys, nil
}

// Uncompromised is the filter of the methods a recovery of id keeps,
// with the compromise marks read from r: a method stays unless its
// material was recorded compromised for id. A recovery does not bring
// such a key back.
func Uncompromised(r Reader, id types.ID) func(types.VerificationMethod) (bool, error) {
	return keepUncompromised(id, func(pk types.PublicKey) (bool, error) { return Compromised(r, id, pk) })
}

// notCompromised is Uncompromised within an execution, which also sees
// the marks its tx staged.
func (e *execution) notCompromised(vm types.VerificationMethod) (bool, error) {
	return keepUncompromised(e.id, e.everCompromised)(vm)
}

// keepUncompromised is the filter of Uncompromised over a source of
// compromise marks.
func keepUncompromised(id types.ID, compromised func(types.PublicKey) (bool, error)) func(types.VerificationMethod) (bool, error) {
	return func(vm types.VerificationMethod) (bool, error) {
		pk, err := types.ParsePublicKey(vm.PublicKey)
		if err != nil {
			return false, fmt.Errorf("keeper: stored document of %s: %w", id, err)
		}
		bad, err := compromised(pk)
		return !bad, err
	}
}

// restoreVersion resolves an initiation's restore_version (0: the current
// version) and checks that the recovered document built from it is valid.
func (e *execution) restoreVersion(op *types.RecoveryInitiateOp, head *types.Head, cur *types.VersionRecord) (uint64, error) {
	rv := op.RestoreVersion
	if rv == 0 {
		rv = head.Version
	}
	if rv > head.Version {
		return 0, types.ErrRestoreVersion.Wrapf("version %d: %s is at version %d", rv, e.id, head.Version)
	}
	base := cur
	if rv != head.Version {
		var err error
		if base, err = e.k.facts.Version(e.st, e.id, rv); err != nil {
			return 0, err
		}
	}
	if _, _, err := RecoveredDocument(&base.Document, op.NewKeys, op.Threshold, op.NextKeys, e.k.params, e.notCompromised); err != nil {
		return 0, err
	}
	return rv, nil
}
