package commands

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/ceremony"
	"github.com/custos-ledger/custos/node"
)

// defaultGenesisFile is the genesis file the genesis commands work on when
// not told otherwise.
const defaultGenesisFile = "genesis.json"

func newGenesisCmd(opts *options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "genesis",
		Short: "Build a network's genesis from its operators' validator info files",
		Long: `The genesis commands build the genesis of a network that several operators
run, each on their own machine (docs/operators.md, "Building a network"):

  1. each operator: custos init --home H, then custos validator-info --home H
     and sends the printed JSON (no secret in it) to the coordinator;
  2. the coordinator: custos genesis new, then custos genesis add-validator
     for each info file, custos genesis add-governance-key for each
     governance key and custos genesis set-governance-threshold;
  3. every operator: custos genesis install genesis.json --home H, compares
     the printed sha256 with the others', and starts the node.`,
		Example: `  custos genesis new --chain-id custos-net-1
  custos genesis add-validator alice.json
  custos genesis install genesis.json --home ./alice`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newGenesisNewCmd(opts), newGenesisAddValidatorCmd(opts), newGenesisAddGovernanceKeyCmd(opts),
		newGenesisSetThresholdCmd(opts), newGenesisValidateCmd(opts), newGenesisInstallCmd(opts), newGenesisPeersCmd(opts))
	return cmd
}

// genesisOut is what the genesis commands print with --output json.
type genesisOut struct {
	File       string `json:"file"`
	ChainID    string `json:"chain_id"`
	SHA256     string `json:"sha256"`
	Validators int    `json:"validators"`
	TotalPower int64  `json:"total_power"`
	// GovernanceKeys and GovernanceThreshold describe the governance the
	// genesis names (0 keys: none).
	GovernanceKeys      int    `json:"governance_keys"`
	GovernanceThreshold uint32 `json:"governance_threshold"`
	// Added names what the command added, if anything.
	Added string `json:"added,omitempty"`
}

func summarize(file, sum string, g *ceremony.Genesis) (genesisOut, error) {
	gov, err := g.Governance()
	if err != nil {
		return genesisOut{}, err
	}
	out := genesisOut{File: file, ChainID: g.Doc.ChainID, SHA256: sum, Validators: len(g.Doc.Validators),
		GovernanceKeys: len(gov.Keys), GovernanceThreshold: gov.Threshold}
	for _, v := range g.Doc.Validators {
		out.TotalPower += v.Power
	}
	return out, nil
}

func (o genesisOut) text(head string) string {
	var b strings.Builder
	b.WriteString(head + "\n")
	fmt.Fprintf(&b, "genesis:    %s\nchain id:   %s\nvalidators: %d (total power %d)\n", o.File, o.ChainID, o.Validators, o.TotalPower)
	if o.GovernanceKeys == 0 {
		b.WriteString("governance: none (validator and upgrade operations will be refused)\n")
	} else {
		fmt.Fprintf(&b, "governance: %d of %d keys\n", o.GovernanceThreshold, o.GovernanceKeys)
	}
	fmt.Fprintf(&b, "sha256:     %s\n", o.SHA256)
	return b.String()
}

// editGenesis reads file, applies edit and writes the result back.
func editGenesis(opts *options, cmd *cobra.Command, file string, edit func(*ceremony.Genesis) (string, error)) error {
	g, _, err := ceremony.Read(file)
	if err != nil {
		return err
	}
	added, err := edit(g)
	if err != nil {
		return err
	}
	sum, err := g.Write(file)
	if err != nil {
		return err
	}
	out, err := summarize(file, sum, g)
	if err != nil {
		return err
	}
	out.Added = added
	return opts.print(cmd.OutOrStdout(), out, out.text(added))
}

