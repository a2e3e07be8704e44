package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// SuiteConfig is the set of runs `make bench` makes.
type SuiteConfig struct {
	Base       Config
	Validators []int
	// Apps are the apps run on each network, interleaved: AppCustos and
	// one or both kvstore baselines.
	Apps   []string
	Reps   int
	OutDir string
	Out    io.Writer
	// VisibilitySamples rotations are timed until every node's resolver
	// serves them, on the largest network (0: skip).
	VisibilitySamples int
	// StateDIDs DIDs are written to measure state bytes per DID (0: skip).
	StateDIDs int
	// ResolverDIDs are the state sizes the HTTP resolver figures are
	// taken with (ResolverBench), ResolverDuration each.
	ResolverDIDs     []int
	ResolverDuration time.Duration
	// PolicyCreates creates are measured under each write policy
	// (PolicyCosts; 0: skip).
	PolicyCreates int
}

// WriteJSON writes one result as a JSON line.
func WriteJSON(w io.Writer, r Result) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// Suite runs every (validators, app) pair Reps times, interleaving the apps
// so drift on the machine hits them alike, and prints the table.
func Suite(ctx context.Context, s SuiteConfig) error {
	for _, app := range s.Apps {
		if err := checkApp(app); err != nil {
			return err
		}
	}
	if !slices.Contains(s.Apps, AppCustos) || len(s.Apps) < 2 {
		return fmt.Errorf("bench: the suite runs %s beside at least one baseline, not %v", AppCustos, s.Apps)
	}
	stamp := time.Now().UTC().Format("20060102-150405")
	if err := os.MkdirAll(s.OutDir, 0o755); err != nil {
		return err
	}
	jl, err := os.Create(filepath.Join(s.OutDir, stamp+".jsonl"))
	if err != nil {
		return err
	}
	defer jl.Close()
	var all []Result
	total := len(s.Validators) * len(s.Apps) * s.Reps
	done := 0
	for _, v := range s.Validators {
		for rep := 1; rep <= s.Reps; rep++ {
			for _, app := range s.Apps {
				done++
				cfg := s.Base
				cfg.App, cfg.Validators = app, v
				fmt.Fprintf(cfg.Progress, "[%d/%d] %s, %d validator(s), rep %d\n", done, total, app, v, rep)
				r, err := Run(ctx, cfg)
				if err != nil {
					return fmt.Errorf("%s on %d validators: %w", app, v, err)
				}
				r.Rep = rep
				fmt.Fprintf(cfg.Progress, "  %.0f committed ops/s, %.2f blocks/s, %.2f CPU cores, broadcast round trip p50 %.1f ms\n", r.OpsPerSec, r.BlocksPerSec, r.CPUCores, r.RTTp50Ms)
				if err := WriteJSON(jl, r); err != nil {
					return err
				}
				all = append(all, r)
			}
		}
	}
	table := Table(all, s.Base)
	if s.VisibilitySamples > 0 && len(s.Validators) > 0 {
		cfg := s.Base
		cfg.Validators = slices.Max(s.Validators)
		fmt.Fprintf(cfg.Progress, "timing %d rotations until every one of %d nodes' resolvers serves them\n", s.VisibilitySamples, cfg.Validators)
		vis, err := VisibilityRun(ctx, cfg, s.VisibilitySamples)
		if err != nil {
			return fmt.Errorf("visibility: %w", err)
		}
		table += fmt.Sprintf("\nRotation submitted to one node until served by all %d nodes' resolvers (%d samples): p50 %v, p99 %v.\n",
			cfg.Validators, len(vis), Percentile(vis, 0.5).Round(time.Millisecond), Percentile(vis, 0.99).Round(time.Millisecond))
	}
	if s.StateDIDs > 0 {
		fmt.Fprintf(s.Base.Progress, "writing %d DIDs to measure state size\n", s.StateDIDs)
		per, err := StateSize(s.Base.Dir+"-state", s.StateDIDs, 1000)
		if err != nil {
			return fmt.Errorf("state size: %w", err)
		}
		table += fmt.Sprintf("\nState on disk with %d one-key DIDs (badger + tree, one version each): %.0f bytes per DID.\n", s.StateDIDs, per)
	}
	if s.PolicyCreates > 0 {
		fmt.Fprintf(s.Base.Progress, "measuring %d creates under each write policy\n", s.PolicyCreates)
		figs, err := PolicyCosts(s.Base.Dir+"-policy", s.PolicyCreates)
		if err != nil {
			return fmt.Errorf("write policy: %w", err)
		}
		table += fmt.Sprintf("\nWhat each write policy adds per create on a node (%d one-key creates through CheckTx and one block, in one process; CPU time per create; the stamp is verified at %d bits, one hash at any difficulty):\n\n", s.PolicyCreates, policyStampBits) +
			PolicyTable(figs)
	}
	if len(s.ResolverDIDs) > 0 {
		var figs []ResolverFigure
		for _, n := range s.ResolverDIDs {
			fmt.Fprintf(s.Base.Progress, "HTTP resolver figures with %d DIDs in state (filling takes a while for large states)\n", n)
			raw, err := os.Create(filepath.Join(s.OutDir, fmt.Sprintf("resolver-%d-latest.txt", n)))
			if err != nil {
				return err
			}
			f, err := ResolverBench(n, s.ResolverDuration, io.MultiWriter(raw, s.Base.Progress))
			raw.Close()
			if err != nil {
				return err
			}
			figs = append(figs, f...)
		}
		table += fmt.Sprintf("\nHTTP resolution (random DIDs for %v a figure, cache on, keep-alive clients on 127.0.0.1, ", s.ResolverDuration) +
			"client and server sharing the machine):\n" + ResolverTable(figs)
	}
	fmt.Fprint(s.Out, table)
	return os.WriteFile(filepath.Join(s.OutDir, stamp+".md"), []byte(table), 0o644)
}

