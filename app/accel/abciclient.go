package accel

import (
	"context"
	"sync"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/proxy"
)

// Batching is what the batching client adds to an app's CheckTx. Both
// fields may be nil.
type Batching struct {
	// Prepare is handed each batch of two or more first-time checks
	// before they are checked one by one. It must decide nothing: each
	// CheckTx still answers alone. Custos verifies the batch's signatures
	// together (App.PrepareCheckTxs, Engine.PrepareChecks), which costs
	// about 0.6 times as much per signature as one by one in batches of 8
	// or more.
	Prepare func(txs [][]byte)
	// Failed answers a queued check whose CheckTx returned an error (a
	// local client would hand the error to the mempool, which panics on
	// it). nil answers code 1 with the error as the log; Custos answers
	// node_unavailable (App.FailedCheck).
	Failed func(err error) *abci.ResponseCheckTx
}

// BatchedCheckTx returns a ClientCreator for an in-process app that keeps
// one mutex per ABCI connection (as proxy.NewConnSyncLocalClientCreator
// does) except for CheckTx:
//
//   - A first-time check (CheckTxAsync of a new tx, from the RPC or the
//     mempool reactor) is queued and answered later, as a socket client's
//     is. One worker takes everything queued at once (at most maxBatch),
//     hands the batch to b.Prepare (if set), then checks each
//     tx in arrival order. Under load the queue fills while the worker is
//     busy, so batches grow with the load; a lone tx is checked at once.
//     The worker is one goroutine for the client's life (started by the
//     first check, ended by Stop), not one per burst of checks: a new
//     goroutine starts on a small stack, and growing it to the depth of a
//     check (signature verification's frames are large) cost 2-3% of a
//     node's CPU under the bench's load (bench/results/history.md).
//     The callers (the RPC's broadcast, the reactor's peer routines) do not
//     wait for each other.
//   - Flush waits until every queued check has been answered. CometBFT
//     flushes the mempool connection under the mempool's lock before Commit
//     and recheck, so no first-time answer arrives during either.
//   - A recheck (which CometBFT runs under the mempool's write lock) and
//     the synchronous CheckTx run at once, without a lock.
//
// The app's CheckTx must be safe for concurrent use with the other
// connections. Custos's is: it reads a snapshot of committed state, and its
// caches are locked. The bench's kvstore baseline runs with this client
// too, so both apps are measured behind the same one.
func BatchedCheckTx(app abci.Application, b Batching) proxy.ClientCreator {
	return batchedCheckCreator{app: app, b: b}
}

type batchedCheckCreator struct {
	app abci.Application
	b   Batching
}

func (c batchedCheckCreator) NewABCIClient() (abcicli.Client, error) {
	cli := &batchedCheckClient{Client: abcicli.NewLocalClient(nil, c.app), app: c.app, batching: c.b,
		wake: make(chan struct{}, 1), quit: make(chan struct{})}
	cli.idle = sync.NewCond(&cli.mu)
	return cli, nil
}

// maxBatch bounds a batch: past a few hundred signatures, batch
// verification gains little more per signature, and the first tx of a
// batch waits for the whole batch's preparation.
const maxBatch = 1024

// batchedCheckClient is a local client whose first-time checks are queued
// and answered in batches, and whose other CheckTx paths skip its mutex.
type batchedCheckClient struct {
	abcicli.Client
	app      abci.Application
	batching Batching

	mu       sync.Mutex
	idle     *sync.Cond // signalled when the queue is empty and no check runs
	cb       abcicli.Callback
	queue    []*abcicli.ReqRes
	checking bool // the worker has work; it owns every request it has taken
	running  bool // the worker goroutine has started
	stopped  bool // Stop was called: each burst of checks gets its own goroutine

	wake chan struct{} // the worker has work (buffered: at most one pending)
	quit chan struct{} // closed by Stop
}

func (c *batchedCheckClient) SetResponseCallback(cb abcicli.Callback) {
	c.mu.Lock()
	c.cb = cb
	c.mu.Unlock()
	c.Client.SetResponseCallback(cb)
}

func (c *batchedCheckClient) CheckTx(ctx context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	return c.app.CheckTx(ctx, req)
}

