package node

import (
	"context"
	"sync"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/proxy"
)

// ParallelCheckTx returns a ClientCreator for an in-process app that keeps
// one mutex per ABCI connection (as proxy.NewConnSyncLocalClientCreator
// does) except for CheckTx, which it calls without any lock: the RPC
// handlers and the mempool reactor then check txs concurrently, on all
// CPUs, instead of queueing behind one mutex. CometBFT's mempool admits
// first-time txs under a read lock and holds its write lock for recheck,
// so a recheck never overlaps a first-time check.
//
// The app's CheckTx must be safe for concurrent use with itself and with
// the other connections. Custos's is: it reads a snapshot of committed
// state, and its caches are locked. (CometBFT v1 has the same idea as
// NewUnsyncLocalClientCreator; v0.38 does not.)
func ParallelCheckTx(app abci.Application) proxy.ClientCreator {
	return parallelCheckCreator{app: app}
}

type parallelCheckCreator struct{ app abci.Application }

func (c parallelCheckCreator) NewABCIClient() (abcicli.Client, error) {
	return &parallelCheckClient{Client: abcicli.NewLocalClient(nil, c.app), app: c.app}, nil
}

// parallelCheckClient is a local client whose CheckTx paths skip its mutex.
type parallelCheckClient struct {
	abcicli.Client
	app abci.Application

	mu sync.RWMutex
	cb abcicli.Callback
}

func (c *parallelCheckClient) SetResponseCallback(cb abcicli.Callback) {
	c.mu.Lock()
	c.cb = cb
	c.mu.Unlock()
	c.Client.SetResponseCallback(cb)
}

func (c *parallelCheckClient) CheckTx(ctx context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	return c.app.CheckTx(ctx, req)
}

// CheckTxAsync answers at once, as the local client does: it runs the
// global callback, then returns a request already marked done, so the
// caller's own callback runs as soon as it is set.
func (c *parallelCheckClient) CheckTxAsync(ctx context.Context, req *abci.RequestCheckTx) (*abcicli.ReqRes, error) {
	res, err := c.app.CheckTx(ctx, req)
	if err != nil {
		return nil, err
	}
	q, r := abci.ToRequestCheckTx(req), abci.ToResponseCheckTx(res)
	c.mu.RLock()
	cb := c.cb
	c.mu.RUnlock()
	if cb != nil {
		cb(q, r)
	}
	rr := abcicli.NewReqRes(q)
	rr.Response = r
	rr.InvokeCallback()
	return rr, nil
}
