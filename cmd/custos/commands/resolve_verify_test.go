package commands_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/cmd/custos/commands"
	"github.com/custos-ledger/custos/internal/testutil"
	"github.com/custos-ledger/custos/node/nodetest"
	"github.com/custos-ledger/custos/x/did/didjson"
)

// startRPCProxy runs an HTTP server on 127.0.0.1 that forwards JSON-RPC
// calls to the node at upstream and lets tamper rewrite the results of
// abci_query: a node that lies about state but not about headers.
func startRPCProxy(t *testing.T, upstream string, tamper func(response map[string]any)) string {
	t.Helper()
	upstream = "http://" + strings.TrimPrefix(upstream, "tcp://")
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		resp, err := http.Post(upstream+r.URL.Path, "application/json", bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		var req struct{ Method string }
		var msg map[string]any
		if tamper != nil && json.Unmarshal(body, &req) == nil && req.Method == "abci_query" && json.Unmarshal(out, &msg) == nil {
			if res, ok := msg["result"].(map[string]any); ok {
				if r, ok := res["response"].(map[string]any); ok {
					tamper(r)
					out, _ = json.Marshal(msg)
				}
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(out)
	})}
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)))
	require.NoError(t, err)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + l.Addr().String()
}

// flipValue flips the last byte of an abci_query answer's value.
func flipValue(response map[string]any) {
	s, _ := response["value"].(string)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return
	}
	b[len(b)-1] ^= 0x01
	response["value"] = base64.StdEncoding.EncodeToString(b)
}

type verifiedOut struct {
	resolutionOut
	Verification struct {
		Height    int64
		AppHash   string
		Primary   string
		Witnesses []string
		TrustedBy string
	}
}

// TestResolveVerify resolves a DID with proofs checked by a light client
// against a real node, and checks that a lying node, a wrong trust point
// and a missing one each fail loudly.
func TestResolveVerify(t *testing.T) {
	cliEnv(t)
	home := nodetest.Home(t)
	n := nodetest.Start(t, home)
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 2, 30*time.Second)
	addr := n.Config().RPC.ListenAddress
	t.Setenv(commands.NodeEnv, addr)
	ok(t, "keys", "add", "alice")
	did := tx(t, "did", "create", "--key", "alice").DID

	// One node, trusting the genesis of its home: a warning, then the
	// document and what it was verified against.
	r := runIn(t, "", "resolve", did, "--verify", "--home", home)
	require.NoError(t, r.err, r.errOut)
	require.Equal(t, did, decode[didjson.Document](t, r.out).ID)
	require.Contains(t, r.errOut, "warning: only one --node, so it is also the witness")
	require.Regexp(t, `verified at height \d+ \(app hash [0-9A-F]{64}\) against 1 witness, trusting the genesis validators of `, r.errOut)
	require.Contains(t, r.errOut, "# versionId 1 (latest)")
	require.FileExists(t, filepath.Join(home, "light", "trusted.json"), "the verified header is remembered")

	// Two nodes (the second a faithful proxy of the same node): no warning;
	// the trust file of the first run is used now.
	faithful := startRPCProxy(t, addr, nil)
	r = runIn(t, "", "resolve", did, "--verify", "--home", home, "--node", addr, "--node", faithful, "-o", "json")
	require.NoError(t, r.err, r.errOut)
	require.NotContains(t, r.errOut, "warning")
	v := decode[verifiedOut](t, r.out)
	require.Equal(t, did, v.Document.ID)
	require.Equal(t, pubKey(t, "alice"), keyOf(v.Document, "key-1"))
	require.Equal(t, "1", v.Metadata.VersionID)
	require.Positive(t, v.Verification.Height)
	require.Len(t, v.Verification.AppHash, 64)
	require.Equal(t, []string{faithful}, v.Verification.Witnesses)
	require.Contains(t, v.Verification.TrustedBy, "the header remembered in ")

	// A trust point given by hand needs no genesis.
	h := int64(2)
	commit, err := c.Commit(context.Background(), &h)
	require.NoError(t, err)
	hash := hex.EncodeToString(commit.Hash())
	empty := t.TempDir()
	r = runIn(t, "", "resolve", did, "--verify", "--home", empty, "--trust-height", "2", "--trust-hash", hash)
	require.NoError(t, r.err, r.errOut)
	require.Contains(t, r.errOut, "trusting the header at height 2 given by --trust-hash")

	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"tampered answer", []string{"--home", home, "--node", startRPCProxy(t, addr, flipValue), "--node", addr},
			[]string{"verification failed (proof): ", "do not trust it"}},
		{"wrong trust hash", []string{"--home", t.TempDir(), "--trust-height", "2", "--trust-hash", strings.Repeat("ab", 32)},
			[]string{"verification failed (trust point): ", "check --trust-height and --trust-hash"}},
		{"no trust point", []string{"--home", t.TempDir()},
			[]string{"no trust point for chain ", "pass --trust-height H --trust-hash HEX", "or --home of a node of this chain"}},
		{"malformed trust hash", []string{"--home", empty, "--trust-height", "2", "--trust-hash", "xyz"},
			[]string{`invalid --trust-hash "xyz"`}},
		{"trust height without hash", []string{"--home", empty, "--trust-height", "2"},
			[]string{"give --trust-height and --trust-hash together"}},
		{"version time", []string{"--home", home, "--version-time", "2025-01-02T15:04:05Z"},
			[]string{"--version-time cannot be verified yet"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := fails(t, append([]string{"resolve", did, "--verify"}, tc.args...), tc.want...)
			require.Empty(t, r.out, "nothing unverified is printed")
		})
	}

	// A DID that is not registered is proved absent.
	fails(t, []string{"resolve", "did:custos:2222222222222222222222", "--verify", "--home", home},
		"did_not_found: did:custos:2222222222222222222222 is not registered: proved absent at height ")

	// Verification flags need --verify; several nodes too.
	fails(t, []string{"resolve", did, "--trust-height", "2"}, "--trust-height goes with --verify")
	fails(t, []string{"resolve", did, "--node", addr, "--node", faithful}, "several --node addresses are for --verify")
	_, err = os.Stat(filepath.Join(empty, "config"))
	require.ErrorIs(t, err, os.ErrNotExist, "--verify writes nothing but the trust file")
}
