package commands_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/testutil"
)

func TestResolverRefusals(t *testing.T) {
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{name: "no listen address", args: []string{"--laddr", "off"}, err: "--laddr is empty"},
		{name: "bad listen address", args: []string{"--laddr", "nowhere"}, err: `listen address "nowhere"`},
		{name: "bad node address", args: []string{"--node", "::bad"}, err: "give the node's RPC address"},
		{name: "negative cache", args: []string{"--cache-entries", "-1"}, err: "cache entries must not be negative"},
		{name: "extra argument", args: []string{"now"}, err: `unknown command "now"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, append([]string{"resolver"}, tc.args...)...)
			require.ErrorContains(t, err, tc.err)
		})
	}
}

func TestStartRefusesBadResolverAddress(t *testing.T) {
	home := t.TempDir()
	initHome(t, home)
	_, err := run(t, "start", "--home", home, "--resolver.laddr", "nowhere")
	require.ErrorContains(t, err, `invalid --resolver.laddr "nowhere"`)
}

// TestProcessResolver runs `custos start` with its resolver and a separate
// `custos resolver` reading the node over RPC, as child processes; both
// answer /healthz for the same chain, and both exit 0 on SIGTERM.
func TestProcessResolver(t *testing.T) {
	bin := custosBinary(t)
	home := t.TempDir()
	out, err := exec.Command(bin, "init", "--home", home, "--moniker", "res", "--chain-id", "custos-res").CombinedOutput()
	require.NoError(t, err, "custos init: %s", out)
	ports := testutil.FreePorts(t, 4)
	rpcAddr := fmt.Sprintf("tcp://127.0.0.1:%d", ports[0])
	inProc := fmt.Sprintf("127.0.0.1:%d", ports[2])
	alone := fmt.Sprintf("127.0.0.1:%d", ports[3])

	startChild := func(name string, args ...string) *exec.Cmd {
		logPath := filepath.Join(t.TempDir(), name+".log")
		f, err := os.Create(logPath)
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = f, f
		require.NoError(t, cmd.Start())
		t.Cleanup(func() {
			if cmd.ProcessState == nil {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}
			if t.Failed() {
				log, _ := os.ReadFile(logPath)
				t.Logf("%s log (last 4 KiB):\n%s", name, tail(string(log), 4096))
			}
		})
		return cmd
	}
	node := startChild("start", "start", "--home", home, "--rpc.laddr", rpcAddr,
		"--p2p.laddr", fmt.Sprintf("tcp://127.0.0.1:%d", ports[1]),
		"--consensus.timeout_commit", "100ms", "--resolver.laddr", inProc)
	res := startChild("resolver", "resolver", "--node", rpcAddr, "--laddr", alone)

	client := &http.Client{Timeout: 5 * time.Second}
	health := func(addr string) map[string]any {
		var m map[string]any
		require.Eventually(t, func() bool {
			r, err := client.Get("http://" + addr + "/healthz")
			if err != nil {
				return false
			}
			defer r.Body.Close()
			body, _ := io.ReadAll(r.Body)
			return r.StatusCode == http.StatusOK && json.Unmarshal(body, &m) == nil
		}, 60*time.Second, 100*time.Millisecond, "no healthy resolver at %s", addr)
		return m
	}
	a, b := health(inProc), health(alone)
	require.Equal(t, "custos-res", a["chainId"])
	require.Equal(t, "custos-res", b["chainId"])
	require.Equal(t, "local", a["source"])
	require.Equal(t, rpcAddr, b["source"])

	for _, cmd := range []*exec.Cmd{res, node} {
		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			require.NoError(t, err, "%v should exit 0 on SIGTERM", cmd.Args[1])
		case <-time.After(20 * time.Second):
			t.Fatalf("%v did not exit within 20s of SIGTERM", cmd.Args[1])
		}
	}
}
