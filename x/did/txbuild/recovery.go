package txbuild

import (
	"github.com/custos-ledger/custos/x/did/types"
)

// Commitment returns a pre-rotation commitment to keys with a threshold.
func Commitment(threshold uint32, keys ...types.PublicKey) *types.NextKeys {
	n := &types.NextKeys{Threshold: threshold}
	for _, k := range keys {
		n.Digests = append(n.Digests, types.KeyDigest(k))
	}
	return n
}

// SetGuardians returns the body of setting id's guardians, built on its
// version and on revision of its guardian state (0 before the first set).
func SetGuardians(chainID string, id types.ID, version, revision uint64, guardians []types.ID, threshold uint32, delaySeconds int64) types.TxBody {
	op := &types.SetGuardiansOp{Threshold: threshold, Delay: delaySeconds, ExpectedRevision: revision}
	for _, g := range guardians {
		op.Guardians = append(op.Guardians, g.String())
	}
	return types.TxBody{ChainId: chainID, Did: id.String(), ExpectedVersion: version,
		Operation: &types.TxBody_SetGuardians{SetGuardians: op}}
}

// RecoveryInitiate returns the body of guardian proposing newKeys (fragment
// to key) as id's controller keys, as recovery rid (the DID's next recovery
// id). Sign it with the guardian's keys and with every new key (as id's
// fragments).
func RecoveryInitiate(chainID string, id types.ID, version, rid uint64, guardian types.ID, newKeys []types.VerificationMethod, threshold uint32, next *types.NextKeys) types.TxBody {
	return types.TxBody{ChainId: chainID, Did: id.String(), ExpectedVersion: version,
		Operation: &types.TxBody_RecoveryInitiate{RecoveryInitiate: &types.RecoveryInitiateOp{
			Guardian: guardian.String(), NewKeys: newKeys, Threshold: threshold, NextKeys: next, RecoveryId: rid}}}
}

// RecoveryApprove returns the body of guardian approving recovery rid of id.
func RecoveryApprove(chainID string, id types.ID, version uint64, guardian types.ID, rid uint64) types.TxBody {
	return types.TxBody{ChainId: chainID, Did: id.String(), ExpectedVersion: version,
		Operation: &types.TxBody_RecoveryApprove{RecoveryApprove: &types.RecoveryApproveOp{Guardian: guardian.String(), RecoveryId: rid}}}
}

// RecoveryCancel returns the body of a vote to cancel recovery rid of id: by
// guardian, or by the owner when guardian is the zero ID.
func RecoveryCancel(chainID string, id types.ID, version uint64, guardian types.ID, rid uint64) types.TxBody {
	op := &types.RecoveryCancelOp{RecoveryId: rid}
	if !guardian.IsZero() {
		op.Guardian = guardian.String()
	}
	return types.TxBody{ChainId: chainID, Did: id.String(), ExpectedVersion: version,
		Operation: &types.TxBody_RecoveryCancel{RecoveryCancel: op}}
}

// DeactivateRevealing returns the body of deactivating a pre-rotated DID:
// reveal lists committed next keys (fragment to key), each of which signs.
func DeactivateRevealing(chainID string, id types.ID, version uint64, reveal []types.VerificationMethod) types.TxBody {
	b := Deactivate(chainID, id, version)
	b.GetDeactivate().Reveal = reveal
	return b
}
