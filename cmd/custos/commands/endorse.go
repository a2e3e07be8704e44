package commands

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// ledgerEndorsement returns who may endorse the create of id on the
// node's chain: each active endorser at its current version (what a tx
// file records, docs/tx-file.md); nil when the chain's creates need no
// endorsement, or id is a listed endorser's own DID.
func ledgerEndorsement(ctx context.Context, l *ledger, id types.ID) (*txbuild.FileEndorsement, error) {
	p, err := l.Params(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot read the chain's write policy: %v", err)
	}
	if p.WritePolicy != types.WRITE_POLICY_ENDORSED || slices.Contains(p.Endorsers, id.String()) {
		return nil, nil
	}
	out := &txbuild.FileEndorsement{Endorsers: []txbuild.FileDID{}}
	for _, d := range p.Endorsers {
		eid, err := types.ParseID(d)
		if err != nil {
			continue
		}
		res, err := l.Current(ctx, eid)
		var r *refusal
		switch {
		case errors.As(err, &r) && r.Name == types.ErrDIDNotFound.Name:
			continue // listed, not created yet
		case err != nil:
			return nil, err
		case res.Head.Deactivated:
			continue
		}
		st, err := txbuild.DIDState(eid, res.Record.Version, &res.Record.Document)
		if err != nil {
			return nil, err
		}
		out.Endorsers = append(out.Endorsers, *st)
	}
	return out, nil
}

// sameEndorsement reports whether a and b record the same endorsers at
// the same versions with the same keys.
func sameEndorsement(a, b *txbuild.FileEndorsement) bool {
	if a == nil || b == nil {
		return a == b
	}
	return slices.EqualFunc(a.Endorsers, b.Endorsers, func(x, y txbuild.FileDID) bool { return x.Equal(&y) })
}

// endorsementChange says how the endorsers a file records differ from the
// ledger's: "endorser did:custos:... is at version 3 (the file has 2)".
func endorsementChange(file, now *txbuild.FileEndorsement) string {
	var parts []string
	had := map[string]*txbuild.FileDID{}
	if file != nil {
		for i := range file.Endorsers {
			had[file.Endorsers[i].DID] = &file.Endorsers[i]
		}
	}
	if now != nil {
		for i := range now.Endorsers {
			n := &now.Endorsers[i]
			switch o, ok := had[n.DID]; {
			case !ok:
				parts = append(parts, fmt.Sprintf("endorser %s (version %d) is not in the file", n.DID, n.Version))
			case !o.Equal(n):
				parts = append(parts, fmt.Sprintf("endorser %s is at version %d (the file has version %d)", n.DID, n.Version, o.Version))
			}
			delete(had, n.DID)
		}
	}
	for _, o := range had {
		parts = append(parts, fmt.Sprintf("%s is no active endorser now", o.DID))
	}
	slices.Sort(parts)
	switch {
	case file == nil:
		return "the tx file records no endorsement, and this chain's creates need one"
	case now == nil:
		return "the tx file records an endorsement, and this create needs none"
	}
	return strings.Join(parts, "; ")
}

// formerEndorserKey returns the endorser key URL whose material is pk in
// the endorsers the file recorded, when the ledger's endorsers no longer
// hold it: a key rotated or revoked since, which no longer endorses.
func formerEndorserKey(file, now *txbuild.FileEndorsement, pk types.PublicKey) (string, bool) {
	if file == nil {
		return "", false
	}
	for _, d := range file.Endorsers {
		for _, k := range d.VerificationMethods {
			if k.PublicKeyMultibase != pk.Multibase() || !slices.Contains(d.CapabilityInvocation, k.ID) {
				continue
			}
			if now != nil {
				for _, n := range now.Endorsers {
					for _, nk := range n.VerificationMethods {
						if nk.PublicKeyMultibase == k.PublicKeyMultibase && slices.Contains(n.CapabilityInvocation, nk.ID) {
							return "", false
						}
					}
				}
			}
			return fmt.Sprintf("%s#%s (version %d)", d.DID, k.ID, d.Version), true
		}
	}
	return "", false
}
