package commands_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The 3 a.m. case through the CLI, on a real node: a one-key DID rotates
// and records the stolen key compromised in one operation (rotate
// --compromised-since); a key revoked as retired is later recorded
// compromised (revoke-key on a key no longer listed), once: a second,
// later since-time is refused as already_compromised, with a hint.
func TestCLIMarksStolenKeys(t *testing.T) {
	node := startLedger(t)
	for _, k := range []string{"dana", "dana-2", "fred", "fred-laptop"} {
		ok(t, "keys", "add", k)
	}
	dana := tx(t, "did", "create", "--key", "dana").DID
	created := resolveJSON(t, dana).Metadata.Created
	waitBlockTimeAfter(t, node, mustTime(t, created))

	rot := tx(t, "did", "rotate", dana, "--key-id", "key-1", "--new-key", "dana-2", "--compromised-since", created)
	require.Equal(t, "2", rot.VersionID)
	h := decode[historyOut](t, ok(t, "history", dana, "-o", "json"))
	require.Len(t, h.Events, 2)
	require.Equal(t, []string{dana + "#key-1"}, h.Events[1].KeysRotated)
	require.Equal(t, []string{dana + "#key-1"}, h.Events[1].KeysCompromised)
	require.Equal(t, "compromised", h.Events[1].Reason)
	require.Equal(t, created, h.Events[1].CompromisedSince)
	require.Contains(t, ok(t, "history", dana), "rotated #key-1; old key of #key-1 compromised since "+created)

	fred := tx(t, "did", "create", "--key", "fred", "--key", "fred-laptop").DID
	tx(t, "did", "revoke-key", fred, "--key-id", "key-2", "--signer", "fred")
	fails(t, []string{"did", "revoke-key", fred, "--key-id", "key-2", "--signer", "fred"},
		"key_not_found: ", "add --compromised")
	fredCreated := resolveJSON(t, fred, "--version-id", "1").Metadata.Created
	mark := tx(t, "did", "revoke-key", fred, "--key-id", "key-2", "--compromised-since", fredCreated, "--signer", "fred")
	require.Equal(t, "3", mark.VersionID)
	h = decode[historyOut](t, ok(t, "history", fred, "-o", "json"))
	require.Equal(t, []string{fred + "#key-2"}, h.Events[2].KeysCompromised)
	fails(t, []string{"did", "revoke-key", fred, "--key-id", "key-2", "--compromised", "--signer", "fred"},
		"already_compromised: ", "hint:    the key is already recorded as compromised")
}
