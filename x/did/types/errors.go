package types

import (
	"errors"
	"fmt"
)

// Codespace names the Custos error codes in ABCI results.
const Codespace = "custos"

// Error is a registered, deterministic reason to refuse a transaction. Its
// Code is consensus-visible: codes are append-only, never renumbered.
type Error struct {
	Code        uint32
	Name        string
	Description string
}

// Error returns the name and the description.
func (e *Error) Error() string { return e.Name + ": " + e.Description }

// Wrap returns an error that is e with a detail.
func (e *Error) Wrap(detail string) error { return &TxError{Err: e, Detail: detail} }

// Wrapf returns an error that is e with a formatted detail.
func (e *Error) Wrapf(format string, args ...any) error {
	return &TxError{Err: e, Detail: fmt.Sprintf(format, args...)}
}

// TxError is a registered error with the detail of one occurrence.
type TxError struct {
	Err    *Error
	Detail string
	// RetryAt is, for a rate_limited refusal, the block time (Unix
	// seconds) from which the operation would be counted again; 0 for
	// every other refusal.
	RetryAt int64
}

// RetryAt returns when a refused operation may be tried again (Unix
// seconds of block time), or 0 when err says nothing of it.
func RetryAt(err error) int64 {
	var te *TxError
	if errors.As(err, &te) {
		return te.RetryAt
	}
	return 0
}

// Error returns "name: detail".
func (e *TxError) Error() string { return e.Err.Name + ": " + e.Detail }

// Unwrap returns the registered error.
func (e *TxError) Unwrap() error { return e.Err }

// Registered returns the registered error behind err, or nil when err is not
// a deterministic tx error (a node fault).
func Registered(err error) *Error {
	var r *Error
	if errors.As(err, &r) {
		return r
	}
	return nil
}

// Detail returns what err says beyond its registered name.
func Detail(err error) string {
	var te *TxError
	if errors.As(err, &te) {
		return te.Detail
	}
	var r *Error
	if errors.As(err, &r) {
		return r.Description
	}
	return err.Error()
}

