package keeper

import (
	"fmt"

	"github.com/custos-ledger/custos/x/did/types"
)

// SignerKey is a key a signature of a tx can name: the DID URL the
// signature names and the material it must verify under. A fragment whose
// material a tx replaces has two: the current one and the proposed one.
type SignerKey struct {
	URL types.URL
	Key types.PublicKey
}

// SignerSet is a set of keys of which at least Threshold distinct ones
// must sign the tx; when fewer do, the ledger refuses it with Err.
type SignerSet struct {
	// Role says what the set is: "controllers" of the target, its
	// "committed next keys", or a "guardian".
	Role      string
	DID       types.ID
	Keys      []SignerKey
	Threshold int
	Err       *types.Error
}

// Requirement is what the signatures of a tx must satisfy for the ledger
// to accept it: every set's threshold, and a signature by each key of
// Possession (a new signing key proving that its holder has it).
type Requirement struct {
	Sets       []SignerSet
	Possession []SignerKey
}

// RequirementState is what of the ledger's state the requirement of a tx
// depends on. New kinds of signers (an endorser of a create, say) add a
// field here and a set in Requirements.
type RequirementState struct {
	// Current is the target's document at the tx's expected version; nil
	// for a create.
	Current *types.Document
	// Guardian is the current document of the guardian a recovery step
	// names (an initiation, an approval, a guardian's cancel vote).
	Guardian *types.Document
	// Endorsers are, for a create under WRITE_POLICY_ENDORSED, the
	// chain's active endorsers with their current documents; empty when
	// the chain needs no endorsement (or the create is an endorser's own).
	Endorsers []Endorser
}

// Endorser is an active endorser DID and its current document.
type Endorser struct {
	DID      types.ID
	Document *types.Document
}

// Requirements says who must sign body for the ledger to accept it, given
// st: the same rules the keeper's authorization applies (auth.go,
// prerotation.go, deactivate.go, recovery.go), stated once as data so that
// clients can tell who still has to sign a tx passed from hand to hand. A
// tx the keeper refuses whatever its signatures (a pre-rotation reveal of
// the wrong keys, say) is an error here too. Requirements checks nothing
// else: validity of the document, guardianship, recovery state and the
// rest are the keeper's.
func Requirements(body *types.TxBody, st RequirementState) (Requirement, error) {
	id, err := types.ParseID(body.Did)
	if err != nil {
		return Requirement{}, err
	}
	if body.Operation == nil {
		return Requirement{}, types.ErrNoOperation.Wrap("the tx carries no operation")
	}
	if _, ok := body.Operation.(*types.TxBody_Create); !ok && st.Current == nil {
		return Requirement{}, types.ErrInvalidOperation.Wrap("the requirements of a change need the target's current document")
	}
	cur := st.Current
	switch op := body.Operation.(type) {
	case *types.TxBody_Create:
		keys, err := types.KeysOf(&op.Create.Document)
		if err != nil {
			return Requirement{}, err
		}
		req := Requirement{Possession: possession(id, nil, keys)}
		if len(st.Endorsers) > 0 {
			set, err := endorserSet(st.Endorsers)
			if err != nil {
				return Requirement{}, err
			}
			req.Sets = append(req.Sets, set)
		}
		return req, nil
	case *types.TxBody_Update:
		next := op.Update.Document
		return changeRequirement(id, cur, &next)
	case *types.TxBody_RotateKey:
		next, err := rotated(id, cur, op.RotateKey)
		if err != nil {
			return Requirement{}, err
		}
		return changeRequirement(id, cur, next)
	case *types.TxBody_RevokeKey:
		next := cur.Clone()
		if _, listed := cur.Method(op.RevokeKey.KeyId); listed && len(op.RevokeKey.PublicKey) == 0 {
			next.VerificationMethods = removeMethod(next.VerificationMethods, op.RevokeKey.KeyId)
			for _, r := range types.Relationships() {
				next.SetRefs(r, removeRef(next.Refs(r), op.RevokeKey.KeyId))
			}
		}
		return changeRequirement(id, cur, &next)
	case *types.TxBody_Deactivate:
		return deactivationRequirement(id, cur, op.Deactivate)
	case *types.TxBody_SetGuardians:
		return single(controllers(id, cur))
	case *types.TxBody_RecoveryInitiate:
		g, err := guardianSet(op.RecoveryInitiate.Guardian, st.Guardian)
		if err != nil {
			return Requirement{}, err
		}
		proposed, err := proposedKeys(op.RecoveryInitiate.NewKeys)
		if err != nil {
			return Requirement{}, err
		}
		return Requirement{Sets: []SignerSet{g}, Possession: possession(id, nil, proposed)}, nil
	case *types.TxBody_RecoveryApprove:
		g, err := guardianSet(op.RecoveryApprove.Guardian, st.Guardian)
		if err != nil {
			return Requirement{}, err
		}
		return Requirement{Sets: []SignerSet{g}}, nil
	case *types.TxBody_AddValidator, *types.TxBody_SetValidatorPower, *types.TxBody_RemoveValidator,
		*types.TxBody_ScheduleUpgrade, *types.TxBody_CancelUpgrade, *types.TxBody_SetWritePolicy:
		// A governance operation (governed): the target's controllers;
		// that the target is the governance DID is the keeper's to check.
		return single(controllers(id, cur))
	case *types.TxBody_RecoveryCancel:
		if op.RecoveryCancel.Guardian == "" {
			return single(controllers(id, cur))
		}
		g, err := guardianSet(op.RecoveryCancel.Guardian, st.Guardian)
		if err != nil {
			return Requirement{}, err
		}
		return Requirement{Sets: []SignerSet{g}}, nil
	}
	return Requirement{}, types.ErrInvalidOperation.Wrapf("no signing rule for operation %T", body.Operation)
}

