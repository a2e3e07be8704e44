//go:build cgo

package commands_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/cmd/custos/commands"
	"github.com/custos-ledger/custos/internal/softhsmtest"
)

// TestHSMKeysControlDIDs: DIDs controlled by keys held in a PKCS#11 token
// (SoftHSM2) and by P-256 keys, each machine a home of its own: created,
// rotated and resolved on a real node, every signature of a token key made
// by the token.
func TestHSMKeysControlDIDs(t *testing.T) {
	startLedger(t)
	tok := softhsmtest.New(t, "custos-cli", "2468")
	hsm := func(home, name, typ string, extra ...string) []string {
		return append([]string{"keys", "add", name, "--home", home, "--backend", "pkcs11",
			"--pkcs11-module", tok.Module, "--pkcs11-token", tok.Label, "--type", typ}, extra...)
	}
	officer := t.TempDir() // the machine the token is attached to
	laptop := t.TempDir()  // a machine with software keys only

	// The PIN from a file, from the environment, and typed (standard input).
	pinFile := filepath.Join(t.TempDir(), "pin")
	require.NoError(t, os.WriteFile(pinFile, []byte(tok.PIN+"\n"), 0o600))
	ok(t, append(hsm(officer, "hsm-ed", "ed25519"), "--pkcs11-pin-file", pinFile)...)
	r := runIn(t, tok.PIN+"\n", hsm(officer, "hsm-p256", "p256")...)
	require.NoError(t, r.err, r.errOut)
	fails(t, hsm(officer, "no-pin", "p256"), `no PIN for token "custos-cli"`, commands.PKCS11PINEnv)
	t.Setenv(commands.PKCS11PINEnv, tok.PIN)
	ok(t, hsm(officer, "hsm-ed-2", "ed25519")...)
	ok(t, hsm(officer, "hsm-p256-2", "p256")...)
	show := ok(t, "keys", "show", "hsm-p256", "--home", officer)
	require.Contains(t, show, `held in:            PKCS#11 token "custos-cli", key "hsm-p256"`)
	require.True(t, strings.HasPrefix(pubKey(t, "hsm-p256", "--home", officer), "zDn"))

	ok(t, "keys", "add", "soft-p256", "--type", "p256", "--home", laptop)
	ok(t, "keys", "add", "soft-p256-2", "--type", "p256", "--home", officer)
	ok(t, "keys", "add", "soft-p256-3", "--type", "p256", "--home", laptop)

	tests := []struct {
		name          string
		home          string
		key, rotateTo string
	}{
		{name: "HSM Ed25519 key rotated to another HSM Ed25519 key", home: officer, key: "hsm-ed", rotateTo: "hsm-ed-2"},
		{name: "HSM P-256 key rotated to a software P-256 key", home: officer, key: "hsm-p256", rotateTo: "soft-p256-2"},
		{name: "software P-256 key rotated to another", home: laptop, key: "soft-p256", rotateTo: "soft-p256-3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := tx(t, "did", "create", "--key", tc.key, "--home", tc.home)
			v1 := resolveJSON(t, c.DID)
			require.Equal(t, pubKey(t, tc.key, "--home", tc.home), keyOf(v1.Document, "key-1"))
			require.Equal(t, "Multikey", v1.Document.VerificationMethod[0].Type)
			require.Equal(t, []string{c.DID + "#key-1"}, v1.Document.CapabilityInvocation)

			rot := tx(t, "did", "rotate", c.DID, "--key-id", "key-1", "--new-key", tc.rotateTo, "--home", tc.home)
			require.Equal(t, "2", rot.VersionID)
			v2 := resolveJSON(t, c.DID)
			require.Equal(t, pubKey(t, tc.rotateTo, "--home", tc.home), keyOf(v2.Document, "key-1"))
			require.Equal(t, "2", v2.Metadata.VersionID)
			// The new key controls the DID: a change signed by it alone goes through.
			up := tx(t, "did", "update", c.DID, "--add-service", "hub,LinkedDomains,https://example.com/hsm", "--home", tc.home)
			require.Equal(t, "3", up.VersionID)
		})
	}

	t.Run("an Ed25519 DID moves into the token by a rotation", func(t *testing.T) {
		ok(t, "keys", "add", "soft-ed", "--home", officer)
		ok(t, hsm(officer, "hsm-p256-3", "p256")...)
		c := tx(t, "did", "create", "--key", "soft-ed", "--home", officer)
		tx(t, "did", "rotate", c.DID, "--key-id", "key-1", "--new-key", "hsm-p256-3", "--home", officer)
		v := resolveJSON(t, c.DID)
		require.Equal(t, pubKey(t, "hsm-p256-3", "--home", officer), keyOf(v.Document, "key-1"))
		tx(t, "did", "deactivate", c.DID, "--yes", "--home", officer)
	})

	t.Run("tx files: a 2-of-2 DID of a laptop's P-256 key and a token's Ed25519 key", func(t *testing.T) {
		ok(t, "keys", "add", "laptop-p256", "--type", "p256", "--home", laptop)
		ok(t, hsm(officer, "hsm-ed-3", "ed25519")...)
		file := filepath.Join(t.TempDir(), "create.json")
		ok(t, "did", "create", "--key", "laptop-p256", "--key-pub", pubKey(t, "hsm-ed-3", "--home", officer),
			"--threshold", "2", "--out", file, "--home", laptop)
		ok(t, "tx", "sign", file, "--signer", "hsm-ed-3", "--home", officer) // proof of possession, in the token
		did := tx(t, "tx", "broadcast", file).DID
		update := filepath.Join(t.TempDir(), "update.json")
		ok(t, "did", "update", did, "--add-service", "hub,LinkedDomains,https://example.com/2of2", "--out", update, "--home", officer)
		fails(t, []string{"tx", "broadcast", update}, "threshold_not_met")
		ok(t, "tx", "sign", update, "--home", laptop)
		require.Equal(t, "2", tx(t, "tx", "broadcast", update).VersionID)
		v := resolveJSON(t, did)
		require.Equal(t, pubKey(t, "laptop-p256", "--home", laptop), keyOf(v.Document, "key-1"))
		require.Equal(t, pubKey(t, "hsm-ed-3", "--home", officer), keyOf(v.Document, "key-2"))
	})

	t.Run("a wrong PIN fails the command, before anything is sent", func(t *testing.T) {
		c := tx(t, "did", "create", "--key", "hsm-ed-2=k", "--home", officer)
		t.Setenv(commands.PKCS11PINEnv, "0000")
		fails(t, []string{"did", "update", c.DID, "--add-service", "hub,LinkedDomains,https://example.com/x", "--home", officer}, "wrong PIN")
		t.Setenv(commands.PKCS11PINEnv, tok.PIN)
		require.Equal(t, "1", resolveJSON(t, c.DID).Metadata.VersionID)
	})
}
