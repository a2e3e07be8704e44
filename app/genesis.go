package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/custos-ledger/custos/x/did/types"
)

// GenesisState is the app_state of a Custos genesis file.
type GenesisState struct {
	Params GenesisParams `json:"params"`
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
	}}
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
	p := types.Params{
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
	if _, err := g.ToParams(); err != nil {
		return GenesisState{}, fmt.Errorf("genesis app_state: %w", err)
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
