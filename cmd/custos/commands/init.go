package commands

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/node"
	"github.com/custos-ledger/custos/x/did/types"
)

func newInitCmd(opts *options) *cobra.Command {
	var chainID, moniker string
	var overwrite bool
	var params *paramFlags
	var govKey string
	kf := &keyringFlags{}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a home for a new single-validator chain",
		Long: `Init writes a home ready to start: config/config.toml (RPC on
127.0.0.1:26657, P2P on 127.0.0.1:26656, 1s blocks), config/genesis.json with
this node as the only validator, the validator and node keys, and
data/priv_validator_state.json.

Init refuses a home that already has a genesis file unless --overwrite is
given; --overwrite keeps the keys and never reuses a home with chain data.

--governance-key NAME makes the genesis name a governance DID (docs/network.md)
whose one key is NAME in the home's keyring (created if missing; with
--keyring-backend): custos validators add|set-power|remove then sign with
--signer NAME. Without it the chain has no governance and its validator set
never changes. A network of several operators names its governance keys with
custos genesis add-governance-key (docs/operators.md).


The genesis write policy (docs/write-policy.md): by default anyone may create
a DID with a proof-of-work stamp of --stamp-difficulty bits (about two
seconds of one core), and each DID may change at most 10 times an hour, 30 a
day, 100 a week (--rate-limit). --write-policy endorsed admits only creates
co-signed by an endorser: list existing endorser DIDs with --endorser, or
the endorser's key with --endorser-key (its DID is created after start with
custos did create --key NAME, without an endorsement).`,
		Example: `  custos init
  custos init --chain-id custos-dev --moniker alice --home ./alice
  custos init --overwrite --output json
  custos init --recovery-min-delay 24h --recovery-expiry 168h
  custos init --governance-key governance --keyring-backend test
  custos init --stamp-difficulty 0 --rate-limit none
  custos init --write-policy endorsed --endorser-key z6Mk...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if chainID == "" {
				return fmt.Errorf("empty --chain-id: give one, e.g. --chain-id %s", node.DefaultChainID)
			}
			if err := params.forChain(chainID); err != nil {
				return err
			}
			gov, err := initGovernance(cmd, kf, opts.home, govKey)
			if err != nil {
				return err
			}
			res, err := node.InitHome(node.InitOptions{
				Home:      opts.home,
				ChainID:   chainID,
				Moniker:   moniker,
				Overwrite: overwrite,
				AppState: func(g *app.GenesisState) {
					params.apply(g)
					g.Governance = gov
				},
			})
			if err != nil {
				return err
			}
			text := fmt.Sprintf("initialized %s\nchain id: %s\nnode id:  %s\nmoniker:  %s\nstart it with: custos start --home %s\n",
				res.Home, res.ChainID, res.NodeID, res.Moniker, res.Home)
			return opts.print(cmd.OutOrStdout(), res, text)
		},
	}
	cmd.Flags().StringVar(&chainID, "chain-id", node.DefaultChainID, "chain id written into the genesis file")
	cmd.Flags().StringVar(&moniker, "moniker", "", "human-readable node name (default: the host name)")
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "replace the config and genesis of an initialized home (keys are kept)")
	params = addParamFlags(cmd.Flags())
	cmd.Flags().StringVar(&govKey, "governance-key", "", "keyring key (created if missing) that is the one key of the chain's governance DID (default: no governance)")
	kf.register(cmd.Flags())
	return cmd
}

// initGovernance returns the governance section naming keyring key name
// (created if missing), or nil for none.
func initGovernance(cmd *cobra.Command, kf *keyringFlags, home, name string) (*app.GenesisGovernance, error) {
	if name == "" {
		return nil, nil
	}
	kr, err := kf.open(cmd, home)
	if err != nil {
		return nil, err
	}
	info, err := kr.Get(name)
	if err != nil {
		if info, err = kr.Add(name, types.KeyTypeEd25519); err != nil {
			return nil, fmt.Errorf("--governance-key %s: %w", name, err)
		}
	}
	if !info.Type.CanSign() {
		return nil, fmt.Errorf("--governance-key %s: an %s key cannot sign", name, info.Type)
	}
	if err := types.ValidateFragment(name); err != nil {
		return nil, fmt.Errorf("--governance-key %s: the name is the key's fragment in the governance DID: %s", name, types.Detail(err))
	}
	return &app.GenesisGovernance{Threshold: 1, Keys: []app.GovernanceKey{{ID: name, PublicKeyMultibase: info.PublicKey.Multibase()}}}, nil
}
