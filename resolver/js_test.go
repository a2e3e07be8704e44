package resolver_test

// Conformance with JavaScript clients nobody here wrote: did-jwt 9.0.1 and
// did-resolver 6.0.0 (pinned in testdata/js/package-lock.json) verify
// JWTs signed in Go by did:custos keys (EdDSA by Ed25519 keys, ES256 by a
// P-256 key, ES256K by a secp256k1 key), resolving the issuers through the
// resolver over HTTP. `make npm-deps` installs the packages.

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
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
	return signJWTWith(t, "EdDSA", txbuild.Ed25519Key(key), kid, claims)
}

// signJWTWith makes a compact JWS of claims with alg (EdDSA, ES256 or
// ES256K) signed by ks, the signature as the signer gives it: for ECDSA the
// 64 bytes r || s over SHA-256 of the signing input, which is the JWS form
// (RFC 7518 §3.4) and the one Custos verifies.
func signJWTWith(t *testing.T, alg string, ks txbuild.KeySigner, kid string, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(map[string]string{"alg": alg, "typ": "JWT", "kid": kid}) + "." + enc(claims)
	sig, err := ks.Sign([]byte(input))
	require.NoError(t, err)
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// p256JWTKey is the P-256 key whose scalar is SHA-256("custos resolver jwt
// p256 " + name).
func p256JWTKey(t *testing.T, name string) txbuild.P256Key {
	d := sha256.Sum256([]byte("custos resolver jwt p256 " + name))
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	require.NoError(t, err)
	return txbuild.P256Key{Key: k}
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

	// A DID controlled by a P-256 key (an HSM's, say), and one by a
	// secp256k1 key: did-jwt verifies their ES256 and ES256K JWTs with the
	// Multikeys the resolver renders.
	createWith := func(ks txbuild.KeySigner) types.ID {
		id, body, err := txbuild.Create(chain, txbuild.SimpleDocument("key-1", ks.Public()), "")
		require.NoError(t, err)
		commitTx(t, c, sign(t, body, txbuild.NewKeySigner(id, "key-1", ks)))
		return id
	}
	erinKey := p256JWTKey(t, "erin")
	erin := createWith(erinKey)
	k1 := sha256.Sum256([]byte("custos resolver jwt secp256k1 frank"))
	frankKey := txbuild.Secp256k1Key{Key: secp256k1.PrivKeyFromBytes(k1[:])}
	frank := createWith(frankKey)

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
		"CUSTOS_DID_P256":                 erin.String(),
		"CUSTOS_JWT_VALID_P256":           signJWTWith(t, "ES256", erinKey, kid(erin), claims(erin)),
		"CUSTOS_JWT_INVALID_P256_FORGED":  signJWTWith(t, "ES256", p256JWTKey(t, "mallory"), kid(erin), claims(erin)),
		"CUSTOS_DID_SECP256K1":            frank.String(),
		"CUSTOS_JWT_VALID_SECP256K1":      signJWTWith(t, "ES256K", frankKey, kid(frank), claims(frank)),
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
	require.GreaterOrEqual(t, lines, len(env)-5+1, "one line per JWT and the resolution check")
	require.Contains(t, string(out), fmt.Sprintf(`"check":"CUSTOS_JWT_VALID","ok":true,"verified":true,"issuer":"%s"`, alice))
	require.Contains(t, string(out), fmt.Sprintf(`"check":"CUSTOS_JWT_VALID_P256","ok":true,"verified":true,"issuer":"%s"`, erin))
	require.Contains(t, string(out), fmt.Sprintf(`"check":"CUSTOS_JWT_VALID_SECP256K1","ok":true,"verified":true,"issuer":"%s"`, frank))
	require.Contains(t, string(out), `"check":"CUSTOS_JWT_INVALID_P256_FORGED","ok":true,"verified":false`)
}
