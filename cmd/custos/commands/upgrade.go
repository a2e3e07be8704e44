package commands

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

func newUpgradeCmd(opts *options) *cobra.Command {
	f := &didFlags{}
	cmd := &cobra.Command{
		Use:   "upgrade",
		Short: "Schedule, cancel or show a coordinated upgrade of the network's rules",
		Long: `A coordinated upgrade switches every node to a new release at one height
(docs/operators.md, "Upgrades"). The governance DID schedules it: at the
height, a node whose binary knows the upgrade's name runs its migration and
goes on; a node whose binary does not commits the height before, logs
"upgrade NAME required at height H" and exits with status 3. It refuses to
start again until it runs a release that knows NAME.

schedule and cancel are governance operations: they target the governance
DID and are signed by its capabilityInvocation keys, as many as its
threshold (--signer, repeatable, or --out to collect signatures on several
machines with custos tx sign).`,
		Example: `  custos upgrade show
  custos upgrade schedule --name v0.2.0 --height 1200000 --signer gov-alice --signer gov-bob
  custos upgrade cancel --name v0.2.0 --signer gov-alice --signer gov-bob`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	pf := cmd.PersistentFlags()
	f.node.register(pf, true)
	f.keyring.register(pf)
	pf.StringVar(&f.memo, "memo", "", "a note recorded with the operation in the governance DID's history (public)")
	cmd.AddCommand(newUpgradeScheduleCmd(opts, f), newUpgradeCancelCmd(opts, f), newUpgradeShowCmd(opts, f))
	return cmd
}

// governanceTarget reads the network's governance DID (refused with
// no_governance when the genesis named none) at its latest version.
func (e *didEnv) governanceTarget(expected uint64) (*target, string, error) {
	ctx, cancel := e.l.context(e.cmd)
	defer cancel()
	raw, err := e.l.query(ctx, types.QueryPathState, types.GovernanceKey())
	if err != nil {
		return nil, "", err
	}
	if len(raw) == 0 {
		return nil, "", explain(types.ErrNoGovernance.Wrap("this network's genesis names no governance DID"))
	}
	if len(raw) != types.IDLen {
		return nil, "", fmt.Errorf("the node at %s sent an unreadable governance DID (%d bytes)", e.l.addr, len(raw))
	}
	var id types.ID
	copy(id[:], raw)
	return e.readTarget(id, expected)
}

// governanceSubmit signs body as the governance DID and submits it.
func (e *didEnv) governanceSubmit(t *target, tf *txFlags, build func(chainID string, gov types.ID, version uint64) types.TxBody, chainID, op, extra string) error {
	signers, err := e.partial(controllerSigners(e.kr, t.id, &t.record.Document, nil, tf.signers, ""))
	if err != nil {
		return err
	}
	c, err := e.submit(t.id, build(chainID, t.id, t.record.Version), signers)
	if err != nil {
		return err
	}
	return e.printResult(e.result(t.id, op, c, nil), extra, nil)
}

func newUpgradeScheduleCmd(opts *options, f *didFlags) *cobra.Command {
	var name string
	var height int64
	tf := &txFlags{}
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Schedule an upgrade at a height (governance)",
		Long: `Schedule records the upgrade --name at --height. The height must be at least
20 blocks after the block that records it; choose one that leaves every
operator time to install the release that knows NAME (at 1 s a block, 86400
blocks is a day). At most one upgrade stands at a time, and a name already
applied cannot be used again.`,
		Example: `  custos upgrade schedule --name v0.2.0 --height 1200000
  custos upgrade schedule --name v0.2.0 --height 1200000 --signer gov-alice --signer gov-bob --memo "release 0.2.0"`,
		Args: cobra.NoArgs,
		RunE: explained(opts, func(cmd *cobra.Command, _ []string) error {
			if !types.ValidUpgradeName(name) {
				return explain(types.ErrInvalidUpgrade.Wrapf("--name %q", name))
			}
			if height <= 0 {
				return fmt.Errorf("missing --height: the height at which every node must run a release that knows %s", name)
			}
			e, err := f.env(cmd, opts)
			if err != nil {
				return err
			}
			t, chainID, err := e.governanceTarget(tf.expectedVersion)
			if err != nil {
				return err
			}
			build := func(chainID string, gov types.ID, version uint64) types.TxBody {
				return txbuild.ScheduleUpgrade(chainID, gov, version, name, height)
			}
			return e.governanceSubmit(t, tf, build, chainID, "scheduleUpgrade", fmt.Sprintf("  upgrade:   %s at height %d\n", name, height))
		}),
	}
	cmd.Flags().StringVar(&name, "name", "", "the upgrade's name, as the release that knows it registers it (a-z 0-9 . _ -)")
	cmd.Flags().Int64Var(&height, "height", 0, "the height at which every node must run a release that knows the upgrade")
	tf.register(cmd.Flags())
	f.registerOut(cmd.Flags())
	return cmd
}

