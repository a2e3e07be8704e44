package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/cometbft/cometbft/abci/example/kvstore"
	abci "github.com/cometbft/cometbft/abci/types"
	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/libs/log"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/app/accel"
	"github.com/custos-ledger/custos/node"
)

// newKVNodeCmd runs a CometBFT node with the kvstore example app in-process,
// from a home written for Custos: same config, same genesis, same ports.
func newKVNodeCmd() *cobra.Command {
	var home string
	var stock bool
	cmd := &cobra.Command{
		Use:    "kvnode",
		Short:  "Run CometBFT's kvstore app in a Custos node home (the bench baseline)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			cfg, err := node.LoadConfig(home, node.Overrides{})
			if err != nil {
				return err
			}
			logger, err := node.NewLogger(cfg, os.Stdout)
			if err != nil {
				return err
			}
			client := func(app abci.Application) proxy.ClientCreator { return accel.BatchedCheckTx(app, accel.Batching{}) }
			if stock {
				client = proxy.NewLocalClientCreator
			}
			return runKV(cfg, logger, client)
		},
	}
	cmd.Flags().StringVar(&home, "home", "", "node home")
	cmd.Flags().BoolVar(&stock, "stock-client", false, "use CometBFT's own local ABCI client (one mutex for every call) instead of the one Custos runs with (first-time checks queued and answered in batches, no mutex for CheckTx)")
	return cmd
}

// runKV runs the node until SIGINT or SIGTERM.
func runKV(cfg *cmtcfg.Config, logger log.Logger, client func(abci.Application) proxy.ClientCreator) error {
	nodeKey, err := p2p.LoadNodeKey(cfg.NodeKeyFile())
	if err != nil {
		return err
	}
	app := kvstore.NewPersistentApplication(filepath.Join(cfg.DBDir(), "kvstore"))
	n, err := cmtnode.NewNode(cfg, privval.LoadFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile()),
		nodeKey, client(app), cmtnode.DefaultGenesisDocProviderFunc(cfg),
		cmtcfg.DefaultDBProvider, cmtnode.DefaultMetricsProvider(cfg.Instrumentation), logger)
	if err != nil {
		return fmt.Errorf("kvnode: %w", err)
	}
	if err := n.Start(); err != nil {
		return fmt.Errorf("kvnode: %w", err)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	logger.Info("kvnode stopping")
	if err := n.Stop(); err != nil {
		return err
	}
	n.Wait()
	return app.Close()
}
