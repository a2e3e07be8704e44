package commands_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/cmd/custos/commands"
)

type keyOut struct {
	Name               string `json:"name"`
	Type               string `json:"type"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
	Backend            string `json:"backend"`
	Path               string `json:"path"`
}

func TestKeysTestBackend(t *testing.T) {
	home := cliEnv(t)
	alice := decode[keyOut](t, ok(t, "keys", "add", "alice", "-o", "json"))
	require.Equal(t, "ed25519", alice.Type)
	require.Equal(t, "test", alice.Backend)
	require.True(t, strings.HasPrefix(alice.PublicKeyMultibase, "z6Mk"), alice.PublicKeyMultibase)
	require.Equal(t, filepath.Join(home, "keyring-test", "alice.key"), alice.Path)
	st, err := os.Stat(alice.Path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	x := decode[keyOut](t, ok(t, "keys", "add", "alice-x", "--type", "x25519", "-o", "json"))
	require.Equal(t, "x25519", x.Type)
	require.True(t, strings.HasPrefix(x.PublicKeyMultibase, "z6LS"), x.PublicKeyMultibase)

	list := decode[[]keyOut](t, ok(t, "keys", "list", "-o", "json"))
	require.Equal(t, []keyOut{alice, x}, list)
	text := ok(t, "keys", "list")
	require.Contains(t, text, "alice    ed25519  "+alice.PublicKeyMultibase)
	require.Contains(t, text, "alice-x  x25519   "+x.PublicKeyMultibase)

	show := ok(t, "keys", "show", "alice")
	require.Contains(t, show, "publicKeyMultibase: "+alice.PublicKeyMultibase)
	require.Equal(t, alice.PublicKeyMultibase+"\n", ok(t, "keys", "show", "alice", "-p"))

	// Nothing but export prints a private key.
	secret := strings.TrimSpace(ok(t, "keys", "export", "alice"))
	require.True(t, strings.HasPrefix(secret, "z3u2"), "an Ed25519 secretKeyMultibase starts z3u2")
	for _, args := range [][]string{{"keys", "list"}, {"keys", "show", "alice"}, {"keys", "add", "bob"}} {
		r := runIn(t, "", args...)
		require.NoError(t, r.err)
		require.NotContains(t, r.out+r.errOut, secret[1:20], "custos %v", args)
	}
	r := runIn(t, "", "keys", "export", "alice")
	require.Contains(t, r.errOut, "warning: this is the private ed25519 key")

	// Import into the encrypted keyring of another home, from stdin; the
	// passphrase is the next line.
	other := t.TempDir()
	r = runIn(t, secret+"\nsesame\n", "keys", "import", "alice", "--home", other, "--keyring-backend", "file", "-o", "json")
	require.NoError(t, r.err, r.errOut)
	require.Equal(t, alice.PublicKeyMultibase, decode[keyOut](t, r.out).PublicKeyMultibase)
	data, err := os.ReadFile(filepath.Join(other, "keyring", "alice.key"))
	require.NoError(t, err)
	require.NotContains(t, string(data), secret)
	r = runIn(t, "sesame\n", "keys", "export", "alice", "--home", other, "--keyring-backend", "file")
	require.NoError(t, r.err, r.errOut)
	require.Equal(t, secret+"\n", r.out)

	// Import from a file.
	f := filepath.Join(t.TempDir(), "x.secret")
	require.NoError(t, os.WriteFile(f, []byte(strings.TrimSpace(ok(t, "keys", "export", "alice-x"))+"\n"), 0o600))
	imp := decode[keyOut](t, ok(t, "keys", "import", "x2", f, "--home", t.TempDir(), "-o", "json"))
	require.Equal(t, x.PublicKeyMultibase, imp.PublicKeyMultibase)

	// Delete asks first.
	r = runIn(t, "n\n", "keys", "delete", "bob")
	require.ErrorContains(t, r.err, "not deleted: confirm with y, or pass --yes")
	require.Contains(t, r.errOut, "Delete key \"bob\" (ed25519 z6Mk")
	r = runIn(t, "y\n", "keys", "delete", "bob")
	require.NoError(t, r.err)
	ok(t, "keys", "delete", "alice-x", "--yes")
	require.Len(t, decode[[]keyOut](t, ok(t, "keys", "list", "-o", "json")), 1)
}

func TestKeysFileBackend(t *testing.T) {
	home := cliEnv(t)
	t.Setenv(commands.KeyringBackendEnv, "")
	passFile := filepath.Join(t.TempDir(), "pass")
	require.NoError(t, os.WriteFile(passFile, []byte("correct horse\n"), 0o600))

	// From a pipe, the passphrase is the next line of standard input.
	r := runIn(t, "correct horse\n", "keys", "add", "alice", "-o", "json")
	require.NoError(t, r.err, r.errOut)
	alice := decode[keyOut](t, r.out)
	require.Equal(t, "file", alice.Backend)
	require.Equal(t, filepath.Join(home, "keyring", "alice.key"), alice.Path)
	st, err := os.Stat(alice.Path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	// --passphrase-file and CUSTOS_PASSPHRASE open it; export proves it.
	secret := ok(t, "keys", "export", "alice", "--passphrase-file", passFile)
	t.Setenv(commands.PassphraseEnv, "correct horse")
	require.Equal(t, secret, ok(t, "keys", "export", "alice"))

	// show and list need no passphrase.
	t.Setenv(commands.PassphraseEnv, "wrong")
	require.Equal(t, alice.PublicKeyMultibase, pubKey(t, "alice"))

	// A wrong passphrase is a clear error.
	fails(t, []string{"keys", "export", "alice"}, `wrong passphrase for key "alice"`, "run the command again with the right one")
	os.Unsetenv(commands.PassphraseEnv)
	r = runIn(t, "nope\n", "keys", "export", "alice")
	require.ErrorContains(t, r.err, `wrong passphrase for key "alice"`)
	require.Empty(t, r.out)
	r = runIn(t, "", "keys", "export", "alice")
	require.ErrorContains(t, r.err, `no passphrase for key "alice"`)

	// An empty passphrase does not protect a key.
	r = runIn(t, "\n", "keys", "add", "bob")
	require.ErrorContains(t, r.err, "empty passphrase")

	// The test backend is another folder.
	fails(t, []string{"keys", "show", "alice", "--keyring-backend", "test"}, `no key named "alice"`, "--keyring-backend file")
}

func TestKeysRefusals(t *testing.T) {
	cliEnv(t)
	ok(t, "keys", "add", "alice")
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{name: "unknown key", args: []string{"keys", "show", "nobody"}, err: `no key named "nobody"`},
		{name: "export unknown", args: []string{"keys", "export", "nobody"}, err: "`custos keys list` shows the keys"},
		{name: "delete unknown", args: []string{"keys", "delete", "nobody", "--yes"}, err: `no key named "nobody"`},
		{name: "name exists", args: []string{"keys", "add", "alice"}, err: `a key named "alice" is already in`},
		{name: "path traversal", args: []string{"keys", "add", "../evil"}, err: `invalid key name "../evil"`},
		{name: "slash", args: []string{"keys", "show", "a/b"}, err: "invalid key name"},
		{name: "bad type", args: []string{"keys", "add", "k", "--type", "rsa"}, err: `invalid --type "rsa": use ed25519, p256 or secp256k1 (signing) or x25519`},
		{name: "bad backend", args: []string{"keys", "list", "--keyring-backend", "os"}, err: `invalid --keyring-backend "os": use file (encrypted) or test`},
		{name: "missing name", args: []string{"keys", "add"}, err: "missing NAME: usage: custos keys add NAME"},
		{name: "extra argument", args: []string{"keys", "show", "a", "b"}, err: `unexpected argument "b"`},
		{name: "import garbage", args: []string{"keys", "import", "k", "-"}, err: "no private key on standard input"},
		{name: "import a public key", args: []string{"keys", "import", "k", "/nonexistent/file"}, err: "cannot read the key file"},
		{name: "bad passphrase file", args: []string{"keys", "add", "k", "--keyring-backend", "file", "--passphrase-file", "/nonexistent/pass"}, err: "cannot read --passphrase-file"},
		{name: "bad key backend", args: []string{"keys", "add", "k", "--backend", "kms"}, err: `invalid --backend "kms": use software`},
		{name: "pkcs11 without a token", args: []string{"keys", "add", "k", "--backend", "pkcs11", "--pkcs11-module", "/nonexistent.so"}, err: "--backend pkcs11 needs --pkcs11-module LIB"},
		{name: "pkcs11 flags without pkcs11", args: []string{"keys", "add", "k", "--pkcs11-token", "t"}, err: "go with --backend pkcs11"},
		{name: "x25519 in a token", args: []string{"keys", "add", "k", "--backend", "pkcs11", "--pkcs11-module", "/nonexistent.so", "--pkcs11-token", "t", "--type", "x25519"}, err: "holds ed25519 or p256 keys"},
		{name: "pkcs11 module missing", args: []string{"keys", "add", "k", "--backend", "pkcs11", "--pkcs11-module", "/nonexistent.so", "--pkcs11-token", "t"}, err: "cannot load the PKCS#11 module"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fails(t, tc.args, tc.err)
		})
	}
	r := runIn(t, pubKey(t, "alice")+"\n", "keys", "import", "k")
	require.ErrorContains(t, r.err, "cannot import: not a secretKeyMultibase")
}
