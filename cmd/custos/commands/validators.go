package commands

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/ceremony"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
	"github.com/custos-ledger/custos/x/network/pop"
)

func newValidatorsCmd(opts *options) *cobra.Command {
	f := &didFlags{}
	cmd := &cobra.Command{
		Use:   "validators",
		Short: "List and change the validator set (governance-signed)",
		Long: `Validators reads the validator set and changes it. A change (add,
set-power, remove) is a transaction of the network's governance DID, signed
by its capabilityInvocation keys up to its threshold: --signer NAME for each
(default: the keyring's keys of the governance DID, as many as its
threshold). --out FILE writes the transaction for keys on other machines
(custos tx sign, custos tx broadcast).

The ledger refuses a change that could halt the network (docs/network.md):
at most one change per block, less than a third of the total power moved at
once, never fewer validators than the genesis min_validators, no unknown or
duplicate consensus key, and a new key must come with its proof of
possession (custos validators pop, on the new validator's machine).
CometBFT applies a change two blocks after the one that commits it.`,
		Example: `  custos validators list
  custos validators pop --home ./newnode > newnode.json
  custos validators add --info newnode.json --power 3 --signer gov-1 --signer gov-2
  custos validators set-power <base64 key> 5 --signer gov-1 --signer gov-2
  custos validators remove <base64 key> --signer gov-1 --signer gov-2`,
		Args: cobra.NoArgs,
	}
	pf := cmd.PersistentFlags()
	f.node.register(pf, true)
	f.keyring.register(pf)
	pf.StringVar(&f.memo, "memo", "", "a note recorded with the change in the governance DID's history (public)")
	cmd.AddCommand(newValidatorsListCmd(opts, f), newValidatorsPopCmd(opts), newValidatorsAddCmd(opts, f),
		newValidatorsSetPowerCmd(opts, f), newValidatorsRemoveCmd(opts, f))
	return cmd
}

// governanceTx signs and submits (or with --out writes) a validator
// operation of the network's governance DID, built by build on the DID's
// version.
func governanceTx(cmd *cobra.Command, opts *options, f *didFlags, tf *txFlags, op string, build func(chainID string, gov types.ID, version uint64) types.TxBody) error {
	e, err := f.env(cmd, opts)
	if err != nil {
		return err
	}
	set, err := queryValidators(e)
	if err != nil {
		return err
	}
	if set.Governance == "" {
		return explain(types.ErrNoGovernance.Wrap("this network's genesis names no governance DID"))
	}
	gov, err := parseDID(set.Governance)
	if err != nil {
		return err
	}
	t, chainID, err := e.readTarget(gov, tf.expectedVersion)
	if err != nil {
		return err
	}
	signers, err := e.partial(controllerSigners(e.kr, gov, &t.record.Document, nil, tf.signers, ""))
	if err != nil {
		return err
	}
	c, err := e.submit(gov, build(chainID, gov, t.record.Version), signers)
	if err != nil {
		return err
	}
	return e.print(gov, op, c, nil)
}