func newGenesisNewCmd(opts *options) *cobra.Command {
	var chainID, out, at string
	var overwrite bool
	var params *paramFlags
	cmd := &cobra.Command{
		Use:   "new",
		Short: "Write a new genesis with no validator yet",
		Long: `New writes a genesis for chain --chain-id with the consensus params of
custos init and the Custos params given by the flags (the same as custos
init's), and no validator: add them with custos genesis add-validator. The
genesis time is now unless --genesis-time says otherwise (RFC 3339, UTC);
nodes started before it wait for it.`,
		Example: `  custos genesis new --chain-id custos-net-1
  custos genesis new --chain-id custos-net-1 --out net.json --recovery-min-delay 72h --genesis-time 2027-01-04T09:00:00Z`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if chainID == "" {
				return errors.New("missing --chain-id: name the network, e.g. --chain-id custos-net-1")
			}
			var t time.Time
			if at != "" {
				var err error
				if t, err = time.Parse(time.RFC3339, at); err != nil {
					return fmt.Errorf("invalid --genesis-time %q: use RFC 3339, e.g. 2027-01-04T09:00:00Z", at)
				}
			}
			if _, err := os.Stat(out); err == nil && !overwrite {
				return fmt.Errorf("%s exists: pass --overwrite to replace it, or choose another --out", out)
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("cannot check %s: %w", out, err)
			}
			if err := params.forChain(chainID); err != nil {
				return err
			}
			state := app.DefaultGenesisState()
			params.apply(&state)
			g, err := ceremony.New(ceremony.NewOptions{ChainID: chainID, AppState: state, Time: t})
			if err != nil {
				return err
			}
			sum, err := g.Write(out)
			if err != nil {
				return err
			}
			o, err := summarize(out, sum, g)
			if err != nil {
				return err
			}
			return opts.print(cmd.OutOrStdout(), o, o.text("wrote a new genesis; add validators with custos genesis add-validator INFO_FILE --genesis "+out))
		},
	}
	cmd.Flags().StringVar(&chainID, "chain-id", "", "the network's chain id (required)")
	cmd.Flags().StringVar(&out, "out", defaultGenesisFile, "genesis file to write")
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "replace an existing --out file")
	cmd.Flags().StringVar(&at, "genesis-time", "", "genesis time, RFC 3339 (default: now)")
	params = addParamFlags(cmd.Flags())
	return cmd
}

func genesisFileFlag(cmd *cobra.Command, file *string) {
	cmd.Flags().StringVar(file, "genesis", defaultGenesisFile, "genesis file to read and update")
}

func newGenesisAddValidatorCmd(opts *options) *cobra.Command {
	var file string
	var power int64
	cmd := &cobra.Command{
		Use:   "add-validator INFO_FILE",
		Short: "Add an operator's validator to the genesis, after checking its proof of possession",
		Long: `Add-validator reads a validator info file (custos validator-info), checks
its proof of possession (the consensus key's signature: the operator holds
the key) and adds the key with --power to the genesis. A consensus key or a
moniker already in the genesis is refused.`,
		Example: `  custos genesis add-validator alice.json
  custos genesis add-validator bob.json --power 20 --genesis net.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := ceremony.ReadInfo(args[0])
			if err != nil {
				return err
			}
			return editGenesis(opts, cmd, file, func(g *ceremony.Genesis) (string, error) {
				if err := g.AddValidator(in, power); err != nil {
					return "", err
				}
				return fmt.Sprintf("added validator %s (address %s, power %d)", in.Moniker, in.Address(), power), nil
			})
		},
	}
	genesisFileFlag(cmd, &file)
	cmd.Flags().Int64Var(&power, "power", ceremony.DefaultPower, "voting power of the validator")
	return cmd
}

func newGenesisAddGovernanceKeyCmd(opts *options) *cobra.Command {
	var file, id string
	cmd := &cobra.Command{
		Use:   "add-governance-key MULTIBASE",
		Short: "Add a key of the governance DID to the genesis",
		Long: `Add-governance-key adds an Ed25519 public key (a Multikey, z6Mk..., as custos
keys show prints it) to the keys of the governance DID that the chain creates
at genesis. The governance DID signs validator and upgrade operations; its
keys are its capabilityInvocation and authentication keys. The key id
defaults to gov-N. The first key sets the threshold to 1; raise it with
custos genesis set-governance-threshold once every key is added.`,
		Example: `  custos genesis add-governance-key z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK
  custos genesis add-governance-key z6Mk... --id ops-alice --genesis net.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return editGenesis(opts, cmd, file, func(g *ceremony.Genesis) (string, error) {
				got, err := g.AddGovernanceKey(args[0], id)
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("added governance key %s (%s)", got, args[0]), nil
			})
		},
	}
	genesisFileFlag(cmd, &file)
	cmd.Flags().StringVar(&id, "id", "", "key id (fragment) in the governance DID (default gov-N)")
	return cmd
}

