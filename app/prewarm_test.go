package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/types"
)

// A block of txs no CheckTx has seen is verified in one batch pass before
// execution: every signature is verified once, and execution finds each in
// the cache.
func TestFinalizeBlockPrewarms(t *testing.T) {
	a := newApp(t, t.TempDir())
	defer a.Close()
	initChain(t, a)
	txs := signedCreates(t, 200, 0)
	finalizeOK(t, a, 1, txs)
	hits, verified := a.SigCacheStats()
	require.Equal(t, uint64(200), verified, "each signature verified once")
	require.Equal(t, uint64(200), hits, "execution found every signature cached")
}

// Txs CheckTx accepted are not prewarmed again; the others in the same
// block still are, in the batch pass.
func TestFinalizeBlockPrewarmsOnlyUnchecked(t *testing.T) {
	a := newApp(t, t.TempDir())
	defer a.Close()
	initChain(t, a)
	txs := signedCreates(t, 200, 0)
	for _, tx := range txs[:100] {
		res, err := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
		require.NoError(t, err)
		require.Zero(t, res.Code, res.Log)
	}
	finalizeOK(t, a, 1, txs)
	hits, verified := a.SigCacheStats()
	require.Equal(t, uint64(200), verified, "each signature verified once: 100 by CheckTx, 100 in the batch pass")
	require.Equal(t, uint64(200), hits, "execution found every signature cached")
}

// A batch of first-time checks prepared together (PrepareCheckTxs) has
// every signature verified once, in the batch pass, rotations' two
// signatures included (the current and the proposed key, paired in order):
// each CheckTx then finds its signatures cached and verifies none.
func TestPrepareCheckTxs(t *testing.T) {
	a := newApp(t, t.TempDir())
	defer a.Close()
	initChain(t, a)
	warm, ids := didtest.Creates(goldenChain, "prep", 0, 40)
	commitOK(t, a, 1, warm)
	// 40 creates, 20 rotations (2 signatures each), 20 updates.
	mix := didtest.Mix(goldenChain, "prep", ids, 0, 40, 80)
	const sigs = 40 + 2*20 + 20
	hits0, verified0 := a.SigCacheStats()

	a.PrepareCheckTxs(mix)
	hits, verified := a.SigCacheStats()
	require.Equal(t, uint64(sigs), verified-verified0, "the batch pass verifies each signature once")
	for _, tx := range mix {
		res, err := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
		require.NoError(t, err)
		require.Zero(t, res.Code, res.Log)
	}
	hits2, verified2 := a.SigCacheStats()
	require.Equal(t, verified, verified2, "CheckTx verified nothing more")
	require.Equal(t, uint64(sigs), hits2-hits, "CheckTx found every signature cached")
	require.Equal(t, hits0, hits, "preparing reads no answer from the cache")
}

// Preparing decides nothing: a tx whose signature does not hold is still
// refused by its check, with the same error as when nothing was prepared.
func TestPrepareCheckTxsDecidesNothing(t *testing.T) {
	a := newApp(t, t.TempDir())
	defer a.Close()
	initChain(t, a)
	txs := signedCreates(t, 3, 0)
	bad := append([]byte(nil), txs[1]...)
	bad[len(bad)-1] ^= 1 // the last byte of the signature
	lone, err := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: bad, Type: abci.CheckTxType_New})
	require.NoError(t, err)
	require.NotZero(t, lone.Code)

	a.PrepareCheckTxs([][]byte{txs[0], bad, txs[2]})
	for i, tx := range [][]byte{txs[0], bad, txs[2]} {
		res, err := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
		require.NoError(t, err)
		if i == 1 {
			require.Equal(t, lone.Code, res.Code)
			require.Equal(t, lone.Log, res.Log)
			continue
		}
		require.Zero(t, res.Code, res.Log)
	}
}

// The node's ABCI client answers queued checks on a worker CometBFT does
// not stop, so a check can arrive after the node closed the app: it fails
// with node_unavailable, and preparing a batch does nothing.
func TestCheckAfterClose(t *testing.T) {
	a := newApp(t, t.TempDir())
	initChain(t, a)
	txs := signedCreates(t, 8, 0)
	require.NoError(t, a.Close())
	a.PrepareCheckTxs(txs)
	res, err := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: txs[0], Type: abci.CheckTxType_New})
	require.NoError(t, err)
	require.Equal(t, types.ErrNodeUnavailable.Code, res.Code)
	require.Contains(t, res.Log, "stopping")
	require.NoError(t, a.Close(), "a second Close does nothing")
}

// TestCloseWithChecksAndQueriesInFlight closes the app while checks and
// queries keep arriving: every answer is either a normal one or
// node_unavailable saying the node is stopping, never a read of a closed
// store. Without Close waiting for them, some land on the closed database.
func TestCloseWithChecksAndQueriesInFlight(t *testing.T) {
	for round := range 20 {
		a := newApp(t, t.TempDir())
		initChain(t, a)
		txs := signedCreates(t, 2, round*2)
		commitOK(t, a, 1, txs[:1])
		did := didOfCreate(t, txs[0])

		var wg sync.WaitGroup
		stop := make(chan struct{})
		var stopOnce sync.Once
		stopAll := func() { stopOnce.Do(func() { close(stop) }) }
		defer stopAll() // also when the test fails before the end
		// Answers are tallied as they come: after Close they come fast, and
		// a buffer of them could fill up before stop.
		var mu sync.Mutex
		oks, stopping := 0, 0
		var unexpected []string
		// hammer makes calls of one kind until stop.
		hammer := func(call func() string) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				ans := call()
				mu.Lock()
				switch ans {
				case "ok":
					oks++
				case "stopping":
					stopping++
				default:
					unexpected = append(unexpected, ans)
				}
				mu.Unlock()
			}
		}
		check := func() string {
			res, err := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: txs[1], Type: abci.CheckTxType_New})
			return checkAnswer(err, res.GetCode(), res.GetLog())
		}
		query := func() string {
			res, err := a.Query(context.Background(), &abci.RequestQuery{Path: types.QueryPathDID, Data: []byte(did)})
			return checkAnswer(err, res.GetCode(), res.GetLog())
		}
		for range 2 {
			wg.Add(2)
			go hammer(check)
			go hammer(query)
		}
		// Close once calls are answered, and stop once calls meet the
		// closed app; waiting for counts rather than sleeping keeps the test
		// the same on a loaded machine.
		waitFor := func(what string, cond func() bool) {
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Microsecond) {
				mu.Lock()
				ok := cond()
				mu.Unlock()
				if ok {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("no %s within 30 s", what)
				}
			}
		}
		waitFor("answers before Close", func() bool { return oks >= 8 })
		require.NoError(t, a.Close())
		waitFor("answers after Close", func() bool { return stopping >= 8 })
		stopAll()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("a check or query did not return after Close")
		}
		require.Empty(t, unexpected)
	}
}

// checkAnswer classifies an answer: "ok", "stopping" (node_unavailable
// because the node is stopping), or the answer itself.
func checkAnswer(err error, code uint32, log string) string {
	switch {
	case err != nil:
		return "error: " + err.Error()
	case code == abci.CodeTypeOK:
		return "ok"
	case code == types.ErrNodeUnavailable.Code && strings.HasSuffix(log, "the node is stopping"):
		return "stopping"
	}
	return fmt.Sprintf("code %d: %s", code, log)
}

// didOfCreate returns the DID a create tx registers.
func didOfCreate(t *testing.T, tx []byte) string {
	_, body, err := types.DecodeTx(tx, 1<<20)
	require.NoError(t, err)
	return body.Did
}