// CheckTxAsync queues a first-time check and returns its pending request;
// a recheck is answered at once, as the local client does: the global
// callback runs, then the request is returned done.
func (c *batchedCheckClient) CheckTxAsync(ctx context.Context, req *abci.RequestCheckTx) (*abcicli.ReqRes, error) {
	if req.Type == abci.CheckTxType_Recheck {
		res, err := c.app.CheckTx(ctx, req)
		if err != nil {
			return nil, err
		}
		rr := abcicli.NewReqRes(abci.ToRequestCheckTx(req))
		c.answer(rr, res)
		return rr, nil
	}
	rr := abcicli.NewReqRes(abci.ToRequestCheckTx(req))
	c.mu.Lock()
	c.queue = append(c.queue, rr)
	start := !c.checking
	c.checking = true
	if start {
		c.startWork()
	}
	c.mu.Unlock()
	return rr, nil
}

// startWork hands a new burst of checks to the worker (after Stop, to a
// goroutine of its own). c.mu is held.
func (c *batchedCheckClient) startWork() {
	if c.stopped {
		go c.work()
		return
	}
	if !c.running {
		c.running = true
		go c.worker()
	}
	select {
	case c.wake <- struct{}{}:
	default: // a wake is pending already
	}
}

// worker answers each burst of checks, until Stop.
func (c *batchedCheckClient) worker() {
	for {
		select {
		case <-c.wake:
			c.work()
		case <-c.quit:
			select {
			case <-c.wake: // a burst queued just before Stop
				c.work()
			default:
			}
			return
		}
	}
}

// Stop ends the worker (once it has answered what is queued), then stops
// the local client.
func (c *batchedCheckClient) Stop() error {
	c.mu.Lock()
	if !c.stopped {
		c.stopped = true
		close(c.quit)
	}
	c.mu.Unlock()
	return c.Client.Stop()
}

// work answers queued checks, a batch at a time, until none are left.
func (c *batchedCheckClient) work() {
	for {
		c.mu.Lock()
		if len(c.queue) == 0 {
			c.checking = false
			c.idle.Broadcast()
			c.mu.Unlock()
			return
		}
		n := min(len(c.queue), maxBatch)
		batch := c.queue[:n:n]
		c.queue = append([]*abcicli.ReqRes(nil), c.queue[n:]...)
		c.mu.Unlock()
		c.check(batch)
	}
}

// check prepares a batch, then answers each of its checks in order.
func (c *batchedCheckClient) check(batch []*abcicli.ReqRes) {
	if c.batching.Prepare != nil && len(batch) > 1 {
		txs := make([][]byte, len(batch))
		for i, rr := range batch {
			txs[i] = rr.Request.GetCheckTx().Tx
		}
		c.batching.Prepare(txs)
	}
	for _, rr := range batch {
		res, err := c.app.CheckTx(context.Background(), rr.Request.GetCheckTx())
		if err != nil {
			// A local client would return the error to the mempool, which
			// panics on it; a queued check answers a failure instead.
			res = c.failed(err)
		}
		c.answer(rr, res)
	}
}

// failed is the answer of a check whose CheckTx returned err.
func (c *batchedCheckClient) failed(err error) *abci.ResponseCheckTx {
	if c.batching.Failed != nil {
		return c.batching.Failed(err)
	}
	return &abci.ResponseCheckTx{Code: 1, Log: err.Error()}
}

// answer completes a request: the global callback, then the request's
// own (now, or when it is set).
func (c *batchedCheckClient) answer(rr *abcicli.ReqRes, res *abci.ResponseCheckTx) {
	rr.Response = abci.ToResponseCheckTx(res)
	c.mu.Lock()
	cb := c.cb
	c.mu.Unlock()
	if cb != nil {
		cb(rr.Request, rr.Response)
	}
	rr.Done()
	rr.InvokeCallback()
}

// Flush returns once every queued check has been answered.
func (c *batchedCheckClient) Flush(ctx context.Context) error {
	c.mu.Lock()
	for c.checking {
		c.idle.Wait()
	}
	c.mu.Unlock()
	return c.Client.Flush(ctx)
}
