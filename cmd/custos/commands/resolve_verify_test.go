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
	"unicode"
	"unicode/utf8"

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
	if tamper == nil {
		return startLyingProxy(t, upstream, nil)
	}
	return startLyingProxy(t, upstream, func(method string, result map[string]any) {
		if r, ok := result["response"].(map[string]any); ok && method == "abci_query" {
			tamper(r)
		}
	})
}

// startLyingProxy runs an HTTP server on 127.0.0.1 that forwards JSON-RPC
// calls to the node at upstream and lets tamper rewrite the result of any
// method: a node that lies.
func startLyingProxy(t *testing.T, upstream string, tamper func(method string, result map[string]any)) string {
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
		if tamper != nil && json.Unmarshal(body, &req) == nil && json.Unmarshal(out, &msg) == nil {
			if res, ok := msg["result"].(map[string]any); ok {
				tamper(req.Method, res)
				out, _ = json.Marshal(msg)
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

// claimLatest makes a status answer claim latest height h.
func claimLatest(method string, result map[string]any, h int64) {
	if method != "status" {
		return
	}
	if si, ok := result["sync_info"].(map[string]any); ok {
		si["latest_block_height"] = fmt.Sprint(h)
	}
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
		Height      int64
		AppHash     string
		HeaderTime  string
		Primary     string
		Witnesses   []string
		Unavailable []struct {
			Addr         string
			State        string
			LatestHeight int64
			Error        string
		}
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
	require.Regexp(t, `verified at height \d+ \(app hash [0-9A-F]{64}, signed in a header of [0-9TZ:-]+\) from `+addr+` against no witness, trusting the genesis validators of `, r.errOut)
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

	st, err := c.Status(context.Background())
	require.NoError(t, err)
	chain := st.NodeInfo.Network
	hash32 := base64.StdEncoding.EncodeToString(make([]byte, 32))
	for _, tc := range []struct {
		name string
		args []string
		want []string
		not  []string
	}{
		{"tampered answer", []string{"--home", home, "--node", startRPCProxy(t, addr, flipValue), "--node", addr},
			[]string{"verification failed (proof): ", "do not trust it"}, nil},
		// A proof whose key is binary: the error shows it escaped, never
		// raw bytes on the terminal.
		{"binary key in a proof", []string{"--home", home, "--node", startRPCProxy(t, addr, binaryProofKey), "--node", addr},
			[]string{"verification failed (proof): "}, nil},
		// A trust file that cannot be used is refused, naming the file and
		// what to do; the client never starts again from the genesis without
		// a word.
		{"garbage trust file", []string{"--home", trustHome(t, home, "{not json")},
			[]string{"verification failed (trust point): ", "is not a trust file", "remove "}, []string{"genesis validators"}},
		{"trust file of another chain", []string{"--home", trustHome(t, home, `{"chain_id":"custos-other","height":5,"hash":"`+hash32+`"}`)},
			[]string{"verification failed (trust point): ", `holds a header of chain "custos-other", not of "` + chain + `"`, "remove "}, nil},
		{"trust file with a negative height", []string{"--home", trustHome(t, home, `{"chain_id":"`+chain+`","height":-5,"hash":"`+hash32+`"}`)},
			[]string{"verification failed (trust point): ", "holds height -5: a header's height is positive", "remove "}, []string{"genesis validators"}},
		{"trust file with a short hash", []string{"--home", trustHome(t, home, `{"chain_id":"`+chain+`","height":5,"hash":"AAAA"}`)},
			[]string{"verification failed (trust point): ", "holds a hash of 3 bytes, not 32"}, nil},
		{"wrong trust hash", []string{"--home", t.TempDir(), "--trust-height", "2", "--trust-hash", strings.Repeat("ab", 32)},
			[]string{"verification failed (trust point): ", "check --trust-height and --trust-hash"}, nil},
		{"no trust point", []string{"--home", t.TempDir()},
			[]string{"no trust point for chain " + chain, "pass --trust-height H --trust-hash HEX", "or --home of a node of this chain"}, nil},
		{"malformed trust hash", []string{"--home", empty, "--trust-height", "2", "--trust-hash", "xyz"},
			[]string{`invalid --trust-hash "xyz"`}, nil},
		{"trust height without hash", []string{"--home", empty, "--trust-height", "2"},
			[]string{"give --trust-height and --trust-hash together"}, nil},
		{"version time", []string{"--home", home, "--version-time", "2025-01-02T15:04:05Z"},
			[]string{"--version-time cannot be verified yet"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := fails(t, append([]string{"resolve", did, "--verify"}, tc.args...), tc.want...)
			require.Empty(t, r.out, "nothing unverified is printed")
			for _, n := range tc.not {
				require.NotContains(t, r.err.Error(), n)
			}
			requirePrintable(t, r.err.Error())
			requirePrintable(t, r.errOut)
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

// trustHome returns a client home with home's genesis and a trust file
// holding content.
func trustHome(t *testing.T, home, content string) string {
	t.Helper()
	dir := t.TempDir()
	gen, err := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "config"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config", "genesis.json"), gen, 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "light"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "light", "trusted.json"), []byte(content), 0o600))
	return dir
}

// binaryProofKey replaces the key of an answer's first proof op with bytes
// a terminal would act on.
func binaryProofKey(response map[string]any) {
	ops, _ := response["proofOps"].(map[string]any)["ops"].([]any)
	if len(ops) == 0 {
		return
	}
	ops[0].(map[string]any)["key"] = base64.StdEncoding.EncodeToString([]byte("\x1b[2J\x1b]0;pwned\x07\x00\xff\xfe\u202ekey"))
}

// requirePrintable fails when s holds control characters (but newlines),
// bidi overrides or invalid UTF-8.
func requirePrintable(t *testing.T, s string) {
	t.Helper()
	require.True(t, utf8.ValidString(s), "invalid UTF-8 in %q", s)
	for _, r := range s {
		if r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)) {
			t.Fatalf("%U in %q", r, s)
		}
	}
}

// trustedHeight reads the height of the header remembered under home.
func trustedHeight(t *testing.T, home string) int64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(home, "light", "trusted.json"))
	require.NoError(t, err)
	var tp struct{ Height int64 }
	require.NoError(t, json.Unmarshal(b, &tp))
	return tp.Height
}

// TestResolveVerifyStale puts a lying node in front of a real one: its
// /status claims an old latest height, at which every header and proof is
// genuine but the DID had its old key. --verify must refuse the answer as
// stale, by the witnesses' latest height and by the age of the header, and
// the remembered trust point must not move back.
func TestResolveVerifyStale(t *testing.T) {
	cliEnv(t)
	home := nodetest.Home(t)
	n := nodetest.Start(t, home)
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 2, 30*time.Second)
	addr := n.Config().RPC.ListenAddress
	t.Setenv(commands.NodeEnv, addr)
	ok(t, "keys", "add", "alice")
	ok(t, "keys", "add", "alice-2")
	created := tx(t, "did", "create", "--key", "alice")
	did := created.DID
	old := created.Height // version 1, alice's key, is the latest there
	tx(t, "did", "rotate", did, "--key-id", "key-1", "--new-key", "alice-2")

	// An honest answer: version 2, and a trust point above the rotation.
	r := runIn(t, "", "resolve", did, "--verify", "--home", home, "-o", "json")
	require.NoError(t, r.err, r.errOut)
	require.Equal(t, pubKey(t, "alice-2"), keyOf(decode[verifiedOut](t, r.out).Document, "key-1"))
	trusted := trustedHeight(t, home)
	require.Greater(t, trusted, old+1)

	// The header that signs the state at `old` must be older than the
	// --max-age used below, and the chain well past the lag.
	var hdrTime time.Time
	for {
		h := old + 1
		cm, err := c.Commit(context.Background(), &h)
		require.NoError(t, err)
		hdrTime = cm.Time
		st, err := c.Status(context.Background())
		require.NoError(t, err)
		if time.Since(hdrTime) > 3*time.Second && st.SyncInfo.LatestBlockHeight > old+10 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	liar := startLyingProxy(t, addr, func(method string, result map[string]any) { claimLatest(method, result, old) })
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"lying primary, honest witness", []string{"--node", liar, "--node", addr},
			[]string{"verification failed (stale): ", "the node at " + liar + " says its latest block is " + fmt.Sprint(old), "of witness " + addr, "do not trust it"}},
		{"lying primary alone", []string{"--node", liar, "--max-age", "2s"},
			[]string{"verification failed (stale): ", fmt.Sprintf("header %d, which carries the app hash of height %d", old+1, old), "more than the maximum age 2s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := fails(t, append([]string{"resolve", did, "--verify", "--home", home}, tc.args...), tc.want...)
			require.Empty(t, r.out, "the old document is not printed")
			require.NotContains(t, r.errOut, "(latest)")
			require.Equal(t, trusted, trustedHeight(t, home), "the trust point does not move back")
		})
	}

	// A node a block or two behind its witness is within --max-lag.
	behind := startLyingProxy(t, addr, func(method string, result map[string]any) {
		if si, ok := result["sync_info"].(map[string]any); ok && method == "status" {
			var h int64
			fmt.Sscan(fmt.Sprint(si["latest_block_height"]), &h)
			claimLatest(method, result, h-1)
		}
	})
	r = runIn(t, "", "resolve", did, "--verify", "--home", home, "--node", behind, "--node", addr, "-o", "json")
	require.NoError(t, r.err, r.errOut)
	v := decode[verifiedOut](t, r.out)
	require.Equal(t, pubKey(t, "alice-2"), keyOf(v.Document, "key-1"))
	require.Equal(t, []string{addr}, v.Verification.Witnesses)
	require.GreaterOrEqual(t, trustedHeight(t, home), trusted)

	fails(t, []string{"resolve", did, "--verify", "--home", home, "--max-age", "0s"}, "invalid --max-age 0s")
	fails(t, []string{"resolve", did, "--max-lag", "5"}, "--max-lag goes with --verify")
}

// startLaggingProxy runs a faithful proxy of the node at upstream that
// pretends to be lag blocks behind it: its status says so, and it refuses
// headers above that height as a node that does not have them yet.
func startLaggingProxy(t *testing.T, upstream string, lag int64) string {
	t.Helper()
	upstream = "http://" + strings.TrimPrefix(upstream, "tcp://")
	latest := func() int64 {
		resp, err := http.Get(upstream + "/status")
		if err != nil {
			return 0
		}
		defer resp.Body.Close()
		var st struct {
			Result struct {
				SyncInfo struct {
					LatestBlockHeight string `json:"latest_block_height"`
				} `json:"sync_info"`
			}
		}
		_ = json.NewDecoder(resp.Body).Decode(&st)
		var h int64
		_, _ = fmt.Sscan(st.Result.SyncInfo.LatestBlockHeight, &h)
		return h
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req struct {
			ID     any    `json:"id"`
			Method string `json:"method"`
			Params struct {
				Height string `json:"height"`
			} `json:"params"`
		}
		_ = json.Unmarshal(body, &req)
		top := latest() - lag
		var h int64
		if _, err := fmt.Sscan(req.Params.Height, &h); err == nil && h > top && (req.Method == "header" || req.Method == "commit" || req.Method == "validators") {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "error": map[string]any{
				"code": -32603, "message": "Internal error", "data": fmt.Sprintf("height %d must be less than or equal to the current blockchain height %d", h, top)}})
			return
		}
		resp, err := http.Post(upstream+r.URL.Path, "application/json", bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		var msg map[string]any
		if req.Method == "status" && json.Unmarshal(out, &msg) == nil {
			if res, ok := msg["result"].(map[string]any); ok {
				claimLatest("status", res, top)
				out, _ = json.Marshal(msg)
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

// TestResolveVerifyNodes runs --verify against a real node and several
// addresses in front of it: faithful proxies (witnesses at addresses of
// their own), one that stays far behind, and one where nothing listens.
// The answer names the witnesses that agreed, the node that could not be
// reached and the one behind, and a dead primary hands over to the next
// --node.
func TestResolveVerifyNodes(t *testing.T) {
	cliEnv(t)
	home := nodetest.Home(t)
	n := nodetest.Start(t, home)
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 2, 30*time.Second)
	addr := n.Config().RPC.ListenAddress
	t.Setenv(commands.NodeEnv, addr)
	ok(t, "keys", "add", "alice")
	did := tx(t, "did", "create", "--key", "alice").DID
	w1, w2 := startRPCProxy(t, addr, nil), startRPCProxy(t, addr, nil)
	behind := startLaggingProxy(t, addr, 1000)
	dead := fmt.Sprintf("http://127.0.0.1:%d", testutil.FreePort(t))

	type unavailable struct{ addr, state string }
	for _, tc := range []struct {
		name      string
		nodes     []string
		primary   string
		witnesses []string
		missing   []unavailable
		stderr    []string
	}{
		{"all up", []string{addr, w1, w2}, addr, []string{w1, w2}, nil,
			[]string{"from " + addr + " against witnesses " + w1 + ", " + w2 + ", trusting "}},
		{"a dead witness", []string{addr, dead, w1}, addr, []string{w1}, []unavailable{{dead, "unreachable"}},
			[]string{"warning: the node at " + dead + " is unreachable (connection refused): it did not cross-check the answer", "against witness " + w1 + ", trusting"}},
		{"a witness behind", []string{addr, behind, w1}, addr, []string{w1}, []unavailable{{behind, "behind"}},
			[]string{"warning: the node at " + behind + " is behind (at height ", "against witness " + w1 + ", trusting"}},
		{"a dead primary", []string{dead, w1, w2}, w1, []string{w2}, []unavailable{{dead, "unreachable"}},
			[]string{"warning: the node at " + dead + " is unreachable", "from " + w1 + " against witness " + w2}},
		{"a dead primary, one node left", []string{dead, w2}, w2, []string{}, []unavailable{{dead, "unreachable"}},
			[]string{"warning: no other --node cross-checked the header: it is checked against the validators' signatures only", "against no witness"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"resolve", did, "--verify", "--home", home, "--witness-wait", "1s"}
			for _, n := range tc.nodes {
				args = append(args, "--node", n)
			}
			r := runIn(t, "", append(args, "-o", "json")...)
			require.NoError(t, r.err, r.errOut)
			v := decode[verifiedOut](t, r.out)
			require.Equal(t, did, v.Document.ID)
			require.Equal(t, tc.primary, v.Verification.Primary)
			require.Equal(t, tc.witnesses, v.Verification.Witnesses)
			var got []unavailable
			for _, u := range v.Verification.Unavailable {
				got = append(got, unavailable{u.Addr, u.State})
			}
			require.Equal(t, tc.missing, got)
			r = runIn(t, "", args...)
			require.NoError(t, r.err, r.errOut)
			for _, w := range tc.stderr {
				require.Contains(t, r.errOut, w)
			}
		})
	}
	// Witnesses that answer but are all behind cannot cross-check the
	// header: no answer, rather than one checked by nobody.
	fails(t, []string{"resolve", did, "--verify", "--home", home, "--witness-wait", "1s", "--node", addr, "--node", behind},
		"verification failed (header): ", "no witness has it within 1s ("+behind+" at height ", "the node at "+addr+" is ahead of the witnesses")
	fails(t, []string{"resolve", did, "--verify", "--home", home, "--node", dead, "--node", dead + "/"},
		"cannot reach any node: "+dead+" (connection refused)")
}
