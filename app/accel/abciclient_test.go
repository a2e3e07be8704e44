package accel

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"
)

// batchApp records the order of its checks and the batches it is handed;
// while gate is open (not closed), a check of tx "block" waits for it.
type batchApp struct {
	abci.BaseApplication
	gate    chan struct{}
	entered chan struct{}

	mu      sync.Mutex
	checked []string
	batches [][]string
	commits atomic.Int32
}

func newBatchApp() *batchApp {
	return &batchApp{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
}

func (a *batchApp) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	if string(req.Tx) == "block" {
		a.entered <- struct{}{}
		<-a.gate
	}
	if string(req.Tx) == "fail" {
		return nil, errors.New("disk on fire")
	}
	a.mu.Lock()
	a.checked = append(a.checked, string(req.Tx))
	a.mu.Unlock()
	return &abci.ResponseCheckTx{Code: abci.CodeTypeOK, Data: req.Tx}, nil
}

func (a *batchApp) PrepareCheckTxs(txs [][]byte) {
	var b []string
	for _, tx := range txs {
		b = append(b, string(tx))
	}
	a.mu.Lock()
	a.batches = append(a.batches, b)
	a.mu.Unlock()
}

func (a *batchApp) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	a.commits.Add(1)
	return &abci.ResponseCommit{}, nil
}

// answered returns a channel that receives the request's response once
// its callback runs.
func answered(rr *abcicli.ReqRes) <-chan *abci.ResponseCheckTx {
	ch := make(chan *abci.ResponseCheckTx, 1)
	rr.SetCallback(func(res *abci.Response) { ch <- res.GetCheckTx() })
	return ch
}

func newBatchClient(t *testing.T, app abci.Application) (abcicli.Client, *atomic.Int32) {
	t.Helper()
	var b Batching
	if ba, ok := app.(*batchApp); ok { // it records the batches it is handed
		b.Prepare = ba.PrepareCheckTxs
	}
	cli, err := BatchedCheckTx(app, b).NewABCIClient()
	require.NoError(t, err)
	var global atomic.Int32
	cli.SetResponseCallback(func(req *abci.Request, _ *abci.Response) {
		if req.GetCheckTx() != nil {
			global.Add(1)
		}
	})
	return cli, &global
}

// blockedClient returns a client whose worker is inside the check of a
// first tx, "block", which waits until app.gate closes; and that check.
func blockedClient(t *testing.T) (*batchApp, abcicli.Client, *atomic.Int32, *abcicli.ReqRes) {
	t.Helper()
	app := newBatchApp()
	cli, global := newBatchClient(t, app)
	first, err := cli.CheckTxAsync(context.Background(), &abci.RequestCheckTx{Tx: []byte("block")})
	require.NoError(t, err)
	<-app.entered
	return app, cli, global, first
}

// Checks queued while the worker is busy are prepared as one batch, then
// answered in arrival order; each caller gets its own answer, and the
// global callback sees every answer.
func TestBatchedCheckTxBatches(t *testing.T) {
	app, cli, global, first := blockedClient(t)
	ctx := context.Background()
	var want []string
	var answers []<-chan *abci.ResponseCheckTx
	for i := 0; i < 100; i++ {
		tx := string(rune('A'+i%26)) + string(rune('a'+i/26))
		rr, err := cli.CheckTxAsync(ctx, &abci.RequestCheckTx{Tx: []byte(tx), Type: abci.CheckTxType_New})
		require.NoError(t, err)
		want = append(want, tx)
		answers = append(answers, answered(rr))
	}
	select {
	case <-answers[0]:
		t.Fatal("a check queued behind a busy worker was answered before it")
	default:
	}
	close(app.gate)
	require.Equal(t, []byte("block"), (<-answered(first)).Data)
	for i, ch := range answers {
		select {
		case res := <-ch:
			require.Equal(t, abci.CodeTypeOK, res.Code)
			require.Equal(t, want[i], string(res.Data), "answer %d", i)
		case <-time.After(10 * time.Second):
			t.Fatalf("check %d was never answered", i)
		}
	}
	app.mu.Lock()
	defer app.mu.Unlock()
	require.Equal(t, append([]string{"block"}, want...), app.checked, "checked in arrival order")
	require.Equal(t, [][]string{want}, app.batches, "the queued checks are one batch; a lone check is not prepared")
	require.EqualValues(t, 101, global.Load())
}

