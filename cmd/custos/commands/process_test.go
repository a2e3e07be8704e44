package commands_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/testutil"
	"github.com/custos-ledger/custos/node/nodetest"
)

// binary is the custos executable that process tests run, built once.
var binary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// binaryV2 is the custos executable built with the tag upgrade_test_v2:
// the same release, knowing one more upgrade (app.DemoUpgradeName).
var binaryV2 struct {
	once sync.Once
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
	if binaryV2.path != "" {
		os.RemoveAll(filepath.Dir(binaryV2.path))
	}
	os.Exit(code)
}

// custosBinaryV2 builds cmd/custos with -tags upgrade_test_v2 on first use.
func custosBinaryV2(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the custos binary; skipped with -short")
	}
	buildV2()
	require.NoError(t, binaryV2.err)
	return binaryV2.path
}

// buildV2 builds the upgrade_test_v2 binary once; it may run on any
// goroutine (custosBinaryV2 reports its error).
func buildV2() {
	binaryV2.once.Do(func() {
		dir, err := os.MkdirTemp("", "custos-bin-v2-")
		if err != nil {
			binaryV2.err = err
			return
		}
		binaryV2.path = filepath.Join(dir, "custos")
		out, err := exec.Command("go", "build", "-tags", "upgrade_test_v2", "-o", binaryV2.path, "github.com/custos-ledger/custos/cmd/custos").CombinedOutput()
		if err != nil {
			binaryV2.err = fmt.Errorf("go build -tags upgrade_test_v2: %v\n%s", err, out)
		}
	})
}

// custosBinary builds cmd/custos on first use and returns its path.
func custosBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the custos binary; skipped with -short")
	}
	binary.once.Do(func() {
		binary.dir, binary.err = os.MkdirTemp("", "custos-bin-")
		if binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "custos")
		out, err := exec.Command("go", "build", "-o", binary.path, "github.com/custos-ledger/custos/cmd/custos").CombinedOutput()
		if err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, binary.err)
	return binary.path
}

// TestProcessStartStop runs `custos init` and `custos start` as child
// processes, waits for height 2 over RPC and requires SIGTERM to end the
// node with exit code 0.
func TestProcessStartStop(t *testing.T) {
	bin := custosBinary(t)
	home := t.TempDir()
	out, err := exec.Command(bin, "init", "--home", home, "--moniker", "proc").CombinedOutput()
	require.NoError(t, err, "custos init: %s", out)

	ports := testutil.FreePorts(t, 2)
	rpcAddr := fmt.Sprintf("tcp://127.0.0.1:%d", ports[0])
	logPath := filepath.Join(t.TempDir(), "start.log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	defer logFile.Close()
	cmd := exec.Command(bin, "start", "--home", home,
		"--rpc.laddr", rpcAddr,
		"--p2p.laddr", fmt.Sprintf("tcp://127.0.0.1:%d", ports[1]),
		"--consensus.timeout_commit", "100ms")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case <-done:
		default:
			_ = cmd.Process.Kill()
			<-done
		}
	})
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(logPath)
			t.Logf("custos start log (last 4 KiB):\n%s", tail(string(log), 4096))
		}
	})

	c, err := rpchttp.New(rpcAddr, "/websocket")
	require.NoError(t, err)
	nodetest.WaitForHeight(t, c, 2, 60*time.Second)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-done:
		done <- err // let the cleanup see that the child has exited
		require.NoError(t, err, "custos start should exit 0 on SIGTERM")
	case <-time.After(20 * time.Second):
		t.Fatal("custos start did not exit within 20s of SIGTERM")
	}
}

// TestProcessError checks that main prints an error once, prefixed
// "Error: ", and exits 1.
func TestProcessError(t *testing.T) {
	bin := custosBinary(t)
	cmd := exec.Command(bin, "version", "--output", "yaml")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	require.True(t, errors.As(err, &exitErr), "want an exit error, got %v", err)
	require.Equal(t, 1, exitErr.ExitCode())
	require.Empty(t, stdout.String())
	require.Equal(t, "Error: invalid --output \"yaml\": use text or json\n", stderr.String())
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