func newUpgradeCancelCmd(opts *options, f *didFlags) *cobra.Command {
	var name string
	tf := &txFlags{}
	cmd := &cobra.Command{
		Use:   "cancel",
		Short: "Cancel the scheduled upgrade before its height (governance)",
		Long: `Cancel removes the standing upgrade plan, which --name must name, up to the
block before its height. Nodes that stopped for it already (their binary did
not know it) start again with the same binary once the cancel is committed
by the others.`,
		Example: `  custos upgrade cancel --name v0.2.0
  custos upgrade cancel --name v0.2.0 --signer gov-alice --signer gov-bob`,
		Args: cobra.NoArgs,
		RunE: explained(opts, func(cmd *cobra.Command, _ []string) error {
			if !types.ValidUpgradeName(name) {
				return explain(types.ErrInvalidUpgrade.Wrapf("--name %q", name))
			}
			e, err := f.env(cmd, opts)
			if err != nil {
				return err
			}
			t, chainID, err := e.governanceTarget(tf.expectedVersion)
			if err != nil {
				return err
			}
			build := func(chainID string, gov types.ID, version uint64) types.TxBody {
				return txbuild.CancelUpgrade(chainID, gov, version, name)
			}
			return e.governanceSubmit(t, tf, build, chainID, "cancelUpgrade", fmt.Sprintf("  cancelled: %s\n", name))
		}),
	}
	cmd.Flags().StringVar(&name, "name", "", "the name of the standing upgrade")
	tf.register(cmd.Flags())
	f.registerOut(cmd.Flags())
	return cmd
}

// upgradeOut is what custos upgrade show prints with --output json.
type upgradeOut struct {
	Height  int64               `json:"height"`
	Plan    *upgradePlanOut     `json:"plan"`
	Applied []appliedUpgradeOut `json:"applied"`
}

type upgradePlanOut struct {
	Name        string `json:"name"`
	Height      int64  `json:"height"`
	ScheduledAt int64  `json:"scheduledAt"`
}

type appliedUpgradeOut struct {
	Name   string `json:"name"`
	Height int64  `json:"height"`
}

func newUpgradeShowCmd(opts *options, f *didFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show the scheduled upgrade and the upgrades applied",
		Example: `  custos upgrade show
  custos upgrade show --node http://127.0.0.1:26657 --output json`,
		Args: cobra.NoArgs,
		RunE: explained(opts, func(cmd *cobra.Command, _ []string) error {
			l, err := f.node.connect(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := l.context(cmd)
			defer cancel()
			res, err := l.rpc.ABCIQuery(ctx, types.QueryPathUpgrade, nil)
			if err != nil {
				return l.nodeError(ctx, err)
			}
			if r := res.Response; r.Code != 0 {
				return fromABCI(r.Code, r.Codespace, r.Log)
			}
			var q types.QueryUpgradeResponse
			if err := q.Unmarshal(res.Response.Value); err != nil {
				return fmt.Errorf("the node at %s sent an unreadable answer to %s: %v", l.addr, types.QueryPathUpgrade, err)
			}
			out := upgradeOut{Height: res.Response.Height, Applied: []appliedUpgradeOut{}}
			var b strings.Builder
			fmt.Fprintf(&b, "at height %d\n", out.Height)
			if q.Plan != nil {
				out.Plan = &upgradePlanOut{Name: q.Plan.Name, Height: q.Plan.Height, ScheduledAt: q.Plan.ScheduledAt}
				fmt.Fprintf(&b, "scheduled: %s at height %d (scheduled at %d)\n", q.Plan.Name, q.Plan.Height, q.Plan.ScheduledAt)
			} else {
				b.WriteString("scheduled: none\n")
			}
			for _, a := range q.Applied {
				out.Applied = append(out.Applied, appliedUpgradeOut{Name: a.Name, Height: a.Height})
				fmt.Fprintf(&b, "applied:   %s at height %d\n", a.Name, a.Height)
			}
			return opts.print(cmd.OutOrStdout(), out, b.String())
		}),
	}
	return cmd
}
