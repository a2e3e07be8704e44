package bench

import (
	"context"
	"fmt"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
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
	// FirstOK is OK's share of the first block; FirstT and LastT are the
	// times of the first and last blocks.
	FirstOK       int
	FirstT, LastT time.Time
}

// Rate is the successful txs committed per second, measured between the
// first and the last block of the window: the txs of every block but the
// first, over the time from the first block to the last. Whole blocks
// counted over the window's length would jump by a block's worth of txs
// with where the window's edges fall (on 4 validators a 15 s window holds 5
// or 6 blocks, ±17%). With fewer than two blocks it is OK over the window.
func (w Window) Rate() float64 {
	if span := w.LastT.Sub(w.FirstT).Seconds(); w.Blocks >= 2 && span > 0 {
		return float64(w.OK-w.FirstOK) / span
	}
	if w.Seconds > 0 {
		return float64(w.OK) / w.Seconds
	}
	return 0
}

// BlockRate is blocks per second, measured like Rate.
func (w Window) BlockRate() float64 {
	if span := w.LastT.Sub(w.FirstT).Seconds(); w.Blocks >= 2 && span > 0 {
		return float64(w.Blocks-1) / span
	}
	if w.Seconds > 0 {
		return float64(w.Blocks) / w.Seconds
	}
	return 0
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
		ok, err := succeeded(ctx, c, h, b.Block.Txs)
		if err != nil {
			return w, err
		}
		if w.FirstH == 0 {
			w.FirstH, w.FirstT = h, bt
		}
		w.LastH, w.LastT = h, bt
		w.Blocks++
		w.Txs += len(b.Block.Txs)
		if len(b.Block.Txs) == 0 {
			w.EmptyOnes++
		}
		for _, tx := range ok {
			w.OK++
			w.TxBytes += int64(len(tx))
			if h == w.FirstH {
				w.FirstOK++
			}
		}
	}
	return w, nil
}

// succeeded returns the txs of block h (txs) that executed with code 0.
func succeeded(ctx context.Context, c *rpchttp.HTTP, h int64, txs cmttypes.Txs) ([]cmttypes.Tx, error) {
	if len(txs) == 0 {
		return nil, nil
	}
	res, err := c.BlockResults(ctx, &h)
	if err != nil {
		return nil, fmt.Errorf("bench: block results %d: %w", h, err)
	}
	var ok []cmttypes.Tx
	for i, r := range res.TxsResults {
		if r.Code == 0 {
			ok = append(ok, txs[i])
		}
	}
	return ok, nil
}