func single(s SignerSet, err error) (Requirement, error) {
	if err != nil {
		return Requirement{}, err
	}
	return Requirement{Sets: []SignerSet{s}}, nil
}

// controllers is the set of doc's capabilityInvocation keys, at its
// threshold (requireThreshold).
func controllers(id types.ID, doc *types.Document) (SignerSet, error) {
	s := SignerSet{Role: "controllers", DID: id, Threshold: int(doc.Threshold), Err: types.ErrThresholdNotMet}
	for _, f := range doc.CapabilityInvocation {
		vm, ok := doc.Method(f)
		if !ok {
			continue
		}
		pk, err := types.ParsePublicKey(vm.PublicKey)
		if err != nil {
			return SignerSet{}, err
		}
		if pk.Type().CanSign() {
			s.Keys = append(s.Keys, SignerKey{URL: types.URL{ID: id, Fragment: f}, Key: pk})
		}
	}
	return s, nil
}

// endorserSet is the set of which one key must sign a create under
// WRITE_POLICY_ENDORSED (endorse): every current capabilityInvocation key
// of every active endorser, one of them. Its DID is the first endorser's.
func endorserSet(endorsers []Endorser) (SignerSet, error) {
	s := SignerSet{Role: "endorser", DID: endorsers[0].DID, Threshold: 1, Err: types.ErrNotEndorsed}
	for _, e := range endorsers {
		c, err := controllers(e.DID, e.Document)
		if err != nil {
			return SignerSet{}, err
		}
		s.Keys = append(s.Keys, c.Keys...)
	}
	return s, nil
}

// guardianSet is the controllers of the guardian did, whose current
// document is doc.
func guardianSet(did string, doc *types.Document) (SignerSet, error) {
	gid, err := types.ParseID(did)
	if err != nil {
		return SignerSet{}, err
	}
	if doc == nil {
		return SignerSet{}, types.ErrInvalidOperation.Wrapf("the requirements of a guardian's step need guardian %s's current document", gid)
	}
	s, err := controllers(gid, doc)
	s.Role = "guardian"
	return s, err
}

// possession lists next's signing keys whose material cur (nil for a
// create or a recovery's proposal) does not hold (requirePossession).
func possession(id types.ID, cur *types.Keys, next types.Keys) []SignerKey {
	var out []SignerKey
	for i, f := range next.Fragments {
		k := next.Keys[i]
		if !owesPossession(cur, k) {
			continue
		}
		out = append(out, SignerKey{URL: types.URL{ID: id, Fragment: f}, Key: k})
	}
	return out
}

// rotated is cur with op's key rotated (rotate: RotatedDocument and the
// commitment op names).
func rotated(id types.ID, cur *types.Document, op *types.RotateKeyOp) (*types.Document, error) {
	curKeys, err := types.KeysOf(cur)
	if err != nil {
		return nil, err
	}
	next, _, err := RotatedDocument(id, cur, curKeys, op.KeyId, op.NewPublicKey)
	if err != nil {
		return nil, err
	}
	if op.NextKeys != nil {
		next.NextKeys = op.NextKeys
	}
	return &next, nil
}

// changeRequirement is the requirement of an edit from cur to next
// (authorizeEdit: authorizeChange, then requirePossession).
func changeRequirement(id types.ID, cur, next *types.Document) (Requirement, error) {
	curKeys, err := types.KeysOf(cur)
	if err != nil {
		return Requirement{}, err
	}
	nextKeys, err := types.KeysOf(next)
	if err != nil {
		return Requirement{}, err
	}
	set, err := changeSet(id, cur, next, nextKeys)
	if err != nil {
		return Requirement{}, err
	}
	return Requirement{Sets: []SignerSet{set}, Possession: possession(id, &curKeys, nextKeys)}, nil
}

