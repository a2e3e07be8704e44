package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/testnet"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// Apps a run can measure.
const (
	AppCustos  = "custos"
	AppKVStore = "kvstore"
	// AppKVStock is kvstore with CometBFT's own local ABCI client, which
	// holds one mutex for every call (CheckTx included): kvstore as
	// CometBFT ships it. AppKVStore runs with the client Custos runs with.
	AppKVStock = "kvstore-stock"
)

// Apps are the apps a run can measure, in the order tables list them.
var Apps = []string{AppCustos, AppKVStore, AppKVStock}

// checkApp refuses an app that is not one of Apps.
func checkApp(app string) error {
	if !slices.Contains(Apps, app) {
		return fmt.Errorf("bench: unknown app %q: one of %s", app, strings.Join(Apps, ", "))
	}
	return nil
}

// Config describes one run.
type Config struct {
	App        string
	Validators int
	// Duration of the measured window, Rate the offered txs/s, Conns the
	// RPC connections.
	Duration time.Duration
	Rate     int
	Conns    int
	// FullBackoff is how long a connection waits after a full mempool
	// refused its tx (0: it sends again at once).
	FullBackoff time.Duration
	// Warm is how many DIDs (or kvstore keys) are written before the
	// window; half of the measured txs change them.
	Warm          int
	TimeoutCommit time.Duration
	BasePort      int
	// CustosBin and BenchBin are the binaries that run nodes.
	CustosBin string
	BenchBin  string
	// Dir receives the testnet; it is removed after the run unless Keep.
	Dir  string
	Keep bool
	// Progress receives one line per step (nil: none).
	Progress io.Writer
	// Pprof, if set, is a host:port where node0 serves net/http/pprof.
	Pprof string
	// Hold keeps the nodes running, without load, this long after the
	// window (for watching their memory once the load stops).
	Hold time.Duration
}

// Result is one run's figures.
type Result struct {
	App          string  `json:"app"`
	Validators   int     `json:"validators"`
	Rep          int     `json:"rep"`
	OpsPerSec    float64 `json:"committed_ops_per_s"`
	BlocksPerSec float64 `json:"blocks_per_s"`
	CPUCores     float64 `json:"node_cpu_cores"`
	Offered      int64   `json:"offered"`
	Accepted     int64   `json:"accepted_by_checktx"`
	// Rejected counts the offered txs refused, by reason.
	Rejected    map[string]int64 `json:"rejected,omitempty"`
	Committed   int              `json:"committed_ok"`
	TxsInBlocks int              `json:"txs_in_blocks"`
	AvgTxBytes  float64          `json:"avg_tx_bytes"`
	Seconds     float64          `json:"window_s"`
	Rate        int              `json:"offered_rate"`
	// RTTp50Ms and RTTp99Ms are the round trip of an accepted
	// broadcast_tx_sync (Offered.RTTp50, RTTp99), in milliseconds.
	RTTp50Ms float64 `json:"broadcast_rtt_p50_ms"`
	RTTp99Ms float64 `json:"broadcast_rtt_p99_ms"`
}

const chainID = "custos-bench"

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (c Config) say(format string, args ...any) {
	if c.Progress != nil {
		fmt.Fprintf(c.Progress, format+"\n", args...)
	}
}

