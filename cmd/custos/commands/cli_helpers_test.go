package commands_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/cmd/custos/commands"
	"github.com/custos-ledger/custos/node/nodetest"
)

// result is what one in-process run of custos produced.
type result struct {
	out, errOut string
	err         error
}

// runIn executes custos in-process with args and stdin, capturing stdout
// and stderr.
func runIn(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	root := commands.NewRootCmd()
	root.SetArgs(args)
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.Execute()
	return result{out: out.String(), errOut: errOut.String(), err: err}
}

// ok runs custos and requires success.
func ok(t *testing.T, args ...string) string {
	t.Helper()
	r := runIn(t, "", args...)
	require.NoError(t, r.err, "custos %s\nstderr: %s", strings.Join(args, " "), r.errOut)
	return r.out
}

// fails runs custos and requires an error that contains every want.
func fails(t *testing.T, args []string, want ...string) result {
	t.Helper()
	r := runIn(t, "", args...)
	require.Error(t, r.err, "custos %s should fail; stdout: %s", strings.Join(args, " "), r.out)
	for _, w := range want {
		require.Contains(t, r.err.Error(), w, "custos %s", strings.Join(args, " "))
	}
	return r
}

// cliEnv points custos at a fresh CLI home with the test keyring backend
// through the environment, and clears CUSTOS_PASSPHRASE for the test.
func cliEnv(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv(commands.HomeEnv, home)
	t.Setenv(commands.KeyringBackendEnv, "test")
	t.Setenv(commands.NodeEnv, "")
	if v, set := os.LookupEnv(commands.PassphraseEnv); set {
		t.Setenv(commands.PassphraseEnv, v) // restored when the test ends
		require.NoError(t, os.Unsetenv(commands.PassphraseEnv))
	}
	return home
}

// startLedger starts a node for the test and points custos at it.
func startLedger(t *testing.T) *rpchttp.HTTP {
	t.Helper()
	cliEnv(t)
	n := nodetest.Start(t, nodetest.Home(t))
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 1, 30*time.Second)
	t.Setenv(commands.NodeEnv, n.Config().RPC.ListenAddress)
	return c
}

// waitBlockTimeAfter waits until the node has committed a block whose time
// is a later whole second than after, so that the next transaction is
// recorded at a later time.
func waitBlockTimeAfter(t *testing.T, c *rpchttp.HTTP, after time.Time) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		st, err := c.Status(context.Background())
		require.NoError(t, err)
		if st.SyncInfo.LatestBlockTime.Unix() > after.Unix() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no block after %s within 10s", after)
}

// txOut is what a did command prints with --output json.
type txOut struct {
	DID       string `json:"did"`
	Operation string `json:"operation"`
	VersionID string `json:"versionId"`
	Height    int64  `json:"height"`
	TxHash    string `json:"txHash"`
	Keys      []struct {
		ID                 string `json:"id"`
		Key                string `json:"key"`
		PublicKeyMultibase string `json:"publicKeyMultibase"`
	} `json:"keys"`
}

// tx runs a did command with --output json and decodes its result.
func tx(t *testing.T, args ...string) txOut {
	t.Helper()
	out := ok(t, append(args, "-o", "json")...)
	var r txOut
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	require.Regexp(t, `^[0-9A-F]{64}$`, r.TxHash)
	require.Positive(t, r.Height)
	return r
}

// pubKey returns the publicKeyMultibase of a keyring key.
func pubKey(t *testing.T, name string, extra ...string) string {
	t.Helper()
	return strings.TrimSpace(ok(t, append([]string{"keys", "show", name, "--public-key"}, extra...)...))
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(s), &v), s)
	return v
}
