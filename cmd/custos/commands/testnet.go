package commands

import (
	"bytes"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/testnet"
)

// defaultTestnetDir is where `custos testnet` writes and reads a testnet
// when no folder is given.
const defaultTestnetDir = "./mytestnet"

func newTestnetCmd(opts *options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "testnet",
		Short: "Create and inspect a local multi-node network",
		Long: `Testnet writes the homes of a local network of validators (and optional
full nodes) on 127.0.0.1 and reports how its nodes are doing. See
testnet/README.md; make localnet starts one in the background.`,
		Example: `  custos testnet init --validators 4 --output-dir ./mytestnet
  custos testnet status --home-dir ./mytestnet`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newTestnetInitCmd(opts), newTestnetStatusCmd(opts))
	return cmd
}

func newTestnetInitCmd(opts *options) *cobra.Command {
	o := testnet.DefaultOptions(defaultTestnetDir)
	var govKeys int
	var govThreshold, minValidators uint
	var policy policyFlags
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write the homes of a local network of validators and full nodes",
		Long: `Init writes DIR/node0, DIR/node1... : the validators first, then the full
nodes (which follow the chain without voting). All share one genesis that lists
every validator at equal power. Node i listens on 127.0.0.1, ports
base+10*i+0 (P2P), +1 (RPC), +2 (resolver), +3 (Prometheus); every node keeps
the validators as persistent peers, and blocks come every timeout_commit.

DIR/testnet.json holds the nodes table (printed with --output json) and
DIR/ports.txt the same as text. Start node i with
  custos start --home DIR/node<i> --resolver.laddr <its resolver address>

Init refuses a DIR that is not empty; --overwrite replaces the testnet in it
(new keys, new genesis, chain data dropped) when none of its nodes runs.

The genesis names a governance DID (docs/network.md) whose keys init makes in
node0's test keyring (DIR/node0/keyring-test): one key named governance, or
--governance-keys N named governance-1..N with --governance-threshold M. Sign
validator changes with them, e.g.
  custos validators add --info new.json --power 3 --home DIR/node0 \
    --keyring-backend test --signer governance --node <node0's RPC>
--governance-keys 0 makes a network without governance.

The write-policy flags are those of custos init (docs/write-policy.md).`,
		Example: `  custos testnet init --validators 4 --output-dir ./mytestnet
  custos testnet init --validators 3 --full-nodes 1 --base-port 27000 --output json
  custos start --home ./mytestnet/node0 --resolver.laddr 127.0.0.1:26602`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := policy.check(o.ChainID); err != nil {
				return err
			}
			o.AppState = func(g *app.GenesisState) { _ = policy.apply(g, o.ChainID) }
			keys, err := governanceSecrets(&o, govKeys, govThreshold)
			if err != nil {
				return err
			}
			net, err := testnet.Init(o)
			if err != nil {
				return err
			}
			if err := storeGovernanceKeys(net, keys); err != nil {
				return err
			}
			return opts.print(cmd.OutOrStdout(), net, testnetText(net))
		},
	}
	f := cmd.Flags()
	f.IntVar(&govKeys, "governance-keys", 1, "number of governance DID keys, made in node0's test keyring as governance (one key) or governance-1, governance-2... (0: a network without governance, whose validator set never changes)")
	f.UintVar(&govThreshold, "governance-threshold", 1, "how many governance keys must sign a governance operation")
	f.UintVar(&minValidators, "min-validators", 0, "genesis param min_validators: the smallest set a removal may leave (default: the app's, 4)")
	f.IntVar(&o.Validators, "validators", o.Validators, "number of validators")
	f.IntVar(&o.FullNodes, "full-nodes", 0, "number of non-validator full nodes")
	f.StringVar(&o.Dir, "output-dir", o.Dir, "folder that receives node0, node1... (missing or empty)")
	f.IntVar(&o.BasePort, "base-port", o.BasePort, fmt.Sprintf("first port of node0; node i uses base+%d*i+0..3, all below %d", testnet.PortStride, testnet.MaxPort+1))
	f.StringVar(&o.ChainID, "chain-id", o.ChainID, "chain id written into the genesis")
	f.DurationVar(&o.TimeoutCommit, "timeout-commit", o.TimeoutCommit, "consensus.timeout_commit of every node (the pause between blocks)")
	f.DurationVar(&o.RecoveryMinDelay, "recovery-min-delay", 0, "genesis param: shortest guardian recovery delay (default: the app's, 24h)")
	f.DurationVar(&o.RecoveryExpiry, "recovery-expiry", 0, "genesis param: how long a recovery waits for approvals (default: the app's, 168h)")
	f.BoolVar(&o.Prometheus, "prometheus", o.Prometheus, "serve CometBFT's Prometheus metrics on each node's port base+10*i+3")
	f.BoolVar(&o.Overwrite, "overwrite", false, "replace the testnet in --output-dir (refused while one of its nodes runs)")
	policy.register(f)
	cmd.PreRun = func(*cobra.Command, []string) { o.MinValidators = uint32(minValidators) }
	return cmd
}

func testnetText(net testnet.Testnet) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "initialized a testnet of %d validators and %d full nodes in %s\nchain id: %s\n\n",
		len(net.Validators()), len(net.FullNodes()), net.Dir, net.ChainID)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tP2P\tRPC\tRESOLVER\tPROMETHEUS\tNODE ID")
	for _, n := range net.Nodes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n.Name, n.Role,
			strings.TrimPrefix(n.P2P, "tcp://"), strings.TrimPrefix(n.RPC, "tcp://"), n.Resolver, n.Prometheus, n.NodeID)
	}
	_ = tw.Flush()
	fmt.Fprintf(&b, "\nstart a node with: custos %s\n", strings.Join(net.Nodes[0].StartArgs(), " "))
	return b.String()
}

func newTestnetStatusCmd(opts *options) *cobra.Command {
	var dir string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show height, app hash, peers and resolver of each node of a testnet",
		Long: `Status reads DIR/testnet.json and asks each node's RPC for /status and
/net_info, and its resolver for /healthz. It exits non-zero when a node does
not answer.`,
		Example: `  custos testnet status --home-dir ./mytestnet
  custos testnet status --home-dir testnet/.localnet --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			net, err := testnet.Load(dir)
			if err != nil {
				return err
			}
			statuses := testnet.Status(cmd.Context(), net, timeout)
			var text bytes.Buffer
			if err := testnet.WriteStatus(&text, statuses); err != nil {
				return err
			}
			if err := opts.print(cmd.OutOrStdout(), statuses, text.String()); err != nil {
				return err
			}
			var down []string
			for _, s := range statuses {
				if !s.Up {
					down = append(down, s.Name)
				}
			}
			if len(down) > 0 {
				return fmt.Errorf("%d of %d nodes do not answer (%s): start them, e.g. make localnet, or see their logs",
					len(down), len(statuses), strings.Join(down, ", "))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "home-dir", defaultTestnetDir, "folder of the testnet (as given to testnet init --output-dir)")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "how long to wait for each node")
	return cmd
}
