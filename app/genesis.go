package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/custos-ledger/custos/x/did/types"
)

// GenesisState is the app_state of a Custos genesis file.
type GenesisState struct {
	Params GenesisParams `json:"params"`
	// Governance names the keys of the network's governance DID, which
	// InitChain creates (docs/network.md); nil or no keys: a network
	// without governance, whose validator set never changes.
	Governance *GenesisGovernance `json:"governance,omitempty"`
}

// GenesisGovernance is app_state.governance: the governance DID's
// capabilityInvocation (and authentication) keys and its threshold.
type GenesisGovernance struct {
	Threshold uint32          `json:"threshold"`
	Keys      []GovernanceKey `json:"keys"`
}

// GovernanceKey is one key of the governance DID: its fragment and its
// publicKeyMultibase.
type GovernanceKey struct {
	ID                 string `json:"id"`
	PublicKeyMultibase string `json:"public_key_multibase"`
}

// Enabled reports whether g names a governance DID.
func (g *GenesisGovernance) Enabled() bool { return g != nil && (len(g.Keys) > 0 || g.Threshold != 0) }

// Document returns the governance DID's inception document (its id empty):
// every key a verification method listed under authentication and
// capabilityInvocation, with g's threshold. The document rules
// (types.ValidateDocument) are checked at InitChain and by
// ParseGenesisState.
func (g *GenesisGovernance) Document() (types.Document, error) {
	var doc types.Document
	for i, k := range g.Keys {
		pk, err := types.ParseMultikey(k.PublicKeyMultibase)
		if err != nil {
			return types.Document{}, fmt.Errorf("governance: key %d (%q): %s", i, types.Truncate(k.ID), types.Detail(err))
		}
		doc.VerificationMethods = append(doc.VerificationMethods, types.VerificationMethod{Id: k.ID, PublicKey: pk.Multicodec()})
		doc.Authentication = append(doc.Authentication, k.ID)
		doc.CapabilityInvocation = append(doc.CapabilityInvocation, k.ID)
	}
	doc.Threshold = g.Threshold
	return doc, nil
}

// GenesisParams is the JSON form of types.Params.
type GenesisParams struct {
	MaxVerificationMethods  uint32 `json:"max_verification_methods"`
	MaxServices             uint32 `json:"max_services"`
	MaxServiceEndpointBytes uint32 `json:"max_service_endpoint_bytes"`
	MaxTxBytes              uint32 `json:"max_tx_bytes"`
	MaxGuardians            uint32 `json:"max_guardians"`
	MaxMemoBytes            uint32 `json:"max_memo_bytes"`
	MaxSignatures           uint32 `json:"max_signatures"`
	// RecoveryMinDelay and RecoveryExpiry are Go durations ("24h", "168h").
	RecoveryMinDelay string `json:"recovery_min_delay"`
	RecoveryExpiry   string `json:"recovery_expiry"`
	// KeyPeriodsKept and FormerKeyRecordsKept bound the key records a
	// DID's head keeps (docs/state.md, "Head size").
	KeyPeriodsKept       uint32 `json:"key_periods_kept"`
	FormerKeyRecordsKept uint32 `json:"former_key_records_kept"`
	// MinValidators is the smallest validator set a removal may leave.
	MinValidators uint32 `json:"min_validators"`
	// The write policy (docs/write-policy.md): "open" (or empty) or
	// "endorsed"; the stamp's leading zero bits (0: no stamp); the
	// endorser DIDs; the per-DID rate limits.
	WritePolicy     string             `json:"write_policy"`
	StampDifficulty uint32             `json:"stamp_difficulty"`
	Endorsers       []string           `json:"endorsers"`
	RateLimits      []GenesisRateLimit `json:"rate_limits"`
}

// GenesisRateLimit is the JSON form of types.RateLimit: at most max_ops
// counted operations on one DID per period (a Go duration, "1h").
type GenesisRateLimit struct {
	Period string `json:"period"`
	MaxOps uint32 `json:"max_ops"`
}

// Write policy names in genesis.
const (
	PolicyOpen     = "open"
	PolicyEndorsed = "endorsed"
)

// GenesisRateLimits is the JSON form of limits.
func GenesisRateLimits(limits []types.RateLimit) []GenesisRateLimit {
	out := make([]GenesisRateLimit, len(limits))
	for i, l := range limits {
		out[i] = GenesisRateLimit{Period: (time.Duration(l.Period) * time.Second).String(), MaxOps: l.MaxOps}
	}
	return out
}

// ParseRateLimits parses rate limits written as MAX/PERIOD, comma
// separated ("10/1h,30/24h,100/168h"); "" and "none" mean no limits.
func ParseRateLimits(s string) ([]GenesisRateLimit, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "none" {
		return []GenesisRateLimit{}, nil
	}
	var out []GenesisRateLimit
	for _, part := range strings.Split(s, ",") {
		n, period, ok := strings.Cut(strings.TrimSpace(part), "/")
		max, err := strconv.ParseUint(n, 10, 32)
		if !ok || err != nil {
			return nil, fmt.Errorf("rate limit %q: write MAX/PERIOD, e.g. 10/1h", part)
		}
		secs, err := seconds("rate limit period", period)
		if err != nil {
			return nil, err
		}
		out = append(out, GenesisRateLimit{Period: (time.Duration(secs) * time.Second).String(), MaxOps: uint32(max)})
	}
	return out, nil
}

