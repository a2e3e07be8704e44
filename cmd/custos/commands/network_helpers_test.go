package commands_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/ceremony"
	"github.com/custos-ledger/custos/internal/testutil"
)

// proc is a `custos start` child process.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error // set when done is closed
	log  string
}

// startProc runs bin with args, its output appended to logPath; the test's
// cleanup kills it if it still runs.
func startProc(t *testing.T, bin, logPath string, args ...string) *proc {
	t.Helper()
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	require.NoError(t, err)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	require.NoError(t, cmd.Start())
	p := &proc{cmd: cmd, done: make(chan struct{}), log: logPath}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("%s (last 3 KiB):\n%s", logPath, tail(string(b), 3072))
		}
	})
	return p
}

func (p *proc) kill() {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
	}
}

// exitCode waits for the process to end and returns its exit code.
func (p *proc) exitCode(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(within):
		t.Fatalf("%s did not exit within %v", p.cmd.Args, within)
	}
	var exitErr *exec.ExitError
	if errors.As(p.err, &exitErr) {
		return exitErr.ExitCode()
	}
	require.NoError(t, p.err)
	return 0
}

// operator is one organisation's node, made by the genesis ceremony.
type operator struct {
	name, home string
	rpc, p2p   string // tcp://127.0.0.1:port
	resolver   string // 127.0.0.1:port
	info       ceremony.Info
	peers      string // the others' p2p addresses
}

// ceremonyNetwork runs the genesis ceremony of docs/operators.md for n
// operators: each makes a home of its own and publishes its validator info
// file; a coordinator, who sees nothing but those files, builds the genesis
// (with governance, if appState adds keys); each operator receives only the
// genesis and installs it. The homes share no file. edit, if set, runs on
// the coordinator's genesis before it is sent.
func ceremonyNetwork(t *testing.T, n int, chainID string, edit func(genesis string)) []operator {
	t.Helper()
	root := t.TempDir()
	coord := filepath.Join(root, "coordinator")
	require.NoError(t, os.Mkdir(coord, 0o700))
	ports := testutil.FreePorts(t, 3*n)
	ops := make([]operator, n)
	var infos []string
	for i := range ops {
		op := &ops[i]
		op.name = fmt.Sprintf("org%d", i)
		op.home = filepath.Join(root, op.name, "home")
		op.rpc = fmt.Sprintf("tcp://127.0.0.1:%d", ports[3*i])
		op.p2p = fmt.Sprintf("tcp://127.0.0.1:%d", ports[3*i+1])
		op.resolver = fmt.Sprintf("127.0.0.1:%d", ports[3*i+2])
		// Each operator on their own machine: init with a chain id of
		// their own choosing, nothing network-wide yet.
		ok(t, "init", "--home", op.home, "--moniker", op.name, "--chain-id", "scratch-"+op.name)
		// A rehearsal on one machine: every peer is 127.0.0.1.
		cfgPath := filepath.Join(op.home, "config", "config.toml")
		b, err := os.ReadFile(cfgPath)
		require.NoError(t, err)
		s := strings.Replace(string(b), "allow_duplicate_ip = false", "allow_duplicate_ip = true", 1)
		s = strings.Replace(s, "addr_book_strict = true", "addr_book_strict = false", 1)
		require.NoError(t, os.WriteFile(cfgPath, []byte(s), 0o600))

		out := ok(t, "validator-info", "--home", op.home, "--p2p-address", strings.TrimPrefix(op.p2p, "tcp://"))
		op.info, err = ceremony.ParseInfo([]byte(out))
		require.NoError(t, err)
		// The info file travels to the coordinator.
		infos = append(infos, filepath.Join(coord, op.name+".json"))
		require.NoError(t, os.WriteFile(infos[i], []byte(out), 0o644))
	}
	genesis := filepath.Join(coord, "genesis.json")
	ok(t, "genesis", "new", "--chain-id", chainID, "--out", genesis, "--recovery-min-delay", "10s")
	for _, f := range infos {
		ok(t, "genesis", "add-validator", f, "--genesis", genesis)
	}
	if edit != nil {
		edit(genesis)
	}
	ok(t, "genesis", "validate", genesis)
	raw, err := os.ReadFile(genesis)
	require.NoError(t, err)
	for i := range ops {
		op := &ops[i]
		// The genesis travels back to each operator, who installs it.
		received := filepath.Join(filepath.Dir(op.home), "genesis-from-coordinator.json")
		require.NoError(t, os.WriteFile(received, raw, 0o644))
		out := ok(t, "genesis", "install", received, "--home", op.home, "--chain-id", chainID)
		require.Contains(t, out, "this node: validator "+op.name)
		require.Contains(t, out, ceremony.Hash(raw))
		var peers []string
		for j := range ops {
			if j != i {
				peers = append(peers, ops[j].info.P2PAddress)
			}
		}
		op.peers = strings.Join(peers, ",")
	}
	return ops
}

// start runs `custos start` for the operator with bin.
func (op operator) start(t *testing.T, bin string) *proc {
	t.Helper()
	return startProc(t, bin, filepath.Join(filepath.Dir(op.home), "node.log"),
		"start", "--home", op.home,
		"--rpc.laddr", op.rpc, "--p2p.laddr", op.p2p,
		"--p2p.persistent_peers", op.peers,
		"--consensus.timeout_commit", "100ms",
		"--resolver.laddr", op.resolver)
}

func (op operator) client(t *testing.T) *rpchttp.HTTP {
	t.Helper()
	c, err := rpchttp.New(op.rpc, "/websocket")
	require.NoError(t, err)
	return c
}