// Table renders the suite's results as markdown.
func Table(rs []Result, base Config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Custos vs kvstore (%s)\n\n", time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "Offered %d txs/s over %d connections for %v per run (a connection whose tx a full mempool refused waits %v); timeout_commit %v; %d warm-up writes.\n\n",
		base.Rate, base.Conns, base.Duration, base.FullBackoff, base.TimeoutCommit, base.Warm)
	b.WriteString("| validators | app | committed ops/s (min / median / max) | sent tx/s | broadcast round trip p50 / p99 (ms) | blocks/s | node CPU cores | node CPU per op, per node (µs) | avg tx bytes | Custos / this app |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	capped := false
	var vals []int
	for _, r := range rs {
		if !slices.Contains(vals, r.Validators) {
			vals = append(vals, r.Validators)
		}
	}
	for _, v := range vals {
		med := map[string]float64{}
		for _, app := range Apps {
			var ops, sent, blocks, cpu, cpuPerOp, size, p50, p99 []float64
			for _, r := range rs {
				if r.Validators == v && r.App == app {
					ops, blocks, cpu, size = append(ops, r.OpsPerSec), append(blocks, r.BlocksPerSec), append(cpu, r.CPUCores), append(size, r.AvgTxBytes)
					sent = append(sent, r.SentRate())
					p50, p99 = append(p50, r.RTTp50Ms), append(p99, r.RTTp99Ms)
					cpuPerOp = append(cpuPerOp, r.CPUPerOp())
				}
			}
			if len(ops) == 0 {
				continue
			}
			med[app] = median(ops)
			ratio := ""
			if app != AppCustos && med[app] > 0 {
				ratio = fmt.Sprintf("**%.2f**", med[AppCustos]/med[app])
			}
			mark := ""
			if base.Rate > 0 && slices.Max(sent) >= atOfferedRate*float64(base.Rate) {
				mark, capped = " †", true
			}
			fmt.Fprintf(&b, "| %d | %s | %.0f / %.0f / %.0f | %.0f%s | %.1f / %.1f | %.2f | %.2f | %.0f | %.0f | %s |\n",
				v, app, slices.Min(ops), med[app], slices.Max(ops), median(sent), mark, median(p50), median(p99), median(blocks), median(cpu),
				median(cpuPerOp), median(size), ratio)
		}
	}
	if capped {
		fmt.Fprintf(&b, "\n† In at least one run the connections sent at the offered rate (%d txs/s): that app was held back by the load, not by the network, and its figure is a floor. Run again with a higher --rate.\n", base.Rate)
	}
	return b.String()
}

// atOfferedRate is the share of the offered rate at which a run counts as
// held back by the load: the connections sent (nearly) all that was offered.
const atOfferedRate = 0.97

// CPUPerOp is the CPU time the nodes spent per committed op, divided by
// the number of nodes (each node checks and executes every op), in µs: 0
// when nothing was committed. It spreads somewhat less between runs of
// one binary than ops/s does (about ±5–8% against ±6–12%).
func (r Result) CPUPerOp() float64 {
	if r.OpsPerSec <= 0 || r.Validators <= 0 {
		return 0
	}
	return r.CPUCores / r.OpsPerSec / float64(r.Validators) * 1e6
}

// SentRate is the txs the connections sent per second of the window.
func (r Result) SentRate() float64 {
	if r.Seconds <= 0 {
		return 0
	}
	return float64(r.Offered) / r.Seconds
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
