package types

// ABCI query paths the app answers (package app, Query). Data is the DID (or for /state, the raw state key; for
// /did/version, an encoded QueryVersionRequest). Height 0 means the last
// committed height.
const (
	QueryPathDID      = "/did"
	QueryPathVersion  = "/did/version"
	QueryPathHistory  = "/did/history"
	QueryPathState    = "/state"
	QueryPathRecovery = "/did/recovery"
	// QueryPathValidators answers a QueryValidatorsResponse (no data).
	QueryPathValidators = "/network/validators"
	// QueryPathUpgrade answers a QueryUpgradeResponse (no data).
	QueryPathUpgrade = "/network/upgrade"
)
