package app

import (
	"bytes"
	"encoding/json"
	"fmt"

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
	}}
}

// ToParams converts the JSON form into consensus params and validates them.
func (g GenesisState) ToParams() (types.Params, error) {
	p := types.Params{
		MaxVerificationMethods:  g.Params.MaxVerificationMethods,
		MaxServices:             g.Params.MaxServices,
		MaxServiceEndpointBytes: g.Params.MaxServiceEndpointBytes,
		MaxTxBytes:              g.Params.MaxTxBytes,
		MaxGuardians:            g.Params.MaxGuardians,
		MaxMemoBytes:            g.Params.MaxMemoBytes,
		MaxSignatures:           g.Params.MaxSignatures,
	}
	return p, types.ValidateParams(p)
}

// ParseGenesisState decodes app_state strictly: unknown fields are an error.
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
	if _, err := g.ToParams(); err != nil {
		return GenesisState{}, fmt.Errorf("genesis app_state: %w", err)
	}
	return g, nil
}
