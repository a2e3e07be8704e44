package resolver_test

// Conformance with JavaScript clients nobody here wrote: did-jwt 9.0.1 and
// did-resolver 6.0.0 (pinned in testdata/js/package-lock.json) verify
// JWTs signed in Go by did:custos keys, resolving the issuers through the
// resolver over HTTP. `make npm-deps` installs the packages.

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/node/nodetest"
	"github.com/custos-ledger/custos/resolver"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// jsDir holds the npm project of the JavaScript conformance check.
var jsDir = filepath.Join("testdata", "js")

// requireNode returns the node binary, or skips the test: a missing node
// or missing packages fail the test under CI (CI is set) and skip it
// elsewhere.
func requireNode(t *testing.T) string {
	t.Helper()
	missing := func(what string) {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s: CI must run the JavaScript conformance check; run `make npm-deps` first", what)
		}
		t.Skipf("%s: skipping the JavaScript conformance check (run `make npm-deps`)", what)
	}
	bin, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	for _, pkg := range []string{"did-jwt", "did-resolver"} {
		if _, err := os.Stat(filepath.Join(jsDir, "node_modules", pkg, "package.json")); err != nil {
			missing(pkg + " is not in " + filepath.Join(jsDir, "node_modules"))
		}
	}
	return bin
}

// signJWT makes a compact EdDSA JWS (RFC 8037) of claims with key, naming
// kid in its header.
func signJWT(t *testing.T, key ed25519.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(map[string]string{"alg": "EdDSA", "typ": "JWT", "kid": kid}) + "." + enc(claims)
	return input + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, []byte(input)))
}

func TestDIDJWT(t *testing.T) {
	nodeBin := requireNode(t)
	if testing.Short() {
		t.Skip("runs a node")
	}
	n := nodetest.Start(t, nodetest.Home(t))
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 1, 30*time.Second)
	chain := n.App().ChainID()
	ts := startServer(t, resolver.NewLocalSource(n.App().Store(), blockTimes(n)))

	create := func(name string) (types.ID, ed25519.PrivateKey) {
		k := key("jwt/" + name)
		id, body, err := txbuild.Create(chain, txbuild.SimpleDocument("key-1", pub(k)), "")
		require.NoError(t, err)
		commitTx(t, c, sign(t, body, txbuild.NewSigner(id, "key-1", k)))
		return id, k
	}
	alice, aliceKey := create("alice")
	carol, carolKey := create("carol")
	commitTx(t, c, sign(t, txbuild.Deactivate(chain, carol, 1), txbuild.NewSigner(carol, "key-1", carolKey)))
	dave, daveKey := create("dave")
	dave2 := key("jwt/dave2")
	commitTx(t, c, sign(t, txbuild.Rotate(chain, dave, 1, "key-1", pub(dave2)),
		txbuild.NewSigner(dave, "key-1", daveKey), txbuild.NewSigner(dave, "key-1", dave2)))

	const aud = "did:custos:audience-of-the-test"
	now := time.Now().Unix()
	claims := func(iss types.ID) map[string]any {
		return map[string]any{"iss": iss.String(), "aud": aud, "sub": "conformance", "iat": now, "exp": now + 600}
	}
	kid := func(id types.ID) string { return id.String() + "#key-1" }
	valid := signJWT(t, aliceKey, kid(alice), claims(alice))
	parts := strings.Split(valid, ".")
	tampered := claims(alice)
	tampered["sub"] = "someone else"
	otherAud := claims(alice)
	otherAud["aud"] = "did:custos:another-audience"
	env := map[string]string{
		"CUSTOS_RESOLVER":                 ts.base,
		"CUSTOS_AUDIENCE":                 aud,
		"CUSTOS_DID":                      alice.String(),
		"CUSTOS_JWT_VALID":                valid,
		"CUSTOS_JWT_INVALID_FORGED":       signJWT(t, key("jwt/mallory"), kid(alice), claims(alice)),
		"CUSTOS_JWT_INVALID_TAMPERED":     parts[0] + "." + strings.Split(signJWT(t, aliceKey, kid(alice), tampered), ".")[1] + "." + parts[2],
		"CUSTOS_JWT_INVALID_AUDIENCE":     signJWT(t, aliceKey, kid(alice), otherAud),
		"CUSTOS_JWT_INVALID_DEACTIVATED":  signJWT(t, carolKey, kid(carol), claims(carol)),
		"CUSTOS_JWT_INVALID_ROTATED_AWAY": signJWT(t, daveKey, kid(dave), claims(dave)),
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodeBin, "verify.mjs")
	cmd.Dir = jsDir
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	t.Logf("node verify.mjs:\n%s", out)
	require.NoError(t, err, "did-jwt must verify the valid JWT and refuse every invalid one")
	lines := strings.Count(strings.TrimSpace(string(out)), "\n") + 1
	require.GreaterOrEqual(t, lines, len(env)-3+1, "one line per JWT and the resolution check")
	require.Contains(t, string(out), fmt.Sprintf(`"check":"CUSTOS_JWT_VALID","ok":true,"verified":true,"issuer":"%s"`, alice))
}
