package types

import "fmt"

// maxDuration bounds durations in params and ops (seconds): ten years.
const maxDuration = 10 * 366 * 24 * 60 * 60

// DefaultMinValidators is the smallest validator set a removal may leave,
// unless the genesis sets min_validators: with 4 validators of equal power,
// one may fail and the rest still make blocks.
const DefaultMinValidators = 4

// MaxValidators bounds the validator set (and min_validators).
const MaxValidators = 10000

// MaxTotalVotingPower is the most voting power the validator set may hold
// together: CometBFT's types.MaxTotalVotingPower (int64 max / 8), which it
// refuses to exceed by halting (the app test checks the two agree).
const MaxTotalVotingPower = int64(^uint64(0)>>1) / 8

// MaxMonikerBytes bounds a validator's moniker.
const MaxMonikerBytes = 64

// MaxDelay is the longest guardian delay, in seconds.
const MaxDelay = maxDuration

// DefaultStampDifficulty is the stamp difficulty `custos init` and
// `custos testnet init` write: 2^24 hashes on average, about two seconds
// of one core (docs/write-policy.md has the measured figure).
const DefaultStampDifficulty = 24

// MaxEndorsers and MaxRateLimits bound the write policy's lists.
const (
	MaxEndorsers  = 64
	MaxRateLimits = 8
)

// DefaultRateLimits are the per-DID rate limits `custos init` and `custos
// testnet init` write: 10 counted operations an hour, 30 a day, 100 a week.
func DefaultRateLimits() []RateLimit {
	return []RateLimit{
		{Period: 60 * 60, MaxOps: 10},
		{Period: 24 * 60 * 60, MaxOps: 30},
		{Period: 7 * 24 * 60 * 60, MaxOps: 100},
	}
}

// DefaultParams returns the consensus limits a chain built in code starts
// with: an open write policy with no stamp and no rate limits, so that
// programs and tests can write freely. The network defaults (a stamp of
// DefaultStampDifficulty bits, DefaultRateLimits) are what `custos init`
// and `custos testnet init` write into a genesis file.
func DefaultParams() Params {
	return Params{
		MaxVerificationMethods:  32,
		MaxServices:             20,
		MaxServiceEndpointBytes: 1024,
		MaxTxBytes:              16 * 1024,
		MaxGuardians:            16,
		MaxMemoBytes:            256,
		MaxSignatures:           32,
		RecoveryMinDelay:        24 * 60 * 60,
		RecoveryExpiry:          7 * 24 * 60 * 60,
		KeyPeriodsKept:          4,
		FormerKeyRecordsKept:    16,
		MinValidators:           DefaultMinValidators,
	}
}

// ValidateParams reports the first limit that is unusable.
func ValidateParams(p Params) error {
	switch {
	case p.MaxVerificationMethods == 0 || p.MaxVerificationMethods > 1024:
		return fmt.Errorf("params: max_verification_methods must be in [1, 1024], got %d", p.MaxVerificationMethods)
	case p.MaxServices > 1024:
		return fmt.Errorf("params: max_services must be at most 1024, got %d", p.MaxServices)
	case p.MaxServiceEndpointBytes == 0 || p.MaxServiceEndpointBytes > 64*1024:
		return fmt.Errorf("params: max_service_endpoint_bytes must be in [1, 65536], got %d", p.MaxServiceEndpointBytes)
	case p.MaxTxBytes < 1024 || p.MaxTxBytes > 1024*1024:
		return fmt.Errorf("params: max_tx_bytes must be in [1024, 1048576], got %d", p.MaxTxBytes)
	case p.MaxGuardians > 256:
		return fmt.Errorf("params: max_guardians must be at most 256, got %d", p.MaxGuardians)
	case p.MaxMemoBytes > 4096:
		return fmt.Errorf("params: max_memo_bytes must be at most 4096, got %d", p.MaxMemoBytes)
	case p.MaxSignatures == 0 || p.MaxSignatures > 256:
		return fmt.Errorf("params: max_signatures must be in [1, 256], got %d", p.MaxSignatures)
	case p.RecoveryMinDelay < 1 || p.RecoveryMinDelay > maxDuration:
		return fmt.Errorf("params: recovery_min_delay must be between 1s and 10 years, got %ds", p.RecoveryMinDelay)
	case p.RecoveryExpiry < 1 || p.RecoveryExpiry > maxDuration:
		return fmt.Errorf("params: recovery_expiry must be between 1s and 10 years, got %ds", p.RecoveryExpiry)
	case p.KeyPeriodsKept == 0 || p.KeyPeriodsKept > 64:
		return fmt.Errorf("params: key_periods_kept must be in [1, 64], got %d", p.KeyPeriodsKept)
	case p.FormerKeyRecordsKept > 1024:
		return fmt.Errorf("params: former_key_records_kept must be at most 1024, got %d", p.FormerKeyRecordsKept)
	case p.MinValidators == 0 || p.MinValidators > MaxValidators:
		return fmt.Errorf("params: min_validators must be in [1, %d], got %d", MaxValidators, p.MinValidators)
	}
	return validateWritePolicy(p)
}

