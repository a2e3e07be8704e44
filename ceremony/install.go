package ceremony

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/custos-ledger/custos/node"
)

// InstallOptions describe a genesis installation into a home.
type InstallOptions struct {
	// Genesis is the path of the genesis file the coordinator sent.
	Genesis string
	// ChainID is the chain id the operator expects; empty means the chain
	// id of the home's current genesis (custos init --chain-id).
	ChainID string
	// FullNode installs into a home whose consensus key is not a genesis
	// validator (a full node, or a validator governance adds later).
	FullNode bool
}

// InstallResult describes an installed genesis.
type InstallResult struct {
	Home    string `json:"home"`
	ChainID string `json:"chain_id"`
	// SHA256 is the genesis file's fingerprint (Hash), to compare with the
	// coordinator's and the other operators'.
	SHA256     string `json:"sha256"`
	Validators int    `json:"validators"`
	// Validator is this home's validator moniker in the genesis, empty for
	// a full node.
	Validator string `json:"validator,omitempty"`
	// GovernanceKeys and GovernanceThreshold describe the governance the
	// genesis names (0 keys: none).
	GovernanceKeys      int    `json:"governance_keys"`
	GovernanceThreshold uint32 `json:"governance_threshold"`
}

// Install checks a genesis against the home cfg describes and copies it,
// byte for byte, to the home's config/genesis.json: it must validate
// (Validate), have the expected chain id, list the home's consensus key
// among its validators (unless FullNode), and the home must hold no chain
// data yet.
func Install(cfg *cmtcfg.Config, opts InstallOptions) (InstallResult, error) {
	g, raw, err := Read(opts.Genesis)
	if err != nil {
		return InstallResult{}, err
	}
	if err := g.Validate(); err != nil {
		return InstallResult{}, fmt.Errorf("%s: %w", opts.Genesis, err)
	}
	want := opts.ChainID
	if want == "" {
		own, err := cmttypes.GenesisDocFromFile(cfg.GenesisFile())
		if err != nil {
			return InstallResult{}, fmt.Errorf("cannot read the home's genesis to learn the expected chain id (%w): give --chain-id", err)
		}
		want = own.ChainID
	}
	if g.Doc.ChainID != want {
		return InstallResult{}, fmt.Errorf("the genesis is for chain %q, this home expects %q: check that the coordinator sent the right file, or give --chain-id %s",
			g.Doc.ChainID, want, g.Doc.ChainID)
	}
	if p, ok := node.ChainData(cfg); ok {
		return InstallResult{}, fmt.Errorf("home %s already holds chain data (%s) of another genesis: installing a genesis needs a home that never ran; make a new one with custos init",
			cfg.RootDir, p)
	}
	priv, err := loadConsensusKey(cfg.PrivValidatorKeyFile())
	if err != nil {
		return InstallResult{}, err
	}
	pub := priv.Public().(ed25519.PublicKey)
	res := InstallResult{Home: cfg.RootDir, ChainID: g.Doc.ChainID, SHA256: Hash(raw), Validators: len(g.Doc.Validators)}
	for _, v := range g.Doc.Validators {
		if bytes.Equal(v.PubKey.Bytes(), pub) {
			res.Validator = v.Name
		}
	}
	if res.Validator == "" && !opts.FullNode {
		return InstallResult{}, errors.New("this home's consensus key is not a validator of the genesis: send the coordinator this home's custos validator-info, or pass --full-node to run it as a full node")
	}
	gov, err := g.Governance()
	if err != nil {
		return InstallResult{}, err
	}
	res.GovernanceKeys, res.GovernanceThreshold = len(gov.Keys), gov.Threshold
	if err := os.MkdirAll(filepath.Dir(cfg.GenesisFile()), 0o700); err != nil {
		return InstallResult{}, fmt.Errorf("cannot write the genesis: %w", err)
	}
	if err := writeAtomic(cfg.GenesisFile(), raw, 0o644); err != nil {
		return InstallResult{}, err
	}
	return res, nil
}