func newGenesisSetThresholdCmd(opts *options) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "set-governance-threshold N",
		Short: "Set how many governance keys must sign a governance operation",
		Example: `  custos genesis set-governance-threshold 3
  custos genesis set-governance-threshold 2 --genesis net.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var n uint32
			if _, err := fmt.Sscan(args[0], &n); err != nil || fmt.Sprint(n) != args[0] {
				return fmt.Errorf("invalid threshold %q: give a whole number from 1 to the number of governance keys", args[0])
			}
			return editGenesis(opts, cmd, file, func(g *ceremony.Genesis) (string, error) {
				if err := g.SetGovernanceThreshold(n); err != nil {
					return "", err
				}
				return fmt.Sprintf("governance threshold set to %d", n), nil
			})
		},
	}
	genesisFileFlag(cmd, &file)
	return cmd
}

func newGenesisValidateCmd(opts *options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "validate [FILE]",
		Short: "Check a genesis as the nodes will, and print its fingerprint",
		Long: `Validate checks a genesis file (default genesis.json) as this binary's nodes
will read it: CometBFT's checks, the Custos params, the governance section,
at least one validator and no key twice. It prints the file's SHA-256, which
every operator should compare out of band with the coordinator's.`,
		Example: `  custos genesis validate
  custos genesis validate net.json --output json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := defaultGenesisFile
			if len(args) == 1 {
				file = args[0]
			}
			g, raw, err := ceremony.Read(file)
			if err != nil {
				return err
			}
			if err := g.Validate(); err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			o, err := summarize(file, ceremony.Hash(raw), g)
			if err != nil {
				return err
			}
			return opts.print(cmd.OutOrStdout(), o, o.text("the genesis is valid"))
		},
	}
	return cmd
}

func newGenesisInstallCmd(opts *options) *cobra.Command {
	var chainID string
	var fullNode bool
	cmd := &cobra.Command{
		Use:   "install FILE",
		Short: "Check a network's genesis and install it into this home",
		Long: `Install checks the genesis a coordinator sent (custos genesis validate's
checks), that it is for the expected chain (--chain-id, default the chain id
this home was initialized with) and that this home's consensus key is one of
its validators (unless --full-node), then copies it byte for byte to
config/genesis.json. A home that already ran (holds blocks or state) is
refused: it belongs to another genesis.

Compare the printed sha256 with the coordinator's and the other operators'
before starting the node.`,
		Example: `  custos genesis install genesis.json --home ./alice
  custos genesis install genesis.json --home ./alice --chain-id custos-net-1
  custos genesis install genesis.json --home ./observer --full-node`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := node.LoadConfig(opts.home, node.Overrides{})
			if err != nil {
				return err
			}
			res, err := ceremony.Install(cfg, ceremony.InstallOptions{Genesis: args[0], ChainID: chainID, FullNode: fullNode})
			if err != nil {
				return err
			}
			role := "validator " + res.Validator
			if res.Validator == "" {
				role = "full node (not a genesis validator)"
			}
			text := fmt.Sprintf("installed the genesis of %s into %s\nthis node: %s\nvalidators: %d\nsha256:     %s\nstart it with: custos start --home %s --p2p.persistent_peers ID@HOST:PORT,...\n",
				res.ChainID, res.Home, role, res.Validators, res.SHA256, res.Home)
			return opts.print(cmd.OutOrStdout(), res, text)
		},
	}
	cmd.Flags().StringVar(&chainID, "chain-id", "", "chain id the genesis must have (default: the chain id of the home's current genesis)")
	cmd.Flags().BoolVar(&fullNode, "full-node", false, "install even though this home's consensus key is not a genesis validator")
	return cmd
}

func newGenesisPeersCmd(opts *options) *cobra.Command {
	var except string
	cmd := &cobra.Command{
		Use:   "peers INFO_FILE...",
		Short: "Print the --p2p.persistent_peers value made of validator info files",
		Long: `Peers checks validator info files and prints their p2p_address values
joined by commas, the value of custos start --p2p.persistent_peers (or
p2p.persistent_peers in config.toml). --except NODE_ID leaves out a node,
e.g. the operator's own.`,
		Example: `  custos genesis peers alice.json bob.json carol.json dave.json
  custos start --home ./alice --p2p.persistent_peers "$(custos genesis peers *.json --except $(jq -r .node_id alice.json))"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var peers []string
			for _, f := range args {
				in, err := ceremony.ReadInfo(f)
				if err != nil {
					return err
				}
				if in.NodeID == except {
					continue
				}
				if in.P2PAddress == "" {
					return fmt.Errorf("%s has no p2p_address: ask its operator for one (custos validator-info --p2p-address host:port)", f)
				}
				peers = append(peers, in.P2PAddress)
			}
			list := strings.Join(peers, ",")
			return opts.print(cmd.OutOrStdout(), map[string]string{"persistent_peers": list}, list+"\n")
		},
	}
	cmd.Flags().StringVar(&except, "except", "", "node id to leave out (the node the list is for)")
	return cmd
}