// The registered errors. Append new ones at the end of this list and of
// AllErrors; never change a code. Codes ascend but may leave gaps: ranges
// are reserved for groups of rules.
var (
	ErrMalformedTx        = &Error{1, "malformed_tx", "the transaction could not be decoded"}
	ErrNonCanonical       = &Error{2, "non_canonical_encoding", "the transaction is not in canonical protobuf encoding"}
	ErrTxTooLarge         = &Error{3, "tx_too_large", "the transaction exceeds max_tx_bytes"}
	ErrWrongChainID       = &Error{4, "wrong_chain_id", "the transaction was signed for another chain"}
	ErrInvalidDID         = &Error{5, "invalid_did", "the DID is not a valid did:custos identifier"}
	ErrInvalidDIDURL      = &Error{6, "invalid_did_url", "the DID URL is not did:custos:<id>#<fragment>"}
	ErrInvalidFragment    = &Error{7, "invalid_fragment", "the fragment is not valid"}
	ErrInvalidPublicKey   = &Error{8, "invalid_public_key", "the public key is malformed or weak"}
	ErrUnsupportedKeyType = &Error{9, "unsupported_key_type", "the key type is not accepted"}
	ErrInvalidDocument    = &Error{10, "invalid_document", "the DID document breaks a document rule"}
	ErrLimitExceeded      = &Error{11, "limit_exceeded", "a genesis limit is exceeded"}
	ErrNoOperation        = &Error{12, "no_operation", "the transaction carries no operation"}
	ErrInvalidOperation   = &Error{13, "invalid_operation", "the operation's fields are not valid"}
	ErrDIDMismatch        = &Error{14, "did_mismatch", "the DID does not match the one derived from the inception document"}
	ErrDIDExists          = &Error{15, "did_exists", "the DID is already registered"}
	ErrDIDNotFound        = &Error{16, "did_not_found", "the DID is not registered"}
	ErrStaleVersion       = &Error{17, "stale_version", "the DID changed since the transaction was built: expected version differs"}
	ErrDeactivated        = &Error{18, "deactivated", "the DID is deactivated; no operation can change it"}
	ErrBadSignature       = &Error{19, "bad_signature", "a signature does not verify"}
	ErrUnknownSigner      = &Error{20, "unknown_signer", "a signature names a key that is not a signing key of this DID"}
	ErrTooManySignatures  = &Error{21, "too_many_signatures", "the transaction carries more signatures than max_signatures"}
	ErrThresholdNotMet    = &Error{22, "threshold_not_met", "too few distinct capabilityInvocation keys signed"}
	ErrMissingPossession  = &Error{23, "missing_proof_of_possession", "a new signing key did not sign the transaction"}
	ErrWouldLoseControl   = &Error{24, "would_lose_control", "the change would leave fewer capabilityInvocation keys than the threshold"}
	ErrKeyNotFound        = &Error{25, "key_not_found", "the DID has no verification method with that fragment"}
	ErrKeyTypeMismatch    = &Error{26, "key_type_mismatch", "the new key cannot take the rotated key's place: a signing key rotates to a signing key, a key-agreement key to an X25519 key"}
	ErrDuplicateKey       = &Error{27, "duplicate_key", "the key material is already listed in the document"}
	ErrMemoTooLarge       = &Error{28, "memo_too_large", "the memo exceeds max_memo_bytes"}
	ErrInvalidTime        = &Error{29, "invalid_time", "the time is not valid for this operation"}
	ErrNodeUnavailable    = &Error{30, "node_unavailable", "the node could not check the transaction (it is starting or stopping, or its store failed); try again"}
	ErrNotGuardian        = &Error{31, "not_guardian", "the DID named is not a guardian of the target"}
	ErrGuardianInactive   = &Error{32, "guardian_inactive", "the guardian DID is not registered or is deactivated"}
	ErrInvalidGuardians   = &Error{33, "invalid_guardians", "the guardian set, threshold or delay is not valid"}
	ErrRecoveryNotFound   = &Error{34, "recovery_not_found", "the DID has no pending recovery with that id"}
	ErrRecoveryExpired    = &Error{35, "recovery_expired", "the recovery expired before it got enough approvals"}
	ErrAlreadyCounted     = &Error{36, "already_counted", "this guardian or owner has already approved or voted"}
	ErrRecoveryPending    = &Error{37, "recovery_pending", "this guardian already has a pending recovery of the DID"}
	ErrPreRotation        = &Error{38, "pre_rotation_violation", "the change breaks the DID's pre-rotation commitment"}

	// Codes 40-49: guardian and recovery rules.
	ErrStaleGuardians  = &Error{40, "stale_guardians", "the DID's guardian state changed since the transaction was built: expected revision differs"}
	ErrWrongRecoveryID = &Error{41, "wrong_recovery_id", "the initiation names a recovery id other than the DID's next one"}
	ErrRestoreVersion  = &Error{42, "invalid_restore_version", "the recovery names a version to restore that the DID has not reached"}
	// ErrGuardiansLocked: a recovery in progress fixes the DID's guardians.
	ErrGuardiansLocked = &Error{45, "guardians_locked", "a recovery of the DID is pending: its guardians cannot change until the recovery executes, is cancelled or expires"}

	// Codes 50-59: key material and text rules.
	ErrInvalidMemo    = &Error{50, "invalid_memo", "the memo is not valid UTF-8 text, or holds control, format or invisible characters"}
	ErrKeyCompromised = &Error{51, "key_compromised", "the key material was recorded as compromised for this DID and can never be added to it again"}
	// ErrAlreadyCompromised: a key record is never downgraded.
	ErrAlreadyCompromised = &Error{52, "already_compromised", "the key is already recorded as compromised from that time or earlier; a record only moves to an earlier time"}
	// ErrHighS: ECDSA signatures (P-256, secp256k1) must be low-S.
	ErrHighS = &Error{53, "high_s_signature", "an ECDSA signature's s is above half the group order: signers must normalise it to n - s (low-S)"}
	// ErrUncompressedKey: ECDSA keys have one encoding, compressed.
	ErrUncompressedKey = &Error{54, "uncompressed_public_key", "a P-256 or secp256k1 key is the 65-byte uncompressed point: it must be the 33-byte compressed point"}

	// Codes 60-69: what one block may hold and write.
	ErrBlockWriteLimit = &Error{60, "block_write_limit", "the block is full: what the transaction writes does not fit in what the block may still write; resubmit it"}
	ErrDuplicateTx     = &Error{61, "duplicate_tx", "the block already holds this same transaction"}

	// Codes 70-79: queries.
	ErrMalformedQuery = &Error{70, "malformed_query", "the query's path or data is not one the app answers"}

	// Codes 80-89: the write policy (docs/write-policy.md).
	ErrStampMissing = &Error{80, "stamp_missing", "the create carries no proof-of-work stamp; this chain requires one"}
	ErrStampTooWeak = &Error{81, "stamp_too_weak", "the create's stamp claims less work than the chain's stamp_difficulty"}
	// ErrStampInvalid: the hash is over the body, so a stamp made for
	// another body or chain fails here.
	ErrStampInvalid     = &Error{82, "stamp_invalid", "the stamp's hash does not have the work it claims for this transaction: it was made for another body or chain, or is malformed"}
	ErrNotEndorsed      = &Error{83, "not_endorsed", "the create carries no signature by an endorser of this chain"}
	ErrEndorserInactive = &Error{84, "endorser_inactive", "the endorser DID is not registered or is deactivated"}
	ErrEndorserKey      = &Error{85, "endorser_key_invalid", "the endorsement names a key that is not a current capabilityInvocation key of the endorser"}
	ErrRateLimited      = &Error{86, "rate_limited", "the DID has used its operations for a window of the chain's rate limits; the log says when the next one is allowed"}
	// ErrExcessSignatures: refused before any signature is verified.
	ErrExcessSignatures = &Error{87, "excess_signatures", "more signatures name keys of a DID than it has signing keys that could count"}
	// Codes 90-99: governance and the validator set.
	ErrNoGovernance         = &Error{90, "no_governance", "the network has no governance DID: its genesis named none, so governance operations are refused"}
	ErrNotGovernance        = &Error{91, "not_governance", "a governance operation must target the network's governance DID and be signed by its capabilityInvocation keys"}
	ErrValidatorChangeLimit = &Error{92, "validator_change_limit", "the block already changes the validator set: at most one validator change per block; resubmit it"}
	ErrValidatorPowerChange = &Error{93, "validator_power_change_too_large", "the change moves a third or more of the total voting power in one block; change it in smaller steps"}
	ErrValidatorSetTooSmall = &Error{94, "validator_set_too_small", "the removal would leave fewer validators than the genesis minimum (min_validators)"}
	ErrValidatorExists      = &Error{95, "validator_exists", "the consensus key is already in the validator set"}
	ErrValidatorNotFound    = &Error{96, "validator_not_found", "the consensus key is not in the validator set"}
	ErrInvalidValidatorKey  = &Error{97, "invalid_validator_key", "the consensus key is not a 32-byte Ed25519 public key"}
	ErrValidatorPossession  = &Error{98, "invalid_validator_possession", "the proof of possession is missing or does not verify for the consensus key"}
	ErrValidatorPower       = &Error{99, "invalid_validator_power", "the voting power must be above 0 and keep the total within CometBFT's maximum"}

	// Codes 100-109: coordinated upgrades.
	ErrInvalidUpgrade      = &Error{100, "invalid_upgrade", "the upgrade's name is not 1 to 64 of a-z 0-9 . _ - starting with a letter or digit"}
	ErrUpgradeTooSoon      = &Error{101, "upgrade_too_soon", "the upgrade's height is not far enough ahead: operators need time to install the release"}
	ErrUpgradePending      = &Error{102, "upgrade_pending", "an upgrade is already scheduled: at most one plan stands; cancel it first"}
	ErrUpgradeNameUsed     = &Error{103, "upgrade_name_used", "an upgrade of that name was already applied: every upgrade has a new name"}
	ErrUpgradeNotScheduled = &Error{104, "upgrade_not_scheduled", "no upgrade of that name is scheduled"}
)