// DefaultGenesisState returns the app_state of a new chain.
func DefaultGenesisState() GenesisState {
	p := types.DefaultParams()
	return GenesisState{Params: GenesisParams{
		MaxVerificationMethods:  p.MaxVerificationMethods,
		MaxServices:             p.MaxServices,
		MaxServiceEndpointBytes: p.MaxServiceEndpointBytes,
		MaxTxBytes:              p.MaxTxBytes,
		MaxGuardians:            p.MaxGuardians,
		MaxMemoBytes:            p.MaxMemoBytes,
		MaxSignatures:           p.MaxSignatures,
		RecoveryMinDelay:        (time.Duration(p.RecoveryMinDelay) * time.Second).String(),
		RecoveryExpiry:          (time.Duration(p.RecoveryExpiry) * time.Second).String(),
		KeyPeriodsKept:          p.KeyPeriodsKept,
		FormerKeyRecordsKept:    p.FormerKeyRecordsKept,
		MinValidators:           p.MinValidators,
		WritePolicy:             PolicyOpen,
		StampDifficulty:         p.StampDifficulty,
		Endorsers:               []string{},
		RateLimits:              GenesisRateLimits(p.RateLimits),
	}}
}

// NetworkGenesisState is the app_state `custos init` and `custos testnet
// init` write without flags: DefaultGenesisState with the network's write
// policy defaults, a stamp of types.DefaultStampDifficulty bits and
// types.DefaultRateLimits (docs/write-policy.md).
func NetworkGenesisState() GenesisState {
	g := DefaultGenesisState()
	g.Params.StampDifficulty = types.DefaultStampDifficulty
	g.Params.RateLimits = GenesisRateLimits(types.DefaultRateLimits())
	return g
}

// ToParams converts the JSON form into consensus params and validates them.
func (g GenesisState) ToParams() (types.Params, error) {
	minDelay, err := seconds("recovery_min_delay", g.Params.RecoveryMinDelay)
	if err != nil {
		return types.Params{}, err
	}
	expiry, err := seconds("recovery_expiry", g.Params.RecoveryExpiry)
	if err != nil {
		return types.Params{}, err
	}
	policy := types.WRITE_POLICY_OPEN
	switch g.Params.WritePolicy {
	case "", PolicyOpen:
	case PolicyEndorsed:
		policy = types.WRITE_POLICY_ENDORSED
	default:
		return types.Params{}, fmt.Errorf("params: write_policy %q: use %q or %q", g.Params.WritePolicy, PolicyOpen, PolicyEndorsed)
	}
	limits := make([]types.RateLimit, len(g.Params.RateLimits))
	for i, l := range g.Params.RateLimits {
		period, err := seconds("rate_limits period", l.Period)
		if err != nil {
			return types.Params{}, err
		}
		limits[i] = types.RateLimit{Period: period, MaxOps: l.MaxOps}
	}
	p := types.Params{
		WritePolicy:             policy,
		StampDifficulty:         g.Params.StampDifficulty,
		Endorsers:               g.Params.Endorsers,
		RateLimits:              limits,
		RecoveryMinDelay:        minDelay,
		RecoveryExpiry:          expiry,
		MaxVerificationMethods:  g.Params.MaxVerificationMethods,
		MaxServices:             g.Params.MaxServices,
		MaxServiceEndpointBytes: g.Params.MaxServiceEndpointBytes,
		MaxTxBytes:              g.Params.MaxTxBytes,
		MaxGuardians:            g.Params.MaxGuardians,
		MaxMemoBytes:            g.Params.MaxMemoBytes,
		MaxSignatures:           g.Params.MaxSignatures,
		KeyPeriodsKept:          g.Params.KeyPeriodsKept,
		FormerKeyRecordsKept:    g.Params.FormerKeyRecordsKept,
		MinValidators:           g.Params.MinValidators,
	}
	return p, types.ValidateParams(p)
}

// ParseGenesisState decodes app_state strictly: unknown fields and data
// after the object are an error.
// An empty app_state means the defaults.
func ParseGenesisState(raw []byte) (GenesisState, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return DefaultGenesisState(), nil
	}
	var g GenesisState
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return GenesisState{}, fmt.Errorf("genesis app_state: %w", err)
	}
	if dec.More() {
		return GenesisState{}, errors.New("genesis app_state: data after the JSON object")
	}
	p, err := g.ToParams()
	if err != nil {
		return GenesisState{}, fmt.Errorf("genesis app_state: %w", err)
	}
	if g.Governance.Enabled() {
		doc, err := g.Governance.Document()
		if err == nil {
			_, err = types.ValidateDocument(&doc, p)
		}
		if err != nil {
			return GenesisState{}, fmt.Errorf("genesis app_state: governance: %s", types.Detail(err))
		}
	}
	return g, nil
}

// seconds parses a whole-second Go duration.
func seconds(name, v string) (int64, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("params: %s: %q is not a duration like 24h or 90m", name, v)
	}
	if d%time.Second != 0 {
		return 0, fmt.Errorf("params: %s: %q must be whole seconds", name, v)
	}
	return int64(d / time.Second), nil
}
