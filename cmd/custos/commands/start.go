package commands

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/cmd/custos/node"
)

func newStartCmd(opts *options) *cobra.Command {
	var ov node.Overrides
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Run the node: CometBFT and the Custos application in one process",
		Long: `Start loads config/config.toml from the home, applies the flags given here
over it and runs the node until SIGINT or SIGTERM, then stops it cleanly.
Flags not given keep the values of config.toml. Logs go to stdout.`,
		Example: `  custos start
  custos start --home ./alice --rpc.laddr tcp://127.0.0.1:26667 --log_level consensus:debug,*:info
  custos start --p2p.persistent_peers 5f6c...@127.0.0.1:26656 --consensus.timeout_commit 500ms`,
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
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			go func() {
				<-ctx.Done()
				stop() // a second signal during shutdown kills the process
			}()
			return node.Run(ctx, cfg, logger)
		},
	}
	f := cmd.Flags()
	f.StringVar(&ov.RPCListenAddr, "rpc.laddr", "", "RPC listen address, e.g. tcp://127.0.0.1:26657 (default: config.toml's)")
	f.StringVar(&ov.P2PListenAddr, "p2p.laddr", "", "P2P listen address, e.g. tcp://127.0.0.1:26656 (default: config.toml's)")
	f.StringVar(&ov.PersistentPeers, "p2p.persistent_peers", "", "comma-separated ID@host:port peers to keep connected (default: config.toml's)")
	f.DurationVar(&ov.TimeoutCommit, "consensus.timeout_commit", 0, "wait after a commit before the next height, e.g. 1s (default: config.toml's)")
	f.StringVar(&ov.LogLevel, "log_level", "", "log level, e.g. info, debug or consensus:debug,*:error (default: config.toml's)")
	return cmd
}
