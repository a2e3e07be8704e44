package txbuild

import "github.com/custos-ledger/custos/x/did/types"

// AddValidator returns the body of adding a validator: gov is the
// governance DID at version; pub the 32-byte Ed25519 consensus key and
// pop its proof of possession (x/network/pop).
func AddValidator(chainID string, gov types.ID, version uint64, pub []byte, power int64, moniker string, pop []byte) types.TxBody {
	return types.TxBody{ChainId: chainID, Did: gov.String(), ExpectedVersion: version,
		Operation: &types.TxBody_AddValidator{AddValidator: &types.AddValidatorOp{PubKey: pub, Power: power, Moniker: moniker, ProofOfPossession: pop}}}
}

// SetValidatorPower returns the body of changing a validator's power.
func SetValidatorPower(chainID string, gov types.ID, version uint64, pub []byte, power int64) types.TxBody {
	return types.TxBody{ChainId: chainID, Did: gov.String(), ExpectedVersion: version,
		Operation: &types.TxBody_SetValidatorPower{SetValidatorPower: &types.SetValidatorPowerOp{PubKey: pub, Power: power}}}
}

// RemoveValidator returns the body of removing a validator.
func RemoveValidator(chainID string, gov types.ID, version uint64, pub []byte) types.TxBody {
	return types.TxBody{ChainId: chainID, Did: gov.String(), ExpectedVersion: version,
		Operation: &types.TxBody_RemoveValidator{RemoveValidator: &types.RemoveValidatorOp{PubKey: pub}}}
}