// changeSet is who authorizes changing cur into next (authorizeChange).
func changeSet(id types.ID, cur, next *types.Document, nextKeys types.Keys) (SignerSet, error) {
	reveals, err := CheckCommitment(id, cur, next)
	if err != nil {
		return SignerSet{}, err
	}
	if !reveals {
		return controllers(id, cur)
	}
	c := cur.NextKeys
	s := SignerSet{Role: "committed next keys", DID: id, Threshold: int(c.Threshold), Err: types.ErrThresholdNotMet}
	for _, f := range next.CapabilityInvocation {
		if k, ok := nextKeys.Get(f); ok {
			s.Keys = append(s.Keys, SignerKey{URL: types.URL{ID: id, Fragment: f}, Key: k})
		}
	}
	return s, nil
}

// deactivationRequirement is authorizeDeactivation's rule: the
// controllers, or under a commitment the revealed next keys.
func deactivationRequirement(id types.ID, cur *types.Document, op *types.DeactivateOp) (Requirement, error) {
	c := cur.NextKeys
	if c == nil {
		if len(op.Reveal) > 0 {
			return Requirement{}, types.ErrInvalidOperation.Wrap("the DID has no pre-rotation commitment: reveal no keys")
		}
		return single(controllers(id, cur))
	}
	curKeys, err := types.KeysOf(cur)
	if err != nil {
		return Requirement{}, err
	}
	revealed, err := revealedNextKeys(curKeys, c, op.Reveal)
	if err != nil {
		return Requirement{}, err
	}
	s := SignerSet{Role: "committed next keys", DID: id, Threshold: int(c.Threshold), Err: types.ErrPreRotation}
	for i, k := range revealed.Keys {
		s.Keys = append(s.Keys, SignerKey{URL: types.URL{ID: id, Fragment: revealed.Fragments[i]}, Key: k})
	}
	return Requirement{Sets: []SignerSet{s}}, nil
}

// Candidates are the materials a signature naming u can verify under to
// count for r, each once.
func (r Requirement) Candidates(u types.URL) []types.PublicKey {
	var out []types.PublicKey
	add := func(k SignerKey) {
		if k.URL != u {
			return
		}
		for _, have := range out {
			if have == k.Key {
				return
			}
		}
		out = append(out, k.Key)
	}
	for _, s := range r.Sets {
		for _, k := range s.Keys {
			add(k)
		}
	}
	for _, k := range r.Possession {
		add(k)
	}
	return out
}

// Shortfall is one thing a tx still lacks: a set short of its threshold
// (Set, with Have of its keys signed and Unsigned the others), or a new
// key's proof of possession (Possession).
type Shortfall struct {
	Set        *SignerSet
	Have       int
	Unsigned   []SignerKey
	Possession *SignerKey
}

// Err is the registered error the ledger refuses the tx with for s.
func (s Shortfall) Err() error {
	if s.Possession != nil {
		return types.ErrMissingPossession.Wrapf("new key %q must sign the transaction", s.Possession.URL.Fragment)
	}
	return s.Set.Err.Wrapf("%d of the required %d %s keys of %s signed", s.Have, s.Set.Threshold, s.Set.Role, s.Set.DID)
}

func (s Shortfall) String() string { return s.Err().Error() }

// Missing returns what r still lacks when the keys of signed (each a
// signature that verified under that key, naming that URL) signed: nothing
// when the ledger's signing rules accept the tx.
func (r Requirement) Missing(signed []SignerKey) []Shortfall {
	has := func(k SignerKey) bool {
		for _, s := range signed {
			if s == k {
				return true
			}
		}
		return false
	}
	var out []Shortfall
	for i := range r.Sets {
		s := &r.Sets[i]
		n := 0
		var unsigned []SignerKey
		for _, k := range s.Keys {
			if has(k) {
				n++
			} else {
				unsigned = append(unsigned, k)
			}
		}
		if n < s.Threshold {
			out = append(out, Shortfall{Set: s, Have: n, Unsigned: unsigned})
		}
	}
	for i := range r.Possession {
		if !has(r.Possession[i]) {
			out = append(out, Shortfall{Possession: &r.Possession[i]})
		}
	}
	return out
}

// String renders a signer key as "did:custos:...#frag (z6Mk...)".
func (k SignerKey) String() string { return fmt.Sprintf("%s (%s)", k.URL, k.Key.Multibase()) }
