package keeper

import (
	"slices"

	"github.com/custos-ledger/custos/x/did/types"
)

// SigningCandidates returns, for each signature of p whose key can be known
// before execution, the (key, sign bytes, signature) triple it is verified
// as: the key its URL names among the target's and guardians' keys stored
// in r, and among the keys the tx brings itself (a create's or update's
// document, a rotation's new key, a reveal, a recovery's new keys). It
// decides nothing: a triple is only a guess of what execution will verify
// (against the state it runs on, which an earlier tx of the block may
// change), so verifying the triples ahead, and remembering what they gave,
// can save work but changes no result. A tx refused before its signatures
// are read (over the signature limit, no target) has none.
//
// When a URL has two candidate keys (a rotation's current and proposed
// material), an honest tx signs with each in that order, which is the order
// of the candidates: the n-th signature naming the URL is paired with its
// n-th key. A wrong guess is only a fact that does not hold.
func (k *Keeper) SigningCandidates(r Reader, p *ParsedTx) []types.Signed {
	if len(p.tx.Signatures) > int(k.params.MaxSignatures) || p.idErr != nil {
		return nil
	}
	body, target := p.body, p.id
	// The candidate keys of each key URL, distinct, stored ones first.
	known := map[types.URL][]types.PublicKey{}
	add := func(u types.URL, pk types.PublicKey) {
		if !slices.Contains(known[u], pk) {
			known[u] = append(known[u], pk)
		}
	}
	addDoc := func(id types.ID, d *types.Document) {
		for _, vm := range d.VerificationMethods {
			if pk, err := types.ParsePublicKey(vm.PublicKey); err == nil && pk.Type().CanSign() {
				add(types.URL{ID: id, Fragment: vm.Id}, pk)
			}
		}
	}
	addStored := func(id types.ID) {
		if head, rec, err := k.resolve(r, id); err == nil && head != nil {
			addDoc(id, &rec.Document)
		}
	}
	addStored(target)
	switch op := body.Operation.(type) {
	case *types.TxBody_Create:
		addDoc(target, &op.Create.Document)
	case *types.TxBody_Update:
		addDoc(target, &op.Update.Document)
	case *types.TxBody_RotateKey:
		if pk, err := types.ParsePublicKey(op.RotateKey.NewPublicKey); err == nil {
			add(types.URL{ID: target, Fragment: op.RotateKey.KeyId}, pk)
		}
	case *types.TxBody_Deactivate:
		addDoc(target, &types.Document{VerificationMethods: op.Deactivate.Reveal})
	case *types.TxBody_RecoveryInitiate:
		addDoc(target, &types.Document{VerificationMethods: op.RecoveryInitiate.NewKeys})
		if g, err := types.ParseID(op.RecoveryInitiate.Guardian); err == nil {
			addStored(g)
		}
	case *types.TxBody_RecoveryApprove:
		if g, err := types.ParseID(op.RecoveryApprove.Guardian); err == nil {
			addStored(g)
		}
	case *types.TxBody_RecoveryCancel:
		if g, err := types.ParseID(op.RecoveryCancel.Guardian); err == nil {
			addStored(g)
		}
	}
	var out []types.Signed
	nth := map[types.URL]int{}
	for si, s := range p.tx.Signatures {
		u := p.urls[si]
		if p.urlErrs[si] != nil || len(s.Signature) != 64 {
			continue
		}
		i := nth[u]
		nth[u]++
		if pks := known[u]; i < len(pks) {
			out = append(out, types.Signed{Key: pks[i], Msg: p.msg, Sig: s.Signature})
		}
	}
	return out
}