// validateWritePolicy checks the write policy's params: a known policy,
// endorsers (valid, distinct DIDs) exactly under WRITE_POLICY_ENDORSED, a
// stamp difficulty of at most MaxStampDifficulty, and rate limits with
// distinct periods of 1s to 10 years and at least one op each.
func validateWritePolicy(p Params) error {
	switch p.WritePolicy {
	case WRITE_POLICY_OPEN:
		if len(p.Endorsers) > 0 {
			return fmt.Errorf("params: endorsers are listed but write_policy is open: use write_policy endorsed, or list none")
		}
	case WRITE_POLICY_ENDORSED:
		if len(p.Endorsers) == 0 {
			return fmt.Errorf("params: write_policy endorsed needs at least one endorser DID")
		}
	default:
		return fmt.Errorf("params: unknown write_policy %d", p.WritePolicy)
	}
	if len(p.Endorsers) > MaxEndorsers {
		return fmt.Errorf("params: %d endorsers, at most %d", len(p.Endorsers), MaxEndorsers)
	}
	seen := map[ID]bool{}
	for _, e := range p.Endorsers {
		id, err := ParseID(e)
		if err != nil || id.String() != e {
			return fmt.Errorf("params: endorser %q is not a did:custos DID", Truncate(e))
		}
		if seen[id] {
			return fmt.Errorf("params: endorser %s is listed twice", e)
		}
		seen[id] = true
	}
	if p.StampDifficulty > MaxStampDifficulty {
		return fmt.Errorf("params: stamp_difficulty must be at most %d bits, got %d", MaxStampDifficulty, p.StampDifficulty)
	}
	if len(p.RateLimits) > MaxRateLimits {
		return fmt.Errorf("params: %d rate limits, at most %d", len(p.RateLimits), MaxRateLimits)
	}
	periods := map[int64]bool{}
	for _, l := range p.RateLimits {
		if l.Period < 1 || l.Period > maxDuration || l.MaxOps == 0 {
			return fmt.Errorf("params: rate limit %d ops per %ds: the period must be between 1s and 10 years and allow at least 1 op", l.MaxOps, l.Period)
		}
		if periods[l.Period] {
			return fmt.Errorf("params: two rate limits have the period %ds", l.Period)
		}
		periods[l.Period] = true
	}
	return nil
}

// MaxHeadBytes bounds the encoded size of any DID's head under p
// (docs/state.md, "Head size"). Every field at its widest varint: the
// fixed fields (version, deactivated, created, updated, events, 32-byte log,
// last_archive) take at most 91 bytes; a key period at most 95 (a 34-byte
// multicodec key, status, four 10-byte varints of versions and times and
// compromised_since, with their tags and length); a fragment's record at
// most 74 + 95 * key_periods_kept (a 64-byte fragment, tags, lengths). The
// head holds records for at most max_verification_methods listed fragments
// and former_key_records_kept former ones.
//
// The rate-limit windows add at most 35 bytes each (period, start and
// count at their widest, with tags and length): two per rate limit, one
// ordinary (rate) and one for reveals (reveal_rate).
func MaxHeadBytes(p Params) int {
	const fixed, perPeriod, perRecord, perWindow = 91, 95, 74, 35
	records := int(p.MaxVerificationMethods) + int(p.FormerKeyRecordsKept)
	return fixed + records*(perRecord+perPeriod*int(p.KeyPeriodsKept)) + 2*perWindow*len(p.RateLimits)
}
