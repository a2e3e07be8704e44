package commands

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/node"
)

func newInitCmd(opts *options) *cobra.Command {
	var chainID, moniker string
	var overwrite bool
	var params *paramFlags
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a home for a new single-validator chain",
		Long: `Init writes a home ready to start: config/config.toml (RPC on
127.0.0.1:26657, P2P on 127.0.0.1:26656, 1s blocks), config/genesis.json with
this node as the only validator, the validator and node keys, and
data/priv_validator_state.json.

Init refuses a home that already has a genesis file unless --overwrite is
given; --overwrite keeps the keys and never reuses a home with chain data.`,
		Example: `  custos init
  custos init --chain-id custos-dev --moniker alice --home ./alice
  custos init --overwrite --output json
  custos init --recovery-min-delay 24h --recovery-expiry 168h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if chainID == "" {
				return fmt.Errorf("empty --chain-id: give one, e.g. --chain-id %s", node.DefaultChainID)
			}
			res, err := node.InitHome(node.InitOptions{
				Home:      opts.home,
				ChainID:   chainID,
				Moniker:   moniker,
				Overwrite: overwrite,
				AppState:  params.apply,
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
	return cmd
}
