package commands

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

func newNetworkCmd(opts *options) *cobra.Command {
	f := &didFlags{}
	cmd := &cobra.Command{
		Use:   "network",
		Short: "Change the network's rules that governance sets after genesis",
		Long: `network holds the governance operations on the network's rules other than its
validators (custos validators) and upgrades (custos upgrade).

set-policy is a governance operation: it targets the governance DID and is
signed by its capabilityInvocation keys, as many as its threshold (--signer,
repeatable, or --out to collect signatures on several machines with custos
tx sign).`,
		Example: `  custos network set-policy --write-policy endorsed --endorser did:custos:... --signer gov-alice --signer gov-bob`,
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	pf := cmd.PersistentFlags()
	f.node.register(pf, true)
	f.keyring.register(pf)
	pf.StringVar(&f.memo, "memo", "", "a note recorded with the operation in the governance DID's history (public)")
	cmd.AddCommand(newNetworkSetPolicyCmd(opts, f))
	return cmd
}

func newNetworkSetPolicyCmd(opts *options, f *didFlags) *cobra.Command {
	pol := &policyFlags{}
	tf := &txFlags{}
	cmd := &cobra.Command{
		Use:   "set-policy",
		Short: "Change the write policy: who may create DIDs, the stamp, the rate limits (governance)",
		Long: `set-policy replaces the network's write policy (docs/write-policy.md) with
the one its flags describe: the policy, the stamp difficulty, the endorsers
and the per-DID rate limits, which are the flags of custos init. A flag left
out keeps the value in force (--write-policy open without --endorser lists
none). The new policy is checked as genesis params are, and governs from the
block after the one that records it: txs in that block are judged by the
policy the block started with. The change is recorded in the governance
DID's history; /healthz shows the policy in force.`,
		Example: `  custos network set-policy --write-policy endorsed --endorser did:custos:... --signer gov-alice --signer gov-bob
  custos network set-policy --stamp-difficulty 24 --rate-limit 5/1h,20/24h --out policy.tx`,
		Args: cobra.NoArgs,
		RunE: explained(opts, func(cmd *cobra.Command, _ []string) error {
			fs := cmd.Flags()
			if !fs.Changed("write-policy") && !fs.Changed("stamp-difficulty") && !fs.Changed("endorser") &&
				!fs.Changed("endorser-key") && !fs.Changed("rate-limit") {
				return fmt.Errorf("nothing to change: give --write-policy, --stamp-difficulty, --endorser, --endorser-key or --rate-limit")
			}
			e, err := f.env(cmd, opts)
			if err != nil {
				return err
			}
			t, chainID, err := e.governanceTarget(tf.expectedVersion)
			if err != nil {
				return err
			}
			ctx, cancel := e.l.context(cmd)
			cur, err := e.l.Params(ctx)
			cancel()
			if err != nil {
				return err
			}
			op, err := pol.change(cur, chainID, fs.Changed)
			if err != nil {
				return err
			}
			build := func(chainID string, gov types.ID, version uint64) types.TxBody {
				return txbuild.SetWritePolicy(chainID, gov, version, op)
			}
			return e.governanceSubmit(t, tf, build, chainID, "setWritePolicy", describePolicy(op))
		}),
	}
	pol.register(cmd.Flags())
	tf.register(cmd.Flags())
	f.registerOut(cmd.Flags())
	return cmd
}

// change returns the write policy cur becomes with the flags that changed
// (set reports which), checked as genesis params are.
func (f *policyFlags) change(cur types.Params, chainID string, set func(string) bool) (types.SetWritePolicyOp, error) {
	g := app.DefaultGenesisState()
	g.Params.WritePolicy = app.PolicyOpen
	if cur.WritePolicy == types.WRITE_POLICY_ENDORSED {
		g.Params.WritePolicy = app.PolicyEndorsed
	}
	g.Params.StampDifficulty = cur.StampDifficulty
	g.Params.Endorsers = append([]string{}, cur.Endorsers...)
	g.Params.RateLimits = app.GenesisRateLimits(cur.RateLimits)
	next := *f
	if !set("write-policy") {
		next.policy = g.Params.WritePolicy
	}
	if !set("stamp-difficulty") {
		next.difficulty = g.Params.StampDifficulty
	}
	if !set("endorser") && !set("endorser-key") && next.policy != app.PolicyOpen {
		next.endorsers = g.Params.Endorsers
	}
	if !set("rate-limit") {
		var parts []string
		for _, l := range g.Params.RateLimits {
			parts = append(parts, fmt.Sprintf("%d/%s", l.MaxOps, l.Period))
		}
		next.rateLimits = strings.Join(parts, ",")
	}
	if err := next.apply(&g, chainID); err != nil {
		return types.SetWritePolicyOp{}, err
	}
	p, err := g.ToParams()
	if err != nil {
		return types.SetWritePolicyOp{}, fmt.Errorf("write policy: %v", err)
	}
	return types.SetWritePolicyOp{Policy: p.WritePolicy, StampDifficulty: p.StampDifficulty, Endorsers: p.Endorsers, RateLimits: p.RateLimits}, nil
}

// describePolicy is the summary line of a write policy.
func describePolicy(op types.SetWritePolicyOp) string {
	policy := app.PolicyOpen
	if op.Policy == types.WRITE_POLICY_ENDORSED {
		policy = app.PolicyEndorsed
	}
	var limits []string
	for _, l := range app.GenesisRateLimits(op.RateLimits) {
		limits = append(limits, fmt.Sprintf("%d/%s", l.MaxOps, l.Period))
	}
	if len(limits) == 0 {
		limits = []string{"none"}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  policy:    %s, stamp %d bits, rate limits %s (from the next block)\n", policy, op.StampDifficulty, strings.Join(limits, ","))
	for _, e := range op.Endorsers {
		fmt.Fprintf(&b, "  endorser:  %s\n", e)
	}
	return b.String()
}
