package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/internal/bench"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "custos-bench",
		Short:         "Measure Custos beside CometBFT's kvstore on the same network and load",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newRunCmd(), newSuiteCmd(), newKVNodeCmd())
	return root
}

// runFlags are the flags of one run.
type runFlags struct {
	cfg       bench.Config
	custosBin string
}

func addRunFlags(cmd *cobra.Command, f *runFlags) {
	cmd.Flags().DurationVar(&f.cfg.Duration, "duration", 15*time.Second, "measured window")
	cmd.Flags().DurationVar(&f.cfg.Hold, "hold", 0, "keep the nodes running without load this long after the window")
	cmd.Flags().IntVar(&f.cfg.Rate, "rate", 10000, "offered txs per second (above what the network commits, to find its limit; the table marks an app that sent at this rate)")
	cmd.Flags().IntVar(&f.cfg.Conns, "conns", 8, "RPC connections")
	cmd.Flags().DurationVar(&f.cfg.FullBackoff, "full-backoff", 50*time.Millisecond, "how long a connection waits after a full mempool refused its tx (0: no wait)")
	cmd.Flags().IntVar(&f.cfg.Warm, "warm", 20000, "DIDs (or kvstore keys) written before the window")
	cmd.Flags().DurationVar(&f.cfg.TimeoutCommit, "timeout-commit", 500*time.Millisecond, "consensus.timeout_commit of every node")
	cmd.Flags().IntVar(&f.cfg.BasePort, "base-port", 26600, "first port of the testnet (all below 32768)")
	cmd.Flags().StringVar(&f.custosBin, "custos", "bin/custos", "the custos binary")
	cmd.Flags().StringVar(&f.cfg.Dir, "dir", filepath.Join(os.TempDir(), "custos-bench-net"), "testnet folder (removed after each run)")
	cmd.Flags().BoolVar(&f.cfg.Keep, "keep", false, "keep the testnet folder (node logs) after the run")
	cmd.Flags().StringVar(&f.cfg.Pprof, "pprof", "", "host:port where node0 serves net/http/pprof, for profiling a run")
}

func (f *runFlags) resolve() error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	f.cfg.BenchBin = self
	f.cfg.CustosBin, err = filepath.Abs(f.custosBin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(f.cfg.CustosBin); err != nil {
		return fmt.Errorf("custos binary %s: %w (run make build, or pass --custos)", f.cfg.CustosBin, err)
	}
	return nil
}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:     "run",
		Short:   "One measured run of one app on one network",
		Example: "  custos-bench run --app custos --validators 4 --duration 15s",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.resolve(); err != nil {
				return err
			}
			f.cfg.Progress = cmd.ErrOrStderr()
			res, err := bench.Run(context.Background(), f.cfg)
			if err != nil {
				return err
			}
			return bench.WriteJSON(cmd.OutOrStdout(), res)
		},
	}
	addRunFlags(cmd, &f)
	cmd.Flags().StringVar(&f.cfg.App, "app", bench.AppCustos, "custos, kvstore (CometBFT's kvstore with the ABCI client Custos runs with) or kvstore-stock (with CometBFT's own local client)")
	cmd.Flags().IntVar(&f.cfg.Validators, "validators", 1, "validators")
	return cmd
}

func newSuiteCmd() *cobra.Command {
	var f runFlags
	var reps int
	var out string
	var validators []int
	var samples, stateDIDs int
	var resolverDIDs []int
	var resolverTime time.Duration
	var policyCreates int
	var apps []string
	cmd := &cobra.Command{
		Use:     "suite",
		Short:   "Custos and kvstore on 1 and 4 validators, repeated; prints the table `make bench` shows",
		Example: "  custos-bench suite --reps 3 --out bench/results",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.resolve(); err != nil {
				return err
			}
			f.cfg.Progress = cmd.ErrOrStderr()
			return bench.Suite(context.Background(), bench.SuiteConfig{
				Base: f.cfg, Validators: validators, Apps: apps, Reps: reps, OutDir: out, Out: cmd.OutOrStdout(),
				VisibilitySamples: samples, StateDIDs: stateDIDs,
				ResolverDIDs: resolverDIDs, ResolverDuration: resolverTime,
				PolicyCreates: policyCreates,
			})
		},
	}
	addRunFlags(cmd, &f)
	cmd.Flags().IntVar(&reps, "reps", 3, "repetitions of each run")
	cmd.Flags().IntSliceVar(&validators, "validators", []int{1, 4}, "network sizes")
	cmd.Flags().StringSliceVar(&apps, "apps", bench.Apps,
		"apps run on each network, interleaved: custos and at least one of kvstore (the ABCI client Custos runs with) and kvstore-stock (CometBFT's own local client)")
	cmd.Flags().StringVar(&out, "out", "bench/results", "folder for JSON lines and the markdown summary")
	cmd.Flags().IntVar(&samples, "visibility-samples", 30, "rotations timed until every node's resolver serves them (0: skip)")
	cmd.Flags().IntVar(&stateDIDs, "state-dids", 10000, "DIDs written to measure state bytes per DID (0: skip)")
	cmd.Flags().IntSliceVar(&resolverDIDs, "resolver-dids", []int{10000, 1000000},
		"state sizes for the HTTP resolver figures (empty: skip)")
	cmd.Flags().DurationVar(&resolverTime, "resolver-duration", 3*time.Second, "how long each resolver figure resolves")
	cmd.Flags().IntVar(&policyCreates, "policy-creates", 2000, "creates measured in process under each write policy, for what each adds per create (0: skip)")
	return cmd
}
