package commands

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/ceremony"
	"github.com/custos-ledger/custos/node"
)

// validatorInfo makes the validator info file of the node whose home is
// home (ceremony.InfoFromHome): the output of custos validator-info and of
// custos validators pop alike.
func validatorInfo(home, p2pAddr string) (ceremony.Info, error) {
	cfg, err := node.LoadConfig(home, node.Overrides{})
	if err != nil {
		return ceremony.Info{}, err
	}
	return ceremony.InfoFromHome(cfg, p2pAddr)
}

// printValidatorInfo writes the info file's JSON, whatever --output says:
// it is a file format.
func printValidatorInfo(cmd *cobra.Command, in ceremony.Info) error {
	b, err := json.MarshalIndent(in, "", "  ")
	if err != nil {
		return fmt.Errorf("cannot encode the validator info: %w", err)
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", b)
	return err
}

func newValidatorInfoCmd(opts *options) *cobra.Command {
	var p2pAddr string
	cmd := &cobra.Command{
		Use:   "validator-info",
		Short: "Print this node's validator info file: node id, consensus key, proof of possession",
		Long: `Validator-info prints, as JSON, what a genesis coordinator (custos genesis
add-validator) or the network's governance (custos validators add --info)
needs to make this node a validator: its moniker, node id, consensus public
key, and a proof of possession, the consensus key's signature that shows the
operator holds it. It reads config/priv_validator_key.json and
config/node_key.json of the home and sends nothing anywhere; the private
keys never leave the home.

--p2p-address host:port adds the address other validators dial (as
node_id@host:port); without it p2p.external_address of config.toml is used,
if set.`,
		Example: `  custos validator-info --home ./alice > alice.json
  custos validator-info --home ./alice --p2p-address alice.example.org:26656 > alice.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, err := validatorInfo(opts.home, p2pAddr)
			if err != nil {
				return err
			}
			return printValidatorInfo(cmd, in)
		},
	}
	cmd.Flags().StringVar(&p2pAddr, "p2p-address", "", "host:port where other nodes reach this node's P2P port (default: p2p.external_address of config.toml)")
	return cmd
}
