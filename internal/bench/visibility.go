package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/testnet"
)

// Visibility measures, on a running Custos cluster, the time from
// submitting a rotation to one node until every node's resolver serves the
// new version, over samples rotations. It returns the durations, sorted.
func Visibility(ctx context.Context, cl *Cluster, samples int) ([]time.Duration, error) {
	run := fmt.Sprintf("vis-%d", time.Now().UnixNano())
	creates, ids := didtest.Creates(chainID, run, 0, samples)
	fctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := cl.Commit(fctx, creates, 4); err != nil {
		return nil, err
	}
	h, err := cl.Height(ctx)
	if err != nil {
		return nil, err
	}
	if err := cl.WaitHeight(ctx, h+1, time.Minute); err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: 2 * time.Second}
	var out []time.Duration
	for i, id := range ids {
		tx := didtest.Rotation(chainID, run, id, i)
		start := time.Now()
		res, err := cl.Clients[i%len(cl.Clients)].BroadcastTxSync(ctx, tx)
		if err != nil || res.Code != 0 {
			return nil, fmt.Errorf("bench: rotation refused: %v %s", err, res.Log)
		}
		for _, n := range cl.Net.Nodes {
			if err := waitVersion(ctx, hc, n, id.String(), "2"); err != nil {
				return nil, err
			}
		}
		out = append(out, time.Since(start))
	}
	slices.Sort(out)
	return out, nil
}

// waitVersion polls a node's resolver until it serves versionId want.
func waitVersion(ctx context.Context, hc *http.Client, n testnet.Node, did, want string) error {
	url := "http://" + n.Resolver + "/1.0/identifiers/" + did
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := hc.Get(url)
		if err == nil {
			var body struct {
				Meta struct {
					VersionID string `json:"versionId"`
				} `json:"didDocumentMetadata"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if body.Meta.VersionID == want {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	return fmt.Errorf("bench: %s's resolver never served version %s of %s", n.Name, want, did)
}

// Percentile returns the p-th percentile of sorted durations.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p * float64(len(sorted)-1))
	return sorted[i]
}

// VisibilityRun starts a Custos testnet of cfg.Validators and measures
// Visibility over it.
func VisibilityRun(ctx context.Context, cfg Config, samples int) ([]time.Duration, error) {
	opts := testnet.DefaultOptions(cfg.Dir)
	opts.Validators, opts.ChainID, opts.TimeoutCommit, opts.Prometheus = cfg.Validators, chainID, cfg.TimeoutCommit, false
	opts.Overwrite = true
	if cfg.BasePort != 0 {
		opts.BasePort = cfg.BasePort
	}
	net, err := testnet.Init(opts)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(cfg.Dir)
	cl, err := StartCluster(net, func(n testnet.Node) []string { return append([]string{cfg.CustosBin}, n.StartArgs()...) })
	if err != nil {
		return nil, err
	}
	defer cl.Stop()
	if err := cl.WaitHeight(ctx, 2, time.Minute); err != nil {
		return nil, err
	}
	return Visibility(ctx, cl, samples)
}
