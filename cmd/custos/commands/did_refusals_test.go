package commands_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/cmd/custos/commands"
	"github.com/custos-ledger/custos/internal/testutil"
)

// TestDIDRefusals checks that every way the ledger (or the CLI, with the
// ledger's rules) refuses an operation exits with an error that names it,
// says what it means and what to do, and changes nothing.
func TestDIDRefusals(t *testing.T) {
	startLedger(t)
	for _, k := range []string{"alice", "bob", "carol", "mallory"} {
		ok(t, "keys", "add", k)
	}
	ok(t, "keys", "add", "carol-x", "--type", "x25519")
	pair := tx(t, "did", "create", "--key", "alice", "--key", "bob", "--threshold", "2").DID // 2-of-2
	solo := tx(t, "did", "create", "--key", "carol").DID                                     // 1-of-1
	addService := func(id string) []string {
		return []string{"did", "update", id, "--add-service", "s" + id[len(id)-4:] + ",LinkedDomains,https://example.com"}
	}
	hint := "\n  hint:    "

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "too few signers for the threshold", args: append(addService(pair), "--signer", "alice"),
			want: []string{"threshold_not_met: 1 of the required 2 capabilityInvocation keys signed", "meaning: too few distinct capabilityInvocation keys signed", hint + "the DID needs more of its capabilityInvocation keys to sign"}},
		{name: "wrong signer for a fragment", args: append(addService(pair), "--signer", "alice", "--signer", "mallory=key-2"),
			want: []string{"bad_signature: ", hint + "a signature does not verify under the key"}},
		{name: "signer naming no key of the DID", args: append(addService(pair), "--signer", "alice", "--signer", "mallory=key-9"),
			want: []string{"unknown_signer: ", "is not a signing key of " + pair}},
		{name: "signer that is no key of the DID", args: append(addService(pair), "--signer", "mallory"),
			want: []string{`--signer mallory: key "mallory" (z6Mk`, "is not a key of " + pair, "use --signer mallory=FRAGMENT"}},
		{name: "x25519 signer", args: append(addService(pair), "--signer", "carol-x"),
			want: []string{`"carol-x" is an X25519 key, which cannot sign`}},
		{name: "revoking the last controller key", args: []string{"did", "revoke-key", solo, "--key-id", "key-1"},
			want: []string{"would_lose_control: ", hint + "the DID must keep at least threshold capabilityInvocation keys"}},
		{name: "update leaving no controller", args: []string{"did", "update", solo, "--remove-key", "key-1", "--add-key", "carol-x"},
			want: []string{"invalid_document: ", "meaning: the DID document breaks a document rule"}},
		{name: "threshold above the controllers", args: []string{"did", "update", solo, "--threshold", "2"},
			want: []string{"invalid_document: "}},
		{name: "rotate to another key type", args: []string{"did", "rotate", solo, "--key-id", "key-1", "--new-key", "carol-x"},
			want: []string{"key_type_mismatch: #key-1 is an Ed25519 key", hint + "rotate a signing key to a signing key"}},
		{name: "rotate to a key already listed", args: []string{"did", "rotate", pair, "--key-id", "key-1", "--new-key", "bob"},
			want: []string{"duplicate_key: "}},
		{name: "rotate an unknown fragment", args: []string{"did", "rotate", solo, "--key-id", "key-7", "--new-key", "mallory"},
			want: []string{"key_not_found: ", "its keys: #key-1 z6Mk"}},
		{name: "compromised in the future", args: []string{"did", "revoke-key", pair, "--key-id", "key-2", "--compromised-since", "2999-01-01T00:00:00Z", "--signer", "alice", "--signer", "bob"},
			want: []string{"invalid_time: ", "hint:    give --compromised-since in RFC 3339, not in the future"}},
		{name: "malformed DID", args: []string{"did", "rotate", "did:custos:0OIl", "--key-id", "key-1", "--new-key", "bob"},
			want: []string{"invalid_did: ", hint + "a DID is did:custos: followed by"}},
		{name: "another method", args: []string{"resolve", "did:web:example.com"},
			want: []string{`invalid_did: "did:web:example.com": method must be "custos"`}},
		{name: "non-canonical DID", args: []string{"history", "did:custos:11111111111111111111111"},
			want: []string{"invalid_did: "}},
		{name: "unregistered DID", args: []string{"resolve", "did:custos:2222222222222222222222"},
			want: []string{"did_not_found: ", hint + "check the DID, and that --node points at the chain"}},
		{name: "unknown key name", args: []string{"did", "create", "--key", "nobody"},
			want: []string{`--key nobody: no key named "nobody" in `, "`custos keys list` shows the keys"}},
		{name: "unknown new key", args: []string{"did", "rotate", solo, "--key-id", "key-1", "--new-key", "nobody"},
			want: []string{`--new-key nobody: no key named "nobody"`}},
		{name: "unknown signer name", args: append(addService(pair), "--signer", "nobody"),
			want: []string{`--signer nobody: no key named "nobody"`}},
		{name: "agreement key that signs", args: []string{"did", "create", "--key", "alice", "--agreement-key", "bob"},
			want: []string{`--agreement-key bob: "bob" is an Ed25519 key; a keyAgreement key must be X25519`}},
		{name: "no key", args: []string{"did", "create"}, want: []string{"no --key given"}},
		{name: "threshold too high", args: []string{"did", "create", "--key", "alice", "--threshold", "2"},
			want: []string{"invalid --threshold 2: give a number from 1 to 1"}},
		{name: "bad service", args: []string{"did", "create", "--key", "alice", "--service", "hub"},
			want: []string{`invalid --service "hub": give ID,TYPE,ENDPOINT`}},
		{name: "service endpoint not a URI", args: []string{"did", "create", "--key", "alice", "--service", "hub,T,not a uri"},
			want: []string{"invalid_document: "}},
		{name: "nothing to update", args: []string{"did", "update", solo}, want: []string{"nothing to change"}},
		{name: "bad relationship", args: []string{"did", "update", solo, "--add-key", "mallory:owner"},
			want: []string{`unknown relationship "owner"`}},
		{name: "missing key id", args: []string{"did", "revoke-key", solo}, want: []string{`required flag(s) "key-id" not set`}},
		{name: "bad compromised-since", args: []string{"did", "revoke-key", solo, "--key-id", "key-1", "--compromised-since", "yesterday"},
			want: []string{`invalid --compromised-since "yesterday": give an RFC 3339 time`}},
		{name: "both version selectors", args: []string{"resolve", solo, "--version-id", "1", "--version-time", "2025-01-01T00:00:00Z"},
			want: []string{"give --version-id or --version-time, not both"}},
		{name: "wrong chain id", args: append(addService(solo), "--chain-id", "other-chain"),
			want: []string{"wrong_chain_id: ", "drop --chain-id"}},
		{name: "deactivate without confirmation", args: []string{"did", "deactivate", solo},
			want: []string{"not deactivated: confirm with y, or pass --yes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := fails(t, tc.args, tc.want...)
			require.Empty(t, r.out, "a refusal prints nothing on stdout in text mode")
		})
	}

	// Nothing above changed either DID.
	for _, id := range []string{pair, solo} {
		h := decode[historyOut](t, ok(t, "history", id, "-o", "json"))
		require.Len(t, h.Events, 1, "%s changed", id)
	}

	t.Run("stale version", func(t *testing.T) {
		// Version 2 is committed; a change built on version 1 is refused.
		require.Equal(t, "2", tx(t, "did", "update", solo, "--add-service", "a,T,https://a.example").VersionID)
		fails(t, []string{"did", "update", solo, "--add-service", "b,T,https://b.example", "--expected-version", "1"},
			"stale_version: ", "hint:    the DID changed since it was read; run the command again")
		require.Equal(t, "3", tx(t, "did", "update", solo, "--add-service", "b,T,https://b.example").VersionID)
	})

	t.Run("json refusal", func(t *testing.T) {
		r := runIn(t, "", append(addService(pair), "--signer", "alice", "-o", "json")...)
		require.Error(t, r.err)
		type refusal struct {
			Name, Codespace, Detail, Meaning, Hint string
			Code                                   uint32
		}
		out := decode[struct{ Error refusal }](t, r.out)
		require.Equal(t, "threshold_not_met", out.Error.Name)
		require.Equal(t, uint32(22), out.Error.Code)
		require.Equal(t, "custos", out.Error.Codespace)
		require.NotEmpty(t, out.Error.Hint)
	})

	t.Run("implicit signers too few", func(t *testing.T) {
		// A keyring holding only alice cannot change the 2-of-2 DID.
		other := t.TempDir()
		secret := ok(t, "keys", "export", "alice")
		r := runIn(t, secret, "keys", "import", "alice", "--home", other)
		require.NoError(t, r.err, r.errOut)
		fails(t, append(addService(pair), "--home", other),
			pair+" needs 2 controller signature(s) (its threshold) but the test keyring", "holds 1 of its capabilityInvocation keys; missing: #key-2")
	})

	t.Run("wrong passphrase", func(t *testing.T) {
		passFile := filepath.Join(t.TempDir(), "pass")
		require.NoError(t, os.WriteFile(passFile, []byte("right\n"), 0o600))
		ok(t, "keys", "add", "eve", "--keyring-backend", "file", "--passphrase-file", passFile)
		t.Setenv(commands.PassphraseEnv, "wrong")
		fails(t, []string{"did", "create", "--key", "eve", "--keyring-backend", "file"}, `wrong passphrase for key "eve"`)
		// With the right one it goes through.
		t.Setenv(commands.PassphraseEnv, "right")
		require.Equal(t, "1", tx(t, "did", "create", "--key", "eve", "--keyring-backend", "file").VersionID)
	})

	t.Run("unreachable node", func(t *testing.T) {
		addr := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
		for _, args := range [][]string{
			{"resolve", solo, "--node", addr},
			{"history", solo, "--node", "http://" + addr},
			{"did", "create", "--key", "alice", "--node", "tcp://" + addr},
			{"did", "deactivate", solo, "--yes", "--node", addr},
		} {
			fails(t, args, "cannot reach the node at ", addr, "start one with `custos start`, or point --node")
		}
		fails(t, []string{"resolve", solo, "--node", "http://"}, `invalid --node "http://"`)
	})
}
