package didjson

import (
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/custos-ledger/custos/x/did/types"
)

// Event is one entry of a DID's key event log.
type Event struct {
	Sequence         uint64   `json:"sequence"`
	Operation        string   `json:"operation"`
	VersionID        string   `json:"versionId"`
	Height           int64    `json:"height"`
	Time             string   `json:"time"`
	TxHash           string   `json:"txHash"`
	KeysAdded        []string `json:"keysAdded,omitempty"`
	KeysRemoved      []string `json:"keysRemoved,omitempty"`
	KeysRotated      []string `json:"keysRotated,omitempty"`
	KeysCompromised  []string `json:"keysCompromised,omitempty"`
	Reason           string   `json:"reason,omitempty"`
	CompromisedSince string   `json:"compromisedSince,omitempty"`
	Services         bool     `json:"servicesChanged,omitempty"`
	Relationships    bool     `json:"relationshipsChanged,omitempty"`
	Threshold        uint32   `json:"threshold,omitempty"`
	Memo             string   `json:"memo,omitempty"`
	RecoveryID       uint64   `json:"recoveryId,omitempty"`
	Guardian         string   `json:"guardian,omitempty"`
	NextKeys         bool     `json:"nextKeysCommitted,omitempty"`
	Effective        string   `json:"effective,omitempty"`
	Guardians        []string `json:"guardians,omitempty"`
	GuardianQuorum   uint32   `json:"guardianThreshold,omitempty"`
	Delay            string   `json:"delay,omitempty"`
	Detail           string   `json:"detail,omitempty"`
	// Validator is the change a validator operation made to the
	// validator set (the governance DID's history only).
	Validator *ValidatorChange `json:"validator,omitempty"`
	// Upgrade is the plan an upgrade operation scheduled or cancelled
	// (the governance DID's history only).
	Upgrade *UpgradePlan `json:"upgrade,omitempty"`
	// WritePolicy is the write policy a setWritePolicy operation set, in
	// force from the next block (the governance DID's history only).
	WritePolicy *WritePolicy `json:"writePolicy,omitempty"`
}

// WritePolicy renders the write-policy fields of types.Params.
type WritePolicy struct {
	Policy          string      `json:"policy"`
	StampDifficulty uint32      `json:"stampDifficulty"`
	Endorsers       []string    `json:"endorsers,omitempty"`
	RateLimits      []RateLimit `json:"rateLimits,omitempty"`
}

// RateLimit renders types.RateLimit.
type RateLimit struct {
	PeriodSeconds int64  `json:"periodSeconds"`
	MaxOps        uint32 `json:"maxOps"`
}

// UpgradePlan renders types.UpgradePlan.
type UpgradePlan struct {
	Name        string `json:"name"`
	Height      int64  `json:"height"`
	ScheduledAt int64  `json:"scheduledAt"`
}

// ValidatorChange renders types.ValidatorChange: the consensus key in
// base64 (as CometBFT's genesis and RPC write it); power 0 is a removal,
// oldPower 0 an addition.
type ValidatorChange struct {
	PublicKey string `json:"publicKey"`
	Power     int64  `json:"power"`
	OldPower  int64  `json:"oldPower"`
	Moniker   string `json:"moniker,omitempty"`
}