// AllErrors lists every registered error in code order.
func AllErrors() []*Error {
	return []*Error{
		ErrMalformedTx, ErrNonCanonical, ErrTxTooLarge, ErrWrongChainID,
		ErrInvalidDID, ErrInvalidDIDURL, ErrInvalidFragment, ErrInvalidPublicKey,
		ErrUnsupportedKeyType, ErrInvalidDocument, ErrLimitExceeded, ErrNoOperation,
		ErrInvalidOperation, ErrDIDMismatch, ErrDIDExists, ErrDIDNotFound,
		ErrStaleVersion, ErrDeactivated, ErrBadSignature, ErrUnknownSigner,
		ErrTooManySignatures, ErrThresholdNotMet, ErrMissingPossession, ErrWouldLoseControl,
		ErrKeyNotFound, ErrKeyTypeMismatch, ErrDuplicateKey, ErrMemoTooLarge,
		ErrInvalidTime, ErrNodeUnavailable, ErrNotGuardian, ErrGuardianInactive,
		ErrInvalidGuardians, ErrRecoveryNotFound, ErrRecoveryExpired, ErrAlreadyCounted,
		ErrRecoveryPending, ErrPreRotation,
		ErrStaleGuardians, ErrWrongRecoveryID, ErrRestoreVersion, ErrGuardiansLocked,
		ErrInvalidMemo, ErrKeyCompromised, ErrAlreadyCompromised, ErrHighS, ErrUncompressedKey,
		ErrBlockWriteLimit, ErrDuplicateTx,
		ErrMalformedQuery,
		ErrStampMissing, ErrStampTooWeak, ErrStampInvalid, ErrNotEndorsed,
		ErrEndorserInactive, ErrEndorserKey, ErrRateLimited, ErrExcessSignatures,
		ErrNoGovernance, ErrNotGovernance, ErrValidatorChangeLimit, ErrValidatorPowerChange,
		ErrValidatorSetTooSmall, ErrValidatorExists, ErrValidatorNotFound, ErrInvalidValidatorKey,
		ErrValidatorPossession, ErrValidatorPower,
		ErrInvalidUpgrade, ErrUpgradeTooSoon, ErrUpgradePending, ErrUpgradeNameUsed,
		ErrUpgradeNotScheduled,
	}
}

// ErrorByCode returns the registered error with the given code, or nil.
func ErrorByCode(code uint32) *Error {
	for _, e := range AllErrors() {
		if e.Code == code {
			return e
		}
	}
	return nil
}