// Run performs one measured run.
func Run(ctx context.Context, cfg Config) (Result, error) {
	res := Result{App: cfg.App, Validators: cfg.Validators, Rate: cfg.Rate}
	if err := checkApp(cfg.App); err != nil {
		return res, err
	}
	opts := testnet.DefaultOptions(cfg.Dir)
	opts.Validators, opts.ChainID, opts.TimeoutCommit, opts.Prometheus = cfg.Validators, chainID, cfg.TimeoutCommit, false
	opts.Overwrite = true
	// The network's write policy, at a stamp difficulty low enough to
	// stamp the pre-signed load quickly (the stamp's check costs a node one
	// hash whatever the difficulty); each DID gets at most two ops, within
	// the rate limits.
	opts.AppState = func(g *app.GenesisState) {
		g.Params.StampDifficulty = StampDifficulty
		g.Params.RateLimits = app.GenesisRateLimits(types.DefaultRateLimits())
	}
	if cfg.BasePort != 0 {
		opts.BasePort = cfg.BasePort
	}
	if cfg.Pprof != "" {
		opts.Configure = func(i int, c *cmtcfg.Config) {
			if i == 0 {
				c.RPC.PprofListenAddress = cfg.Pprof
			}
		}
	}
	net, err := testnet.Init(opts)
	if err != nil {
		return res, err
	}
	if !cfg.Keep {
		defer os.RemoveAll(cfg.Dir)
	}
	n := cfg.Rate * int(cfg.Duration.Seconds())
	cfg.say("  presigning %d warm-up and %d measured %s txs", cfg.Warm, n, cfg.App)
	warm, measured, err := workload(cfg, n)
	if err != nil {
		return res, err
	}
	cl, err := StartCluster(net, func(node testnet.Node) []string {
		switch cfg.App {
		case AppKVStore:
			return []string{cfg.BenchBin, "kvnode", "--home", node.Home}
		case AppKVStock:
			return []string{cfg.BenchBin, "kvnode", "--stock-client", "--home", node.Home}
		}
		return append([]string{cfg.CustosBin}, node.StartArgs()...)
	})
	if err != nil {
		return res, err
	}
	defer cl.Stop()
	if err := cl.WaitHeight(ctx, 2, time.Minute); err != nil {
		return res, err
	}
	cfg.say("  warming up: %d txs", len(warm))
	fctx, cancelFill := context.WithTimeout(ctx, 5*time.Minute)
	defer cancelFill()
	if err := cl.Commit(fctx, warm, cfg.Conns); err != nil {
		return res, err
	}
	h, err := cl.Height(ctx)
	if err != nil {
		return res, err
	}
	if err := cl.WaitHeight(ctx, h+1, time.Minute); err != nil {
		return res, err
	}
	from, _ := cl.Height(ctx)
	cpu0 := cl.CPUSeconds()
	cfg.say("  offering %d txs/s for %v over %d connections", cfg.Rate, cfg.Duration, cfg.Conns)
	off := Offer(ctx, cl.Clients, measured, cfg.Rate, cfg.Conns, cfg.Duration, cfg.FullBackoff)
	cpu1 := cl.CPUSeconds()
	h, _ = cl.Height(ctx)
	if err := cl.WaitHeight(ctx, h+2, time.Minute); err != nil {
		return res, err
	}
	w, err := Count(ctx, cl.Clients[0], from, off.Start, off.End)
	if err != nil {
		return res, err
	}
	if cfg.Hold > 0 {
		cfg.say("  holding the nodes without load for %v", cfg.Hold)
		select {
		case <-ctx.Done():
		case <-time.After(cfg.Hold):
		}
	}
	res.Offered, res.Accepted, res.Rejected = off.Sent, off.Accepted, off.Reasons
	res.RTTp50Ms, res.RTTp99Ms = ms(off.RTTp50), ms(off.RTTp99)
	res.Committed, res.TxsInBlocks, res.Seconds = w.OK, w.Txs, w.Seconds
	res.OpsPerSec, res.BlocksPerSec = w.Rate(), w.BlockRate()
	if w.Seconds > 0 {
		res.CPUCores = (cpu1 - cpu0) / off.End.Sub(off.Start).Seconds()
	}
	if w.OK > 0 {
		res.AvgTxBytes = float64(w.TxBytes) / float64(w.OK)
	}
	return res, nil
}

// workload presigns the warm-up and measured txs of a run. kvstore txs
// have the sizes of the Custos txs of the same run.
func workload(cfg Config, n int) (warm, measured [][]byte, err error) {
	run := fmt.Sprintf("%s-%d", cfg.App, time.Now().UnixNano())
	warmTxs, ids := didtest.Creates(chainID, run, 0, cfg.Warm)
	mix := didtest.Mix(chainID, run, ids, 0, cfg.Warm, n)
	if warmTxs, err = stampCreates(warmTxs); err != nil {
		return nil, nil, err
	}
	if mix, err = stampCreates(mix); err != nil {
		return nil, nil, err
	}
	if cfg.App == AppCustos {
		return warmTxs, mix, nil
	}
	return KVTxs(run+"-w", len(warmTxs), Sizes(warmTxs)), KVTxs(run+"-m", len(mix), Sizes(mix)), nil
}

// StampDifficulty is the stamp difficulty of the bench's networks.
const StampDifficulty = 8

// stampCreates adds a stamp of StampDifficulty bits to every create of
// txs, in place.
func stampCreates(txs [][]byte) ([][]byte, error) {
	for i, tx := range txs {
		_, body, err := types.DecodeTx(tx, 1<<20)
		if err != nil {
			return nil, err
		}
		if _, create := body.Operation.(*types.TxBody_Create); !create {
			continue
		}
		if txs[i], err = txbuild.AddStamp(context.Background(), tx, StampDifficulty, nil); err != nil {
			return nil, err
		}
	}
	return txs, nil
}
