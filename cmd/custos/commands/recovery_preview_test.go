package commands_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// restoresOut is what initiate and status say a recovery's document keeps.
type restoresOut struct {
	Restores *struct {
		Version  uint64   `json:"version"`
		Methods  []string `json:"methods"`
		Services []string `json:"services"`
	} `json:"restores"`
}

// TestRecoveryPreviewIsTheLedgersDocument restores a version that lists a
// key recorded compromised since: the ledger leaves that key out of the
// recovered document, so what initiate and status say the recovery keeps
// must leave it out too, and equal the document the execution makes.
func TestRecoveryPreviewIsTheLedgersDocument(t *testing.T) {
	startRecoveryLedger(t)
	for _, k := range []string{"alice", "alice-sign", "alice-new", "bob", "carol"} {
		ok(t, "keys", "add", k)
	}
	// Version 1: key-1 controls, assertion-1 makes assertions; a service.
	alice := tx(t, "did", "create", "--key", "alice", "--assertion-key", "alice-sign",
		"--service", "hub,LinkedDomains,https://hub.example").DID
	bob := tx(t, "did", "create", "--key", "bob").DID
	carol := tx(t, "did", "create", "--key", "carol").DID
	eventTx(t, "guardians", "set", alice, "--guardian", bob, "--guardian", carol, "--threshold", "2", "--delay", "2s")
	// assertion-1 turns out stolen: recorded compromised (version 2).
	require.Equal(t, "2", tx(t, "did", "revoke-key", alice, "--key-id", "assertion-1", "--compromised").VersionID)

	// bob restores version 1, which still lists assertion-1.
	out := ok(t, "recovery", "initiate", alice, "--guardian", bob, "--new-key", "alice-new", "--restore-version", "1", "-o", "json")
	ini := decode[restoresOut](t, out)
	require.NotNil(t, ini.Restores, out)
	require.Equal(t, uint64(1), ini.Restores.Version)
	require.Empty(t, ini.Restores.Methods, "the preview keeps a key recorded compromised: %s", out)
	require.Equal(t, []string{"hub"}, ini.Restores.Services)

	// One approval of two: pending, whatever the clock.
	status := ok(t, "recovery", "status", alice, "-o", "json")
	st := decode[struct {
		Recoveries []restoresOut `json:"recoveries"`
	}](t, status)
	require.Len(t, st.Recoveries, 1, status)
	require.NotNil(t, st.Recoveries[0].Restores, status)
	require.Empty(t, st.Recoveries[0].Restores.Methods, "status keeps a key recorded compromised: %s", status)
	require.Contains(t, ok(t, "recovery", "status", alice), "keeping methods none and services #hub beside the new keys")
	eventTx(t, "recovery", "approve", alice, "--id", "1", "--guardian", carol)

	// The executed document is what the preview said: the new key, the
	// service, and not assertion-1.
	eventually(t, 20*time.Second, "recovery executed", func() bool {
		return keyOf(resolveJSON(t, alice).Document, "key-2") == pubKey(t, "alice-new")
	})
	doc := resolveJSON(t, alice).Document
	var methods []string
	for _, vm := range doc.VerificationMethod {
		methods = append(methods, vm.ID[strings.Index(vm.ID, "#")+1:])
	}
	require.Equal(t, []string{"key-2"}, methods)
	require.Len(t, doc.Service, 1)
}
