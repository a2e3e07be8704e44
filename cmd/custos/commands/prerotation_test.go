package commands_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// nextOut is the commitment a did command prints with --output json.
type nextOut struct {
	NextKeys *struct {
		Keys []struct {
			Key                string `json:"key"`
			PublicKeyMultibase string `json:"publicKeyMultibase"`
		} `json:"keys"`
		Threshold uint32 `json:"threshold"`
	} `json:"nextKeys"`
}

// TestPreRotation commits a DID to its next key and checks that a thief
// holding the current key can neither rotate control away, replace the
// commitment nor deactivate the DID, while the owner rotates with the next
// key alone (cancelling a pending recovery) and deactivates by revealing.
func TestPreRotation(t *testing.T) {
	startRecoveryLedger(t)
	for _, k := range []string{"alice", "alice-next", "alice-next-2", "thief", "thief-next", "bob", "carol"} {
		ok(t, "keys", "add", k)
	}
	out := ok(t, "did", "create", "--key", "alice", "--next-key", "alice-next", "-o", "json")
	did := decode[txOut](t, out).DID
	next := decode[nextOut](t, out).NextKeys
	require.NotNil(t, next)
	require.Equal(t, uint32(1), next.Threshold)
	require.Equal(t, "alice-next", next.Keys[0].Key)
	require.Equal(t, pubKey(t, "alice-next"), next.Keys[0].PublicKeyMultibase)

	// A recovery pending: two guardians, one approval of two.
	bob := tx(t, "did", "create", "--key", "bob").DID
	carol := tx(t, "did", "create", "--key", "carol").DID
	// Under a pre-rotation commitment even the first guardian set waits out
	// its delay (docs/recovery.md): the current key alone cannot name
	// guardians who act at once.
	eventTx(t, "guardians", "set", did, "--guardian", bob, "--guardian", carol, "--threshold", "2", "--delay", "3s")
	st := recoveryStatus(t, did)
	require.Nil(t, st.Guardians, "the first set took effect at once")
	require.NotNil(t, st.PendingGuardians)
	eventually(t, 30*time.Second, "the first guardian set to take effect", func() bool {
		return recoveryStatus(t, did).Guardians != nil
	})
	eventTx(t, "recovery", "initiate", did, "--guardian", bob, "--new-key", "thief")
	require.Len(t, recoveryStatus(t, did).Recoveries, 1)

	// The thief holds alice, the current key. Refusals name the rule.
	hint := "\n  hint:    the DID has committed to its next keys"
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"rotate control to the thief's key", []string{"did", "rotate", did, "--key-id", "key-1", "--new-key", "thief", "--next-key", "thief-next"},
			[]string{"pre_rotation_violation: " + did + " has committed to its next controller keys and #key-1 " + pubKey(t, "thief") + " is not one of them", hint}},
		{"add a controller", []string{"did", "update", did, "--add-key", "thief", "--next-key", "thief-next"},
			[]string{"pre_rotation_violation: ", "#key-1 " + pubKey(t, "alice") + ", #key-3 " + pubKey(t, "thief") + " are not among them"}}, // #key-2 is proposed by the pending recovery
		{"replace the commitment", []string{"did", "update", did, "--add-service", "x,T,https://x.example", "--next-key", "thief-next"},
			[]string{"pre_rotation_violation: the commitment to the next keys can only be replaced by a rotation that reveals them", hint}},
		{"deactivate with the current key", []string{"did", "deactivate", did, "--yes"},
			[]string{"pre_rotation_violation: " + did + " has committed to its next controller keys, so only they can deactivate it: pass --reveal-key NAME", hint}},
		{"deactivate revealing another key (refused by the ledger)", []string{"did", "deactivate", did, "--yes", "--reveal-key", "thief"},
			[]string{"pre_rotation_violation: revealed key \"next-1\" is not one of the committed next keys", hint}},
		{"commit to a current key", []string{"did", "create", "--key", "carol", "--next-key", "carol"},
			[]string{"--next-key carol: the key is #key-1 of the document already"}},
		{"next threshold above the next keys", []string{"did", "create", "--key", "carol", "--next-key", "alice-next", "--next-threshold", "2"},
			[]string{"invalid --next-threshold 2: give a number from 1 to 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := fails(t, tc.args, tc.want...)
			require.Empty(t, r.out)
		})
	}
	require.Equal(t, pubKey(t, "alice"), keyOf(resolveJSON(t, did).Document, "key-1"))

	// Changes that keep control still take the current key, and keep the
	// commitment.
	require.Equal(t, "2", tx(t, "did", "update", did, "--add-service", "hub,LinkedDomains,https://example.com").VersionID)

	// The owner lost alice. Rotating to the committed key needs no current
	// key, but a new commitment.
	ok(t, "keys", "delete", "alice", "--yes")
	fails(t, []string{"did", "rotate", did, "--key-id", "key-1", "--new-key", "alice-next"},
		"pre_rotation_violation: revealing the committed next keys of "+did+" needs a new commitment", hint+": a change of its controller keys must reveal exactly those keys, be signed by them and commit anew (--next-key NAME, a fresh key to keep offline")
	rot := ok(t, "did", "rotate", did, "--key-id", "key-1", "--new-key", "alice-next", "--next-key", "alice-next-2", "-o", "json")
	require.Equal(t, "3", decode[txOut](t, rot).VersionID)
	require.Equal(t, "alice-next-2", decode[nextOut](t, rot).NextKeys.Keys[0].Key)
	require.Equal(t, pubKey(t, "alice-next"), keyOf(resolveJSON(t, did).Document, "key-1"))

	// The reveal cancelled the pending recovery.
	require.Empty(t, recoveryStatus(t, did).Recoveries)
	require.Contains(t, operations(t, did), "recoveryCancelled")

	// An update keeps the new commitment by default.
	require.Equal(t, "4", tx(t, "did", "update", did, "--remove-service", "hub").VersionID)

	// Deactivation reveals the committed key, which signs.
	r := runIn(t, "", "did", "deactivate", did, "--yes", "--reveal-key", "alice-next-2")
	require.NoError(t, r.err, r.errOut)
	require.Contains(t, r.out, "operation: deactivate\n  versionId: 5\n")
	require.True(t, resolveJSON(t, did).Metadata.Deactivated)

	// Without a commitment, --reveal-key makes no sense.
	plain := tx(t, "did", "create", "--key", "carol", "--key", "bob", "--threshold", "2").DID
	fails(t, []string{"did", "deactivate", plain, "--yes", "--reveal-key", "carol"}, "has no pre-rotation commitment; deactivate it without --reveal-key")
}