// Flush returns only once every queued check has been answered: CometBFT
// flushes before Commit and before a recheck.
func TestBatchedCheckTxFlushWaits(t *testing.T) {
	app, cli, _, blocked := blockedClient(t)
	ctx := context.Background()
	queued, err := cli.CheckTxAsync(ctx, &abci.RequestCheckTx{Tx: []byte("queued")})
	require.NoError(t, err)
	a, b := answered(blocked), answered(queued)

	flushed := make(chan error, 1)
	go func() { flushed <- cli.Flush(ctx) }()
	select {
	case <-flushed:
		t.Fatal("Flush returned while a check was still running")
	case <-time.After(200 * time.Millisecond):
	}
	close(app.gate)
	require.NoError(t, <-flushed)
	// Both answers were delivered before Flush returned.
	select {
	case <-a:
	default:
		t.Fatal("the running check was not answered by the time Flush returned")
	}
	select {
	case <-b:
	default:
		t.Fatal("the queued check was not answered by the time Flush returned")
	}
	// An idle client flushes at once, and checks again afterwards.
	require.NoError(t, cli.Flush(ctx))
	rr, err := cli.CheckTxAsync(ctx, &abci.RequestCheckTx{Tx: []byte("later")})
	require.NoError(t, err)
	require.NoError(t, cli.Flush(ctx))
	require.Equal(t, "later", string((<-answered(rr)).Data))
}

// A recheck is answered at once, even while first-time checks are queued:
// CometBFT rechecks under the mempool's write lock and waits for the
// answers.
func TestBatchedCheckTxRecheckAtOnce(t *testing.T) {
	app, cli, global, _ := blockedClient(t)
	ctx := context.Background()
	rr, err := cli.CheckTxAsync(ctx, &abci.RequestCheckTx{Tx: []byte("again"), Type: abci.CheckTxType_Recheck})
	require.NoError(t, err)
	require.NotNil(t, rr.Response, "a recheck is answered before CheckTxAsync returns")
	require.Equal(t, "again", string(rr.Response.GetCheckTx().Data))
	require.EqualValues(t, 1, global.Load())
	close(app.gate)
	require.NoError(t, cli.Flush(ctx))
}

// An app error is answered as a failed check naming it (a local client
// would hand the error to the mempool, which panics on it), and the worker
// goes on with the next check.
func TestBatchedCheckTxAppError(t *testing.T) {
	app := newBatchApp()
	cli, _ := newBatchClient(t, app)
	ctx := context.Background()
	failed, err := cli.CheckTxAsync(ctx, &abci.RequestCheckTx{Tx: []byte("fail")})
	require.NoError(t, err)
	next, err := cli.CheckTxAsync(ctx, &abci.RequestCheckTx{Tx: []byte("next")})
	require.NoError(t, err)
	res := <-answered(failed)
	require.NotEqual(t, abci.CodeTypeOK, res.Code)
	require.Contains(t, res.Log, "disk on fire")
	require.Equal(t, abci.CodeTypeOK, (<-answered(next)).Code)
}

// The other calls still go through the connection's mutex, to the app.
func TestBatchedCheckTxOtherCalls(t *testing.T) {
	app := newBatchApp()
	cli, _ := newBatchClient(t, app)
	_, err := cli.Commit(context.Background(), &abci.RequestCommit{})
	require.NoError(t, err)
	require.EqualValues(t, 1, app.commits.Load())
	res, err := cli.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: []byte("sync")})
	require.NoError(t, err)
	require.Equal(t, "sync", string(res.Data))
}

