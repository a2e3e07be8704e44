package app

import (
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// initNetwork records at InitChain the genesis validator set (from
// CometBFT's genesis validators, with the monikers Config.GenesisMonikers
// names) and creates the governance DID that app_state.governance names.
func (a *App) initNetwork(k *keeper.Keeper, req *abci.RequestInitChain, g GenesisState) error {
	st := a.db.Pending()
	vals := make([]types.Validator, 0, len(req.Validators))
	for i, v := range req.Validators {
		pk := v.PubKey.GetEd25519()
		if len(pk) != ed25519.PubKeySize {
			return fmt.Errorf("app: genesis validator %d: only Ed25519 consensus keys are accepted (%s)", i, v.PubKey.String())
		}
		vals = append(vals, types.Validator{PubKey: pk, Power: v.Power, Moniker: a.cfg.GenesisMonikers[string(pk)]})
	}
	height := req.InitialHeight
	if height < 1 {
		height = 1
	}
	// CometBFT always sends the genesis validators; a bare InitChain
	// (tests) records no set, and every validator change is refused.
	if len(vals) > 0 {
		if err := keeper.InitValidators(st, height, vals); err != nil {
			return fmt.Errorf("app: genesis validators: %w", err)
		}
	}
	if !g.Governance.Enabled() {
		return nil
	}
	doc, err := g.Governance.Document()
	if err != nil {
		return fmt.Errorf("app: genesis app_state: %w", err)
	}
	// The governance DID is created in the genesis state: at height 0,
	// the genesis time.
	id, err := k.InitGovernance(st, keeper.Block{ChainID: req.ChainId, Height: height - 1, Time: req.Time.Unix()}, doc)
	if err != nil {
		return fmt.Errorf("app: genesis governance: %w", err)
	}
	a.cfg.Logger.Info("governance DID", "did", id.String(), "threshold", doc.Threshold, "keys", len(doc.CapabilityInvocation))
	return nil
}

// validatorUpdate returns the validator update a tx's outcome asks
// CometBFT for, if any (power 0 removes the validator).
func validatorUpdate(out keeper.Outcome) (abci.ValidatorUpdate, bool) {
	v := out.Event.Validator
	if v == nil {
		return abci.ValidatorUpdate{}, false
	}
	return abci.Ed25519ValidatorUpdate(v.PubKey, v.Power), true
}

// queryValidators answers /network/validators: the governance DID, the
// validator set and the genesis minimum, as of r's height.
func (a *App) queryValidators(r keeper.Reader) ([]byte, error) {
	var resp types.QueryValidatorsResponse
	gov, ok, err := keeper.GovernanceDID(r)
	if err != nil {
		return nil, err
	}
	if ok {
		resp.Governance = gov.String()
	}
	set, vals, err := keeper.Validators(r)
	if err != nil {
		return nil, err
	}
	resp.Set, resp.Validators = *set, vals
	if k := a.keeper(); k != nil {
		resp.MinValidators = k.Params().MinValidators
	}
	return resp.Marshal()
}
