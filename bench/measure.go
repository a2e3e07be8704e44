package bench

import (
	"context"
	"fmt"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// Window is what the chain committed in a time window.
type Window struct {
	Blocks    int
	Txs       int   // txs in those blocks
	OK        int   // of which succeeded
	FirstH    int64 // first and last height inside the window
	LastH     int64
	Seconds   float64
	TxBytes   int64
	EmptyOnes int // blocks without txs
}

// Count reads blocks from height from up to the chain's latest and counts
// those whose time is in [t0, t1].
func Count(ctx context.Context, c *rpchttp.HTTP, from int64, t0, t1 time.Time) (Window, error) {
	w := Window{Seconds: t1.Sub(t0).Seconds()}
	st, err := c.Status(ctx)
	if err != nil {
		return w, err
	}
	for h := from; h <= st.SyncInfo.LatestBlockHeight; h++ {
		b, err := c.Block(ctx, &h)
		if err != nil {
			return w, fmt.Errorf("bench: block %d: %w", h, err)
		}
		bt := b.Block.Time
		if bt.Before(t0) {
			continue
		}
		if bt.After(t1) {
			break
		}
		res, err := c.BlockResults(ctx, &h)
		if err != nil {
			return w, fmt.Errorf("bench: block results %d: %w", h, err)
		}
		if w.FirstH == 0 {
			w.FirstH = h
		}
		w.LastH = h
		w.Blocks++
		w.Txs += len(b.Block.Txs)
		if len(b.Block.Txs) == 0 {
			w.EmptyOnes++
		}
		for i, r := range res.TxsResults {
			if r.Code == 0 {
				w.OK++
				w.TxBytes += int64(len(b.Block.Txs[i]))
			}
		}
	}
	return w, nil
}