// OperationName is the name an event kind renders as.
func OperationName(k types.EventKind) string {
	switch k {
	case types.EVENT_KIND_CREATED:
		return "create"
	case types.EVENT_KIND_UPDATED:
		return "update"
	case types.EVENT_KIND_KEY_ROTATED:
		return "rotateKey"
	case types.EVENT_KIND_KEY_REVOKED:
		return "revokeKey"
	case types.EVENT_KIND_DEACTIVATED:
		return "deactivate"
	case types.EVENT_KIND_GUARDIANS_SET:
		return "setGuardians"
	case types.EVENT_KIND_GUARDIANS_CHANGED:
		return "guardiansChanged"
	case types.EVENT_KIND_RECOVERY_INITIATED:
		return "recoveryInitiated"
	case types.EVENT_KIND_RECOVERY_APPROVED:
		return "recoveryApproved"
	case types.EVENT_KIND_RECOVERY_CANCEL_VOTED:
		return "recoveryCancelVoted"
	case types.EVENT_KIND_RECOVERY_CANCELLED:
		return "recoveryCancelled"
	case types.EVENT_KIND_RECOVERY_EXPIRED:
		return "recoveryExpired"
	case types.EVENT_KIND_RECOVERY_EXECUTED:
		return "recoveryExecuted"
	case types.EVENT_KIND_GUARDIAN_CHANGE_CANCELLED:
		return "guardianChangeCancelled"
	case types.EVENT_KIND_VALIDATOR_ADDED:
		return "addValidator"
	case types.EVENT_KIND_VALIDATOR_POWER_SET:
		return "setValidatorPower"
	case types.EVENT_KIND_VALIDATOR_REMOVED:
		return "removeValidator"
	case types.EVENT_KIND_UPGRADE_SCHEDULED:
		return "scheduleUpgrade"
	case types.EVENT_KIND_UPGRADE_CANCELLED:
		return "cancelUpgrade"
	case types.EVENT_KIND_WRITE_POLICY_SET:
		return "setWritePolicy"
	}
	return "unknown"
}

// RenderEvent renders a history entry of the DID id; key fragments become
// absolute DID URLs.
func RenderEvent(id types.ID, e *types.HistoryEntry) Event {
	refs := func(fs []string) []string {
		if len(fs) == 0 {
			return nil
		}
		out := make([]string, len(fs))
		for i, f := range fs {
			out[i] = id.String() + "#" + f
		}
		return out
	}
	ev := Event{
		Sequence: e.Seq, Operation: OperationName(e.Kind), VersionID: strconv.FormatUint(e.Version, 10),
		Height: e.Height, Time: FormatTime(e.Time), TxHash: strings.ToUpper(hex.EncodeToString(e.TxHash)),
		KeysAdded: refs(e.KeysAdded), KeysRemoved: refs(e.KeysRemoved), KeysRotated: refs(e.KeysRotated),
		KeysCompromised: refs(e.KeysCompromised),
		Services:        e.ServicesChanged, Relationships: e.RelationshipsChanged, Threshold: e.Threshold, Memo: e.Memo,
	}
	switch e.Reason {
	case types.REVOCATION_REASON_RETIRED:
		ev.Reason = "retired"
	case types.REVOCATION_REASON_COMPROMISED:
		ev.Reason = "compromised"
	}
	if e.CompromisedSince != 0 {
		ev.CompromisedSince = FormatTime(e.CompromisedSince)
	}
	ev.RecoveryID, ev.Guardian, ev.NextKeys = e.RecoveryId, e.Guardian, e.NextKeysCommitted
	ev.Guardians, ev.GuardianQuorum, ev.Detail = e.Guardians, e.GuardianThreshold, e.Detail
	if e.Effective != 0 {
		ev.Effective = FormatTime(e.Effective)
	}
	if e.Delay != 0 {
		ev.Delay = (time.Duration(e.Delay) * time.Second).String()
	}
	if u := e.Upgrade; u != nil {
		ev.Upgrade = &UpgradePlan{Name: u.Name, Height: u.Height, ScheduledAt: u.ScheduledAt}
	}
	if p := e.Params; p != nil {
		w := &WritePolicy{Policy: "open", StampDifficulty: p.StampDifficulty, Endorsers: p.Endorsers}
		if p.WritePolicy == types.WRITE_POLICY_ENDORSED {
			w.Policy = "endorsed"
		}
		for _, l := range p.RateLimits {
			w.RateLimits = append(w.RateLimits, RateLimit{PeriodSeconds: l.Period, MaxOps: l.MaxOps})
		}
		ev.WritePolicy = w
	}
	if v := e.Validator; v != nil {
		ev.Validator = &ValidatorChange{PublicKey: base64.StdEncoding.EncodeToString(v.PubKey), Power: v.Power, OldPower: v.OldPower, Moniker: v.Moniker}
	}
	return ev
}
