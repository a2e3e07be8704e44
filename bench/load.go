package bench

import (
	"context"
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
	Start    time.Time
	End      time.Time
}

// Offer sends txs in order at rate txs/s (0: as fast as the connections
// go) over conns connections spread across clients, until the txs run out
// or dur passes.
func Offer(ctx context.Context, clients []*rpchttp.HTTP, txs [][]byte, rate, conns int, dur time.Duration) Offered {
	ctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	next := make(chan []byte, 1024)
	var o Offered
	o.Start = time.Now()
	go pace(ctx, txs, rate, next)
	var wg sync.WaitGroup
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(cl *rpchttp.HTTP) {
			defer wg.Done()
			for tx := range next {
				atomic.AddInt64(&o.Sent, 1)
				res, err := cl.BroadcastTxSync(ctx, tx)
				if err == nil && res.Code == 0 {
					atomic.AddInt64(&o.Accepted, 1)
				} else {
					atomic.AddInt64(&o.Rejected, 1)
				}
			}
		}(clients[w%len(clients)])
	}
	wg.Wait()
	o.End = time.Now()
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
