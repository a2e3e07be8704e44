package node

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gateApp's CheckTx waits until `want` checks are inside it at once, so it
// only returns if they really run in parallel.
type gateApp struct {
	abci.BaseApplication
	want    int32
	inside  atomic.Int32
	all     chan struct{}
	once    sync.Once
	commits atomic.Int32
}

func (g *gateApp) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	if g.inside.Add(1) == g.want {
		g.once.Do(func() { close(g.all) })
	}
	select {
	case <-g.all:
	case <-time.After(5 * time.Second):
		return &abci.ResponseCheckTx{Code: 99, Log: "checks did not overlap"}, nil
	}
	return &abci.ResponseCheckTx{Code: abci.CodeTypeOK, Data: req.Tx}, nil
}

func (g *gateApp) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	g.commits.Add(1)
	return &abci.ResponseCommit{}, nil
}

func TestParallelCheckTxOverlaps(t *testing.T) {
	const n = 4
	app := &gateApp{want: n, all: make(chan struct{})}
	cli, err := ParallelCheckTx(app).NewABCIClient()
	require.NoError(t, err)
	var global atomic.Int32
	cli.SetResponseCallback(func(req *abci.Request, res *abci.Response) {
		if req.GetCheckTx() != nil {
			global.Add(1)
		}
	})

	var wg sync.WaitGroup
	codes := make([]uint32, n)
	data := make([][]byte, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rr, err := cli.CheckTxAsync(context.Background(), &abci.RequestCheckTx{Tx: []byte{byte(i)}})
			if !assert.NoError(t, err) {
				return
			}
			// The caller's callback runs at once: the answer is already there.
			done := make(chan struct{})
			rr.SetCallback(func(res *abci.Response) {
				codes[i], data[i] = res.GetCheckTx().Code, res.GetCheckTx().Data
				close(done)
			})
			<-done
		}(i)
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		require.Equal(t, abci.CodeTypeOK, codes[i], "check %d", i)
		require.Equal(t, []byte{byte(i)}, data[i])
	}
	require.EqualValues(t, n, global.Load(), "the global callback sees every answer")

	// The other calls still go through the connection's mutex.
	_, err = cli.Commit(context.Background(), &abci.RequestCommit{})
	require.NoError(t, err)
	require.EqualValues(t, 1, app.commits.Load())
}
