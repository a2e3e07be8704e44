package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/stretchr/testify/require"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// TestMain removes the binary custosBinary built once the tests are done.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// custosBinary builds cmd/custos once per test run.
func custosBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "custos-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "custos")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/custos-ledger/custos/cmd/custos").CombinedOutput()
		if err != nil {
			buildErr = &buildError{err: err, out: string(out)}
		}
	})
	if buildErr != nil {
		t.Fatalf("build custos: %v", buildErr)
	}
	return binPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// child is a `custos start` process.
type child struct {
	cmd  *exec.Cmd
	done chan struct{}
	log  string
}

// startChild runs `custos start --home home`, logging to a file in the home;
// the test's cleanup kills it if it still runs.
func startChild(t testing.TB, bin, home string, n int) *child {
	t.Helper()
	logPath := filepath.Join(home, "node-"+string(rune('a'+n))+".log")
	f, err := os.Create(logPath)
	require.NoError(t, err)
	cmd := exec.Command(bin, "start", "--home", home)
	cmd.Stdout, cmd.Stderr = f, f
	require.NoError(t, cmd.Start())
	c := &child{cmd: cmd, done: make(chan struct{}), log: logPath}
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(c.done)
	}()
	t.Cleanup(func() { c.kill() })
	return c
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *child) kill() {
	select {
	case <-c.done:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.done
}

// tail returns the end of the child's log, for failure messages.
func (c *child) tail() string {
	b, _ := os.ReadFile(c.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// waitHeight polls until the node's latest height is at least h.
func waitHeight(ctx context.Context, c *rpchttp.HTTP, h int64) (int64, error) {
	for {
		st, err := c.Status(ctx)
		if err == nil && st.SyncInfo.LatestBlockHeight >= h {
			return st.SyncInfo.LatestBlockHeight, nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = ctx.Err()
			}
			return 0, err
		case <-time.After(50 * time.Millisecond):
		}
	}
}