// goroutineApp records which goroutine runs each check.
type goroutineApp struct {
	abci.BaseApplication
	mu  sync.Mutex
	ids []string
}

func (a *goroutineApp) CheckTx(context.Context, *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	a.mu.Lock()
	a.ids = append(a.ids, goroutineID())
	a.mu.Unlock()
	return &abci.ResponseCheckTx{Code: abci.CodeTypeOK}, nil
}

// goroutineID returns the id of the calling goroutine, from its stack's
// header ("goroutine 42 [running]:").
func goroutineID() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	return strings.Fields(string(buf))[1]
}

// alive reports whether a goroutine of that id exists.
func alive(id string) bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Contains(string(buf), "goroutine "+id+" [")
}

// One goroutine answers every burst of checks for the client's life (a
// goroutine per burst grew a new stack each time), and Stop ends it; a
// check after Stop is still answered.
func TestBatchedCheckTxOneWorker(t *testing.T) {
	app := &goroutineApp{}
	cli, _ := newBatchClient(t, app)
	require.NoError(t, cli.Start())
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		rr, err := cli.CheckTxAsync(ctx, &abci.RequestCheckTx{Tx: []byte{byte(i)}})
		require.NoError(t, err)
		require.NoError(t, cli.Flush(ctx)) // the burst is over: the worker is idle
		require.Equal(t, abci.CodeTypeOK, (<-answered(rr)).Code)
	}
	app.mu.Lock()
	ids := slices.Clone(app.ids)
	app.mu.Unlock()
	require.Len(t, ids, 3)
	worker := ids[0]
	require.Equal(t, []string{worker, worker, worker}, ids, "every burst was checked by the same goroutine")
	require.NotEqual(t, goroutineID(), worker)
	require.True(t, alive(worker), "the idle worker is waiting for the next burst")

	require.NoError(t, cli.Stop())
	require.Eventually(t, func() bool { return !alive(worker) }, 10*time.Second, 10*time.Millisecond,
		"Stop did not end the worker")
	rr, err := cli.CheckTxAsync(ctx, &abci.RequestCheckTx{Tx: []byte("after stop")})
	require.NoError(t, err)
	requireAnsweredOK(t, rr, "a check after Stop")
}

// requireAnsweredOK waits (10 s at most) for rr's answer, which must pass.
func requireAnsweredOK(t *testing.T, rr *abcicli.ReqRes, what string) {
	t.Helper()
	select {
	case res := <-answered(rr):
		require.Equal(t, abci.CodeTypeOK, res.Code, what)
	case <-time.After(10 * time.Second):
		t.Fatalf("%s was never answered", what)
	}
}

// A check queued behind a busy worker when Stop is called is answered
// before the worker ends.
func TestBatchedCheckTxStopAnswersQueued(t *testing.T) {
	app, cli, _, blocked := blockedClient(t)
	require.NoError(t, cli.Start())
	queued, err := cli.CheckTxAsync(context.Background(), &abci.RequestCheckTx{Tx: []byte("queued")})
	require.NoError(t, err)
	require.NoError(t, cli.Stop())
	close(app.gate)
	requireAnsweredOK(t, blocked, "the check running at Stop")
	requireAnsweredOK(t, queued, "a check queued before Stop")
}

// A check queued just before Stop, while the worker had not yet taken it,
// is answered: the worker then sees both the wake and Stop, and must not
// end before checking. Repeated, since which the worker sees first is up to
// the scheduler.
func TestBatchedCheckTxStopRightAfterCheck(t *testing.T) {
	for i := 0; i < 200; i++ {
		cli, _ := newBatchClient(t, newBatchApp())
		require.NoError(t, cli.Start())
		rr, err := cli.CheckTxAsync(context.Background(), &abci.RequestCheckTx{Tx: []byte("last")})
		require.NoError(t, err)
		require.NoError(t, cli.Stop())
		requireAnsweredOK(t, rr, fmt.Sprintf("round %d: a check queued just before Stop", i))
	}
}
