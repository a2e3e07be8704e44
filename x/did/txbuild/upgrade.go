package txbuild

import "github.com/custos-ledger/custos/x/did/types"

// ScheduleUpgrade returns the body of scheduling the upgrade name at
// height: gov is the governance DID at version.
func ScheduleUpgrade(chainID string, gov types.ID, version uint64, name string, height int64) types.TxBody {
	return types.TxBody{ChainId: chainID, Did: gov.String(), ExpectedVersion: version,
		Operation: &types.TxBody_ScheduleUpgrade{ScheduleUpgrade: &types.ScheduleUpgradeOp{Name: name, Height: height}}}
}

// CancelUpgrade returns the body of cancelling the standing upgrade name.
func CancelUpgrade(chainID string, gov types.ID, version uint64, name string) types.TxBody {
	return types.TxBody{ChainId: chainID, Did: gov.String(), ExpectedVersion: version,
		Operation: &types.TxBody_CancelUpgrade{CancelUpgrade: &types.CancelUpgradeOp{Name: name}}}
}

// SetWritePolicy returns the body of replacing the write policy with op's:
// gov is the governance DID at version.
func SetWritePolicy(chainID string, gov types.ID, version uint64, op types.SetWritePolicyOp) types.TxBody {
	return types.TxBody{ChainId: chainID, Did: gov.String(), ExpectedVersion: version,
		Operation: &types.TxBody_SetWritePolicy{SetWritePolicy: &op}}
}