func queryValidators(e *didEnv) (*types.QueryValidatorsResponse, error) {
	ctx, cancel := e.l.context(e.cmd)
	defer cancel()
	var resp types.QueryValidatorsResponse
	if err := e.l.queryInto(ctx, types.QueryPathValidators, nil, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// consensusKeyArg parses a consensus public key given as base64 (standard
// or URL alphabet, padded or not) of its 32 bytes.
func consensusKeyArg(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(strings.TrimSpace(s)); err == nil {
			if len(b) != 32 {
				return nil, explain(types.ErrInvalidValidatorKey.Wrapf("%q decodes to %d bytes; an Ed25519 consensus key has 32", types.Truncate(s), len(b)))
			}
			return b, nil
		}
	}
	return nil, explain(types.ErrInvalidValidatorKey.Wrapf("%q is not base64", types.Truncate(s)))
}

func newValidatorsAddCmd(opts *options, f *didFlags) *cobra.Command {
	tf := &txFlags{}
	var info, pubkey, moniker, popArg string
	var power int64
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Add a validator (governance-signed)",
		Long: `Add adds a validator with --power. The new validator's operator runs
custos validators pop --home NODE (or custos validator-info) on its machine
and hands over the info file: pass it with --info FILE. Without a file, give
--pubkey (base64 Ed25519 consensus key), --pop (base64 proof of possession)
and --moniker.

The power must be below a third of the set's current total power (custos
validators list), or the ledger refuses the change; raise it later in steps.
Start the new node (blocksync or statesync) before or soon after: it signs
blocks from two heights after the change.`,
		Example: `  custos validators add --info newnode.json --power 3 --signer governance
  custos validators add --pubkey <base64> --pop <base64> --moniker acme --power 3 --out add.tx.json`,
		Args: cobra.NoArgs,
		RunE: explained(opts, func(cmd *cobra.Command, _ []string) error {
			pub, proof, name, err := addArgs(info, pubkey, popArg, moniker)
			if err != nil {
				return err
			}
			if err := pop.Verify(pub, proof); err != nil {
				return explain(types.ErrValidatorPossession.Wrapf("%v: ask the operator for a fresh `custos validators pop --home NODE`", err))
			}
			return governanceTx(cmd, opts, f, tf, "addValidator", func(chainID string, gov types.ID, v uint64) types.TxBody {
				return txbuild.AddValidator(chainID, gov, v, pub, power, name, proof)
			})
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&info, "info", "", "validator info file (custos validators pop / custos validator-info)")
	fl.StringVar(&pubkey, "pubkey", "", "consensus public key, base64 (without --info)")
	fl.StringVar(&popArg, "pop", "", "proof of possession, base64 (without --info)")
	fl.StringVar(&moniker, "moniker", "", "validator name (without --info; with it, overrides the file's)")
	fl.Int64Var(&power, "power", 0, "voting power (required)")
	_ = cmd.MarkFlagRequired("power")
	tf.register(fl)
	f.registerOut(fl)
	return cmd
}

func addArgs(info, pubkey, popArg, moniker string) (pub, proof []byte, name string, err error) {
	if info != "" {
		if pubkey != "" || popArg != "" {
			return nil, nil, "", errors.New("--info holds the key and its proof: drop --pubkey and --pop")
		}
		in, err := ceremony.ReadInfo(info)
		if err != nil {
			return nil, nil, "", err
		}
		name = in.Moniker
		if moniker != "" {
			name = moniker
		}
		return in.PubKey.Value, in.ProofOfPossession, name, nil
	}
	if pubkey == "" || popArg == "" {
		return nil, nil, "", errors.New("give --info FILE, or --pubkey and --pop (custos validators pop --home NODE prints them)")
	}
	if pub, err = consensusKeyArg(pubkey); err != nil {
		return nil, nil, "", err
	}
	if proof, err = base64.StdEncoding.DecodeString(strings.TrimSpace(popArg)); err != nil {
		return nil, nil, "", explain(types.ErrValidatorPossession.Wrap("--pop is not base64"))
	}
	return pub, proof, moniker, nil
}

func newValidatorsSetPowerCmd(opts *options, f *didFlags) *cobra.Command {
	tf := &txFlags{}
	var power int64
	cmd := &cobra.Command{
		Use:   "set-power KEY POWER",
		Short: "Change a validator's voting power (governance-signed)",
		Long: `Set-power gives the validator whose consensus key is KEY (base64, as custos
validators list prints it) the voting power POWER (above 0). The change must
move less than a third of the set's total power.`,
		Example: `  custos validators set-power <base64 key> 5 --signer governance`,
		Args:    exactArgs("KEY", "POWER"),
		RunE: explained(opts, func(cmd *cobra.Command, args []string) error {
			pub, err := consensusKeyArg(args[0])
			if err != nil {
				return err
			}
			if _, err := fmt.Sscan(args[1], &power); err != nil || fmt.Sprint(power) != args[1] {
				return fmt.Errorf("POWER %q: give a whole number above 0", args[1])
			}
			return governanceTx(cmd, opts, f, tf, "setValidatorPower", func(chainID string, gov types.ID, v uint64) types.TxBody {
				return txbuild.SetValidatorPower(chainID, gov, v, pub, power)
			})
		}),
	}
	tf.register(cmd.Flags())
	f.registerOut(cmd.Flags())
	return cmd
}

func newValidatorsRemoveCmd(opts *options, f *didFlags) *cobra.Command {
	tf := &txFlags{}
	cmd := &cobra.Command{
		Use:   "remove KEY",
		Short: "Remove a validator (governance-signed)",
		Long: `Remove takes the validator whose consensus key is KEY (base64) out of the set.
The set may not drop below the genesis min_validators, and the removed power
must be less than a third of the total. The node stops signing two blocks
after the change; its operator may then stop it.`,
		Example: `  custos validators remove <base64 key> --signer governance`,
		Args:    exactArgs("KEY"),
		RunE: explained(opts, func(cmd *cobra.Command, args []string) error {
			pub, err := consensusKeyArg(args[0])
			if err != nil {
				return err
			}
			return governanceTx(cmd, opts, f, tf, "removeValidator", func(chainID string, gov types.ID, v uint64) types.TxBody {
				return txbuild.RemoveValidator(chainID, gov, v, pub)
			})
		}),
	}
	tf.register(cmd.Flags())
	f.registerOut(cmd.Flags())
	return cmd
}

// newValidatorsPopCmd is custos validator-info under the name the
// validators commands use: one command, one output.
func newValidatorsPopCmd(opts *options) *cobra.Command {
	cmd := newValidatorInfoCmd(opts)
	cmd.Use = "pop"
	cmd.Short = "Print the validator info file of --home's consensus key, with its proof of possession"
	cmd.Long = `Pop prints what the governance needs to add this node as a validator
(custos validators add --info FILE): its moniker, node id, consensus public
key and proof of possession, signed with config/priv_validator_key.json on
this machine. It is the output of custos validator-info.

--p2p-address host:port adds the address other validators dial (as
node_id@host:port); without it p2p.external_address of config.toml is used,
if set.`
	cmd.Example = `  custos validators pop --home ./newnode > newnode.json`
	return cmd
}

// validatorsOut is what custos validators list prints as JSON.
type validatorsOut struct {
	Governance    string         `json:"governance,omitempty"`
	MinValidators uint32         `json:"min_validators"`
	TotalPower    int64          `json:"total_power"`
	LastChange    int64          `json:"last_change_height"`
	Validators    []validatorOut `json:"validators"`
}

type validatorOut struct {
	PubKey  string `json:"pub_key"`
	Moniker string `json:"moniker"`
	Power   int64  `json:"power"`
	Added   int64  `json:"added_height"`
	Changed int64  `json:"changed_height"`
}

func newValidatorsListCmd(opts *options, f *didFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "Show the validator set from the ledger's state",
		Long: `List prints the validator set as the ledger's committed state holds it:
each validator's consensus key (base64), moniker, power, and the heights it
joined at and last changed at; the total power, the genesis minimum and the
governance DID. CometBFT's own set follows a committed change two blocks later.`,
		Example: `  custos validators list
  custos validators list --output json`,
		Args: cobra.NoArgs,
		RunE: explained(opts, func(cmd *cobra.Command, _ []string) error {
			l, err := f.node.connect(cmd)
			if err != nil {
				return err
			}
			e := &didEnv{cmd: cmd, opts: opts, l: l}
			set, err := queryValidators(e)
			if err != nil {
				return err
			}
			out := validatorsOut{Governance: set.Governance, MinValidators: set.MinValidators, TotalPower: set.Set.TotalPower,
				LastChange: set.Set.LastChange, Validators: []validatorOut{}}
			for _, v := range set.Validators {
				out.Validators = append(out.Validators, validatorOut{PubKey: base64.StdEncoding.EncodeToString(v.PubKey),
					Moniker: v.Moniker, Power: v.Power, Added: v.Added, Changed: v.Changed})
			}
			var b bytes.Buffer
			gov := out.Governance
			if gov == "" {
				gov = "none (the set cannot change)"
			}
			fmt.Fprintf(&b, "governance:     %s\ntotal power:    %d\nmin validators: %d\nlast change:    height %d\n\n", gov, out.TotalPower, out.MinValidators, out.LastChange)
			tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "PUBKEY\tMONIKER\tPOWER\tADDED\tCHANGED")
			for _, v := range out.Validators {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\n", v.PubKey, v.Moniker, v.Power, v.Added, v.Changed)
			}
			_ = tw.Flush()
			return opts.print(cmd.OutOrStdout(), out, b.String())
		}),
	}
}
