package ceremony

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/custos-ledger/custos/x/did/types"
)

// Governance is the app_state "governance" section: the keys and threshold
// of the governance DID that InitChain creates.
type Governance struct {
	Threshold uint32          `json:"threshold"`
	Keys      []GovernanceKey `json:"keys"`
}

// GovernanceKey is one governance key: a fragment id and an Ed25519
// Multikey.
type GovernanceKey struct {
	ID                 string `json:"id"`
	PublicKeyMultibase string `json:"public_key_multibase"`
}

const governanceField = "governance"

// Governance returns the genesis's governance section (zero: none) and
// checks its shape: Ed25519 keys, distinct keys and ids, a threshold from
// 1 to the number of keys.
func (g *Genesis) Governance() (Governance, error) {
	m, err := g.appState()
	if err != nil {
		return Governance{}, err
	}
	raw, ok := m[governanceField]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return Governance{}, nil
	}
	var gov Governance
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&gov); err != nil {
		return Governance{}, fmt.Errorf("genesis app_state.governance: %w", err)
	}
	if len(gov.Keys) == 0 && gov.Threshold == 0 {
		return gov, nil
	}
	ids, keys := map[string]bool{}, map[string]bool{}
	for _, k := range gov.Keys {
		pk, err := parseGovernanceKey(k.PublicKeyMultibase)
		if err != nil {
			return Governance{}, fmt.Errorf("genesis app_state.governance: key %q: %w", k.ID, err)
		}
		if err := checkFragment(k.ID); err != nil {
			return Governance{}, fmt.Errorf("genesis app_state.governance: %w", err)
		}
		if ids[k.ID] {
			return Governance{}, fmt.Errorf("genesis app_state.governance: key id %q appears twice", k.ID)
		}
		if keys[pk.Multibase()] {
			return Governance{}, fmt.Errorf("genesis app_state.governance: key %s appears twice", pk.Multibase())
		}
		ids[k.ID], keys[pk.Multibase()] = true, true
	}
	if gov.Threshold < 1 || int(gov.Threshold) > len(gov.Keys) {
		return Governance{}, fmt.Errorf("genesis app_state.governance: threshold %d with %d keys: it must be from 1 to the number of keys (custos genesis set-governance-threshold)", gov.Threshold, len(gov.Keys))
	}
	return gov, nil
}

// AddGovernanceKey adds an Ed25519 Multikey (z6Mk...) to the governance
// keys under id (default gov-N, N the number of keys after adding it) and
// returns the id. The first key sets the threshold to 1 if none is set.
func (g *Genesis) AddGovernanceKey(multibase, id string) (string, error) {
	pk, err := parseGovernanceKey(multibase)
	if err != nil {
		return "", err
	}
	gov, err := g.Governance()
	if err != nil {
		return "", err
	}
	if id == "" {
		for n := len(gov.Keys) + 1; ; n++ {
			id = "gov-" + strconv.Itoa(n)
			if !hasID(gov, id) {
				break
			}
		}
	}
	if err := checkFragment(id); err != nil {
		return "", err
	}
	for _, k := range gov.Keys {
		if k.ID == id {
			return "", fmt.Errorf("duplicate governance key id %q: choose another --id", id)
		}
		if other, _ := types.ParseMultikey(k.PublicKeyMultibase); other == pk {
			return "", fmt.Errorf("duplicate governance key: %s is already in the genesis as %q", pk.Multibase(), k.ID)
		}
	}
	gov.Keys = append(gov.Keys, GovernanceKey{ID: id, PublicKeyMultibase: pk.Multibase()})
	if gov.Threshold == 0 {
		gov.Threshold = 1
	}
	return id, g.setGovernance(gov)
}

// SetGovernanceThreshold sets how many governance keys must sign a
// governance operation: from 1 to the number of keys added.
func (g *Genesis) SetGovernanceThreshold(n uint32) error {
	gov, err := g.Governance()
	if err != nil {
		return err
	}
	if len(gov.Keys) == 0 {
		return fmt.Errorf("the genesis has no governance key: add them first (custos genesis add-governance-key)")
	}
	if n < 1 || int(n) > len(gov.Keys) {
		return fmt.Errorf("threshold %d: it must be from 1 to the number of governance keys (%d); add the keys first", n, len(gov.Keys))
	}
	gov.Threshold = n
	return g.setGovernance(gov)
}

func (g *Genesis) setGovernance(gov Governance) error {
	m, err := g.appState()
	if err != nil {
		return err
	}
	raw, err := json.Marshal(gov)
	if err != nil {
		return err
	}
	m[governanceField] = raw
	return g.setAppState(m)
}

func hasID(gov Governance, id string) bool {
	for _, k := range gov.Keys {
		if k.ID == id {
			return true
		}
	}
	return false
}

func parseGovernanceKey(s string) (types.PublicKey, error) {
	pk, err := types.ParseMultikey(s)
	if err != nil {
		return types.PublicKey{}, fmt.Errorf("governance key %q: %w (want an Ed25519 Multikey, z6Mk..., e.g. from custos keys show)", s, err)
	}
	if !pk.Type().CanSign() {
		return types.PublicKey{}, fmt.Errorf("governance key %s is a %s key: a governance key must sign", pk.Multibase(), pk.Type())
	}
	return pk, nil
}

// checkFragment accepts the key ids a DID document accepts as fragments.
func checkFragment(id string) error {
	if err := types.ValidateFragment(id); err != nil {
		return fmt.Errorf("governance key id %q: use 1 to 64 letters, digits, '-', '.', '_' or '~' (e.g. gov-1)", id)
	}
	return nil
}
