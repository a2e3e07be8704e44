package commands

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/node"
	"github.com/custos-ledger/custos/resolver"
)

func newStartCmd(opts *options) *cobra.Command {
	var ov node.Overrides
	var resolverAddr string
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Run the node: CometBFT and the Custos application in one process",
		Long: `Start loads config/config.toml from the home, applies the flags given here
over it and runs the node until SIGINT or SIGTERM, then stops it cleanly.
Flags not given keep the values of config.toml. Logs go to stdout.

The node also serves the HTTP resolver (docs/resolver.md) from its own state,
on 127.0.0.1:8080 unless --resolver.laddr says otherwise ("off" turns it off).
When that default address is taken (another local node has it), the node
logs so and runs without a resolver; an address given explicitly must be free.

The Go runtime's memory is held to a soft limit of 768 MiB unless the
GOMEMLIMIT environment variable says otherwise (e.g. GOMEMLIMIT=2GiB, or off);
docs/operators.md, "Memory", gives the node's memory budget.`,
		Example: `  custos start
  custos start --home ./alice --rpc.laddr tcp://127.0.0.1:26667 --log_level consensus:debug,*:info
  custos start --p2p.persistent_peers 5f6c...@127.0.0.1:26656 --consensus.timeout_commit 500ms
  custos start --resolver.laddr 127.0.0.1:8081
  custos start --resolver.laddr off`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := node.LoadConfig(opts.home, ov)
			if err != nil {
				return err
			}
			logger, err := node.NewLogger(cfg, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			limit, fromEnv := node.SetMemoryLimit(os.Getenv)
			logger.Info("memory limit of the Go runtime", "bytes", limit, "from_GOMEMLIMIT", fromEnv)
			var nodeOpts []node.Option
			if addr, on := resolverListenAddr(resolverAddr); on {
				rcfg := resolver.DefaultConfig()
				rcfg.ListenAddr = addr
				if err := rcfg.Validate(); err != nil {
					return fmt.Errorf("invalid --resolver.laddr %q: give host:port, e.g. %s, or off", resolverAddr, resolver.DefaultListenAddr)
				}
				explicit := cmd.Flags().Changed("resolver.laddr")
				nodeOpts = append(nodeOpts, node.WithResolver(rcfg, !explicit))
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			go func() {
				<-ctx.Done()
				stop() // a second signal during shutdown kills the process
			}()
			return node.Run(ctx, cfg, logger, nodeOpts...)
		},
	}
	f := cmd.Flags()
	f.StringVar(&ov.RPCListenAddr, "rpc.laddr", "", "RPC listen address, e.g. tcp://127.0.0.1:26657 (default: config.toml's)")
	f.StringVar(&ov.P2PListenAddr, "p2p.laddr", "", "P2P listen address, e.g. tcp://127.0.0.1:26656 (default: config.toml's)")
	f.StringVar(&ov.PersistentPeers, "p2p.persistent_peers", "", "comma-separated ID@host:port peers to keep connected (default: config.toml's)")
	f.DurationVar(&ov.TimeoutCommit, "consensus.timeout_commit", 0, "wait after a commit before the next height, e.g. 1s (default: config.toml's)")
	f.StringVar(&ov.LogLevel, "log_level", "", "log level, e.g. info, debug or consensus:debug,*:error (default: config.toml's)")
	f.StringVar(&resolverAddr, "resolver.laddr", resolver.DefaultListenAddr, `HTTP resolver listen address host:port; "off" or "" turns the resolver off`)
	return cmd
}

// resolverListenAddr reads a --resolver.laddr value: host:port, optionally
// written as tcp:// or http:// like the other addresses; "" or "off" means
// no resolver.
func resolverListenAddr(v string) (addr string, on bool) {
	v = strings.TrimSpace(v)
	if v == "" || strings.EqualFold(v, "off") {
		return "", false
	}
	for _, scheme := range []string{"tcp://", "http://"} {
		v = strings.TrimPrefix(v, scheme)
	}
	return v, true
}
