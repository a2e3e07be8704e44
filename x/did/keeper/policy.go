package keeper

import (
	"slices"

	"github.com/custos-ledger/custos/x/did/types"
)

// The write policy (docs/write-policy.md): who may create a DID, and how
// often a DID may change. Its checks run after the checks of the tx's
// bytes and before any signature of the tx is verified, cheapest first:
// the stamp (a comparison, then one hash), the endorsement (state reads,
// then one verification), the rate limit (the head, already read).
//
// Changing the policy after genesis is a governance operation
// (SetWritePolicyOp, writepolicy.go): it rewrites the params in state, and
// the application enforces them from the next block on.

// endorsementIndex returns the index of the create's endorsement: the one
// signature that names a key of a listed endorser (noSig when the chain
// needs no endorsement, or the create is a listed endorser's own). A fact
// of the tx and the params alone: proposals check it before any state.
func (e *execution) endorsementIndex() (int, error) {
	if e.k.params.WritePolicy != types.WRITE_POLICY_ENDORSED || slices.Contains(e.k.params.Endorsers, e.id.String()) {
		return noSig, nil
	}
	at := noSig
	for i := range e.sigs {
		if e.urlErrs[i] != nil || !slices.Contains(e.k.params.Endorsers, e.urls[i].ID.String()) {
			continue
		}
		if at != noSig {
			return noSig, types.ErrExcessSignatures.Wrap("the create carries two endorsements; one endorser signs")
		}
		at = i
	}
	if at == noSig {
		return noSig, types.ErrNotEndorsed.Wrapf("this chain's creates are signed by one of its endorsers (%d listed in the params); have an endorser co-sign the create", len(e.k.params.Endorsers))
	}
	return at, nil
}

// noSig marks the absence of a signature index.
const noSig = -1

// checkStamp checks the create's proof-of-work stamp against the chain's
// stamp_difficulty (types.CheckStamp).
func (e *execution) checkStamp() error {
	return types.CheckStamp(e.stamp, e.bodyBytes, e.k.params.StampDifficulty)
}

// endorse checks the endorsement of a create under WRITE_POLICY_ENDORSED:
// exactly one signature of the tx names a key of a DID the params list as
// an endorser; that DID is registered and active, the key is one of its
// current capabilityInvocation keys, and the signature verifies. The
// signature is then left out of the create's own signatures
// (verifyParties). A listed endorser's own create needs no endorsement:
// the DID is derived from its inception, so only its holder can create it.
func (e *execution) endorse() error {
	at, err := e.endorsementIndex()
	if err != nil || at == noSig {
		return err
	}
	u := e.urls[at]
	head, rec, err := e.k.resolve(e.st, u.ID)
	if err != nil {
		return err
	}
	if head == nil {
		return types.ErrEndorserInactive.Wrapf("endorser %s is not registered", u.ID)
	}
	if head.Deactivated {
		return types.ErrEndorserInactive.Wrapf("endorser %s was deactivated at version %d", u.ID, head.Version)
	}
	if !rec.Document.Has(types.CapabilityInvocation, u.Fragment) {
		return types.ErrEndorserKey.Wrapf("%s is not a current capabilityInvocation key of endorser %s", u, u.ID)
	}
	keys, err := types.KeysOf(&rec.Document)
	if err != nil {
		return err
	}
	pk, ok := keys.Get(u.Fragment)
	if !ok || !pk.Type().CanSign() {
		return types.ErrEndorserKey.Wrapf("%s is not a signing key of endorser %s", u, u.ID)
	}
	if !e.k.facts.Verify(pk, e.msg, e.sigs[at].Signature) {
		return types.ErrBadSignature.Wrapf("the endorsement by %s does not verify under its current key (a rotated or retired key no longer endorses)", u)
	}
	e.endorsement, e.endorser, e.endorserVersion = at, u.ID, head.Version
	return nil
}
