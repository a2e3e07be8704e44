package bench

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// Offered is what a load run sent.
type Offered struct {
	Sent     int64
	Accepted int64 // CheckTx said OK
	Rejected int64 // CheckTx refused (mempool full, invalid) or RPC error
	// Reasons counts the rejections by reason: the CheckTx codespace and
	// code, or the RPC error's text.
	Reasons map[string]int64
	Start   time.Time
	End     time.Time
	// RTTp50 and RTTp99 are percentiles of the round trip of the accepted
	// broadcast_tx_sync calls, as the generator sees it: with synchronous
	// connections, what bounds the rate they can send at.
	RTTp50, RTTp99 time.Duration
}

// Offer sends txs in order at rate txs/s (0: as fast as the connections
// go) over conns connections spread across clients, until the txs run out
// or dur passes. A connection whose tx a full mempool refused waits
// fullBackoff before it sends again, as a client would: without it, the
// connections of an app whose mempools fill would spin on refusals that
// cost the nodes (and the generator, on the same CPUs) RPC work, and the
// figure would measure the RPC server's refusal path.
func Offer(ctx context.Context, clients []*rpchttp.HTTP, txs [][]byte, rate, conns int, dur, fullBackoff time.Duration) Offered {
	ctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	next := make(chan []byte, 1024)
	var o Offered
	var mu sync.Mutex // guards o.Reasons
	o.Reasons = make(map[string]int64)
	var rtts []time.Duration // guarded by mu
	o.Start = time.Now()
	go pace(ctx, txs, rate, next)
	spread(clients, conns, func(cl *rpchttp.HTTP) {
		var mine []time.Duration
		defer func() {
			mu.Lock()
			rtts = append(rtts, mine...)
			mu.Unlock()
		}()
		for tx := range next {
			if ctx.Err() != nil {
				continue // the window has ended: drain, do not send
			}
			atomic.AddInt64(&o.Sent, 1)
			sent := time.Now()
			res, err := cl.BroadcastTxSync(ctx, tx)
			if err == nil && res.Code == 0 {
				mine = append(mine, time.Since(sent))
				atomic.AddInt64(&o.Accepted, 1)
				continue
			}
			atomic.AddInt64(&o.Rejected, 1)
			reason := ""
			if err != nil {
				reason = rejection(err.Error())
			} else {
				reason = fmt.Sprintf("%s/%d", res.Codespace, res.Code)
			}
			mu.Lock()
			o.Reasons[reason]++
			mu.Unlock()
			if reason == mempoolFull && fullBackoff > 0 {
				select {
				case <-ctx.Done():
				case <-time.After(fullBackoff):
				}
			}
		}
	})()
	o.End = time.Now()
	if len(rtts) > 0 {
		slices.Sort(rtts)
		o.RTTp50, o.RTTp99 = rtts[len(rtts)/2], rtts[len(rtts)*99/100]
	}
	return o
}

// pace feeds txs into next at rate per second, in 10ms steps.
func pace(ctx context.Context, txs [][]byte, rate int, next chan<- []byte) {
	defer close(next)
	if rate <= 0 {
		for _, tx := range txs {
			select {
			case next <- tx:
			case <-ctx.Done():
				return
			}
		}
		return
	}
	start := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	i := 0
	for i < len(txs) {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			due := int(float64(rate) * now.Sub(start).Seconds())
			for ; i < due && i < len(txs); i++ {
				select {
				case next <- txs[i]:
				case <-ctx.Done():
					return
				}
			}
		}
	}
}

// The mempool's refusals, as CometBFT's RPC words them.
const (
	mempoolFull = "mempool is full"
	inCache     = "tx already exists in cache"
)

// spread runs work on conns goroutines, goroutine w with the connection
// clients[w%len(clients)], and returns a func that waits for them all.
func spread(clients []*rpchttp.HTTP, conns int, work func(cl *rpchttp.HTTP)) (wait func()) {
	var wg sync.WaitGroup
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(cl *rpchttp.HTTP) {
			defer wg.Done()
			work(cl)
		}(clients[w%len(clients)])
	}
	return wg.Wait
}

// rejection names the reason in an RPC error worth counting: the
// mempool's refusals by name, anything else by its (shortened) text.
func rejection(msg string) string {
	for _, known := range []string{mempoolFull, inCache, "context deadline exceeded"} {
		if strings.Contains(msg, known) {
			return known
		}
	}
	if len(msg) > 80 {
		msg = msg[:80]
	}
	return msg
}

// Fill sends every tx over conns connections spread across clients until
// a node accepts it: a tx refused because the mempool is full is sent
// again after a pause. It returns an error if a tx is refused for any
// other reason, or if ctx ends first. Warm-up uses it so that every
// warm-up write exists before the measured window, whatever the mempool
// size.
func Fill(ctx context.Context, clients []*rpchttp.HTTP, txs [][]byte, conns int) error {
	next := make(chan []byte)
	errs := make(chan error, conns)
	wait := spread(clients, conns, func(cl *rpchttp.HTTP) {
		for tx := range next {
			if err := sendUntilAccepted(ctx, cl, tx); err != nil {
				errs <- err
				return
			}
		}
	})
	var err error
feed:
	for _, tx := range txs {
		select {
		case next <- tx:
		case err = <-errs:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}

func sendUntilAccepted(ctx context.Context, cl *rpchttp.HTTP, tx []byte) error {
	for {
		res, err := cl.BroadcastTxSync(ctx, tx)
		switch {
		case err == nil && res.Code == 0:
			return nil
		case err != nil && strings.Contains(err.Error(), inCache):
			return nil // a node has it (or has committed it): Cluster.Commit checks
		case err == nil:
			return fmt.Errorf("bench: warm-up tx refused: %s/%d: %s", res.Codespace, res.Code, res.Log)
		case !strings.Contains(err.Error(), mempoolFull):
			return fmt.Errorf("bench: warm-up tx: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
