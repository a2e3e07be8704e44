package commands

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cometbft/cometbft/libs/log"
	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/resolver"
)

const (
	// resolverNodeDefault is the RPC address of the node of `custos start`.
	resolverNodeDefault = "http://127.0.0.1:26657"
	// resolverNodeEnv sets --node when the flag is not given, as for the
	// other commands that talk to a node.
	resolverNodeEnv = "CUSTOS_NODE"
)

func newResolverCmd(_ *options) *cobra.Command {
	cfg := resolver.DefaultConfig()
	var nodeAddr string
	cmd := &cobra.Command{
		Use:   "resolver",
		Short: "Serve the HTTP DID resolver from any node's RPC",
		Long: `Resolver serves the HTTP resolver (docs/resolver.md) alone, reading the state
of the node at --node through its RPC (ABCI queries of /state, each request
pinned to one committed height). It takes part in no consensus: run one beside
each full node to scale reads. It runs until SIGINT or SIGTERM.

custos start serves the same resolver in-process; use this command to serve it
from another process or machine.`,
		Example: `  custos resolver
  custos resolver --node http://10.0.0.5:26657 --laddr 127.0.0.1:8081
  curl -s http://127.0.0.1:8080/1.0/identifiers/did:custos:...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			addr, on := resolverListenAddr(cfg.ListenAddr)
			if !on {
				return errors.New("--laddr is empty: give host:port, e.g. " + resolver.DefaultListenAddr)
			}
			cfg.ListenAddr = addr
			if err := cfg.Validate(); err != nil {
				return err
			}
			if fl := cmd.Flags().Lookup("node"); !fl.Changed {
				if env := os.Getenv(resolverNodeEnv); env != "" {
					nodeAddr = env
				}
			}
			src, err := resolver.NewRPCSource(nodeAddr)
			if err != nil {
				return fmt.Errorf("%w: give the node's RPC address, e.g. %s", err, resolverNodeDefault)
			}
			logger := log.NewTMLogger(log.NewSyncWriter(cmd.OutOrStdout()))
			srv, err := resolver.New(cfg, src, logger)
			if err != nil {
				return err
			}
			if err := srv.Listen(); err != nil {
				return fmt.Errorf("%w: choose another address with --laddr", err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			checkNode(ctx, src, logger)
			srv.Serve()
			select {
			case <-ctx.Done():
				stop() // a second signal during shutdown kills the process
				logger.Info("shutting down", "reason", context.Cause(ctx))
				return srv.Shutdown(context.Background())
			case err := <-srv.Err():
				return fmt.Errorf("the resolver stopped serving: %w", err)
			}
		},
	}
	f := cmd.Flags()
	f.StringVar(&nodeAddr, "node", resolverNodeDefault, "RPC address of the node whose state is served; the "+resolverNodeEnv+" environment variable sets it too")
	f.StringVar(&cfg.ListenAddr, "laddr", resolver.DefaultListenAddr, "HTTP listen address host:port")
	f.IntVar(&cfg.CacheEntries, "cache-entries", cfg.CacheEntries, "rendered document versions kept in memory (0: no cache)")
	return cmd
}

// checkNode tells whether the node answers; a node that does not yet is
// logged, not fatal: the resolver answers 500 and /healthz 503 until it
// does.
func checkNode(ctx context.Context, src resolver.Source, logger log.Logger) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	view, err := src.View(ctx)
	if err == nil {
		defer view.Close()
		var h int64
		if h, err = view.Height(); err == nil {
			logger.Info("reading the node's state", "node", src.Name(), "height", h)
			return
		}
	}
	logger.Error("the node does not answer yet; the resolver answers 503 on /healthz until it does", "node", src.Name(), "err", err)
}
