package nodetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/libs/log"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/internal/testutil"
	"github.com/custos-ledger/custos/node"
)

// TimeoutCommit is the consensus.timeout_commit of homes made by Home.
const TimeoutCommit = 100 * time.Millisecond

// Home writes a single-validator home in a new t.TempDir() with the RPC and
// P2P servers on free 127.0.0.1 ports, a 100ms timeout_commit and empty
// blocks on, then applies configure (if any) before config.toml is written.
func Home(t testing.TB, configure ...func(*cmtcfg.Config)) string {
	t.Helper()
	return HomeWithGenesis(t, nil, configure...)
}

// HomeWithGenesis is Home with the genesis app_state edited by appState
// (e.g. short recovery delays).
func HomeWithGenesis(t testing.TB, appState func(*app.GenesisState), configure ...func(*cmtcfg.Config)) string {
	t.Helper()
	ports := testutil.FreePorts(t, 2)
	home := t.TempDir()
	_, err := node.InitHome(node.InitOptions{
		Home:    home,
		Moniker: "test",
		Configure: func(cfg *cmtcfg.Config) {
			cfg.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", ports[0])
			cfg.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", ports[1])
			cfg.Consensus.TimeoutCommit = TimeoutCommit
			cfg.Consensus.CreateEmptyBlocks = true
			for _, f := range configure {
				f(cfg)
			}
		},
		AppState: appState,
	})
	if err != nil {
		t.Fatalf("nodetest: init home: %v", err)
	}
	return home
}

// Start loads home's config, starts a node with the Custos application and
// stops it when the test ends. Logs go to the test log when verbose.
func Start(t testing.TB, home string) *node.Node {
	t.Helper()
	cfg, err := node.LoadConfig(home, node.Overrides{})
	if err != nil {
		t.Fatalf("nodetest: %v", err)
	}
	logger := log.NewNopLogger()
	if testing.Verbose() {
		w := &testWriter{t: t}
		t.Cleanup(w.close) // registered first, so it runs after Stop
		logger = log.NewTMLogger(log.NewSyncWriter(w))
	}
	n, err := node.New(cfg, logger)
	if err != nil {
		t.Fatalf("nodetest: %v", err)
	}
	if err := n.Start(); err != nil {
		t.Fatalf("nodetest: %v", err)
	}
	t.Cleanup(func() {
		if err := n.Stop(); err != nil {
			t.Errorf("nodetest: stop: %v", err)
		}
	})
	return n
}

// Client returns an RPC client of the node's RPC server.
func Client(t testing.TB, n *node.Node) *rpchttp.HTTP {
	t.Helper()
	c, err := rpchttp.New(n.Config().RPC.ListenAddress, "/websocket")
	if err != nil {
		t.Fatalf("nodetest: rpc client: %v", err)
	}
	return c
}

// WaitForHeight polls the node until it has stored and its app has
// committed a block at height or above, failing the test after timeout.
func WaitForHeight(t testing.TB, c *rpchttp.HTTP, height int64, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var last error
	for {
		// The block store holds a block before the app has committed it:
		// wait for both, so that a query right after sees the height.
		st, err := c.Status(ctx)
		if err == nil && st.SyncInfo.LatestBlockHeight >= height {
			info, ierr := c.ABCIInfo(ctx)
			if ierr == nil && info.Response.LastBlockHeight >= height {
				return
			}
			if ierr == nil {
				err = fmt.Errorf("block %d stored, app committed %d", st.SyncInfo.LatestBlockHeight, info.Response.LastBlockHeight)
			} else {
				err = ierr
			}
		} else if err == nil {
			err = fmt.Errorf("latest height %d", st.SyncInfo.LatestBlockHeight)
		}
		last = err
		select {
		case <-ctx.Done():
			t.Fatalf("nodetest: height %d not reached within %v: %v", height, timeout, last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// testWriter sends log lines to t.Log until the test ends; lines written
// after that (by goroutines CometBFT leaves behind) are dropped, since t.Log
// panics once a test has completed.
type testWriter struct {
	t    testing.TB
	mu   sync.Mutex
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testWriter) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = true
}
