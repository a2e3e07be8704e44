package commands_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/didjson"
)

type resolutionOut struct {
	Document didjson.Document `json:"didDocument"`
	Metadata didjson.Metadata `json:"didDocumentMetadata"`
}

type historyOut struct {
	DID    string          `json:"did"`
	Events []didjson.Event `json:"events"`
}

func resolveJSON(t *testing.T, args ...string) resolutionOut {
	t.Helper()
	return decode[resolutionOut](t, ok(t, append(append([]string{"resolve"}, args...), "-o", "json")...))
}

// keyOf returns the publicKeyMultibase of fragment in a rendered document.
func keyOf(doc didjson.Document, fragment string) string {
	for _, vm := range doc.VerificationMethod {
		if strings.HasSuffix(vm.ID, "#"+fragment) {
			return vm.PublicKeyMultibase
		}
	}
	return ""
}

// TestDIDLifecycle drives one DID through every operation against a real
// node, as a user would from a terminal, and reads it back at every
// version.
func TestDIDLifecycle(t *testing.T) {
	node := startLedger(t)
	for _, k := range []string{"alice", "alice-2", "bob", "carol", "dave"} {
		ok(t, "keys", "add", k)
	}
	ok(t, "keys", "add", "alice-x", "--type", "x25519")

	// create
	c := tx(t, "did", "create", "--key", "alice", "--agreement-key", "alice-x", "--assertion-key", "alice",
		"--service", "hub,LinkedDomains,https://example.com/a,b", "--memo", "hello")
	did := c.DID
	require.Equal(t, "create", c.Operation)
	require.Equal(t, "1", c.VersionID)
	require.Len(t, c.Keys, 2)
	require.Equal(t, did+"#key-1", c.Keys[0].ID)
	require.Equal(t, "alice", c.Keys[0].Key)
	require.Equal(t, did+"#agreement-1", c.Keys[1].ID)

	v1 := resolveJSON(t, did)
	require.Equal(t, did, v1.Document.ID)
	require.Equal(t, []string{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"}, v1.Document.Context)
	require.Equal(t, pubKey(t, "alice"), keyOf(v1.Document, "key-1"))
	require.Equal(t, pubKey(t, "alice-x"), keyOf(v1.Document, "agreement-1"))
	require.Equal(t, []string{did + "#key-1"}, v1.Document.CapabilityInvocation)
	require.Equal(t, []string{did + "#key-1"}, v1.Document.AssertionMethod)
	require.Equal(t, []string{did + "#agreement-1"}, v1.Document.KeyAgreement)
	require.Equal(t, "https://example.com/a,b", v1.Document.Service[0].ServiceEndpoint)
	require.Equal(t, "1", v1.Metadata.VersionID)

	// Text output: the DID first, then what happened.
	r := runIn(t, "", "resolve", did)
	require.NoError(t, r.err)
	require.Equal(t, did, decode[didjson.Document](t, r.out).ID)
	require.Contains(t, r.errOut, "# versionId 1 (latest), created ")

	// Later versions get a later block time than version 1, so that
	// --version-time can tell them apart.
	waitBlockTimeAfter(t, node, mustTime(t, v1.Metadata.Created))

	// rotate: the new key signs for possession, alice authorizes.
	rot := tx(t, "did", "rotate", did, "--key-id", "key-1", "--new-key", "alice-2")
	require.Equal(t, "2", rot.VersionID)
	require.Equal(t, pubKey(t, "alice-2"), keyOf(resolveJSON(t, did).Document, "key-1"))

	// update: two controllers added, threshold 2; one assertion key with
	// its own fragment.
	up := tx(t, "did", "update", did, "--add-key", "bob", "--add-key", "dave",
		"--add-key", "carol=assert-2:assertionMethod", "--threshold", "2")
	require.Equal(t, "3", up.VersionID)
	v3 := resolveJSON(t, did).Document
	require.Equal(t, []string{did + "#key-1", did + "#key-2", did + "#key-3"}, v3.CapabilityInvocation)
	require.Equal(t, []string{did + "#key-1", did + "#assert-2"}, v3.AssertionMethod)
	require.Equal(t, pubKey(t, "bob"), keyOf(v3, "key-2"))
	require.Equal(t, pubKey(t, "carol"), keyOf(v3, "assert-2"))

	// revoke-key: dave's key compromised since version 1's time; alice-2
	// and bob sign (threshold 2), dave is avoided.
	since := v1.Metadata.Created
	rev := tx(t, "did", "revoke-key", did, "--key-id", "key-3", "--compromised-since", since)
	require.Equal(t, "4", rev.VersionID)
	v4 := resolveJSON(t, did)
	require.Empty(t, keyOf(v4.Document, "key-3"))

	// update with explicit signers and the service replaced.
	svc := tx(t, "did", "update", did, "--remove-service", "hub", "--add-service", "hub,LinkedDomains,https://example.org",
		"--set-relationships", "assert-2:assertionMethod,authentication", "--signer", "bob", "--signer", "alice-2=key-1")
	require.Equal(t, "5", svc.VersionID)
	v5 := resolveJSON(t, did).Document
	require.Equal(t, "https://example.org", v5.Service[0].ServiceEndpoint)
	require.Contains(t, v5.Authentication, did+"#assert-2")

	// Old versions resolve as they were.
	old := resolveJSON(t, did, "--version-id", "1")
	require.Equal(t, pubKey(t, "alice"), keyOf(old.Document, "key-1"))
	require.Equal(t, "1", old.Metadata.VersionID)
	require.Equal(t, "2", old.Metadata.NextVersionID)

	// history, as JSON and as a table.
	h := decode[historyOut](t, ok(t, "history", did, "-o", "json"))
	require.Equal(t, did, h.DID)
	require.Len(t, h.Events, 5)
	ops := []string{}
	for _, ev := range h.Events {
		ops = append(ops, ev.Operation)
	}
	require.Equal(t, []string{"create", "rotateKey", "update", "revokeKey", "update"}, ops)
	require.Equal(t, "hello", h.Events[0].Memo)
	require.Equal(t, []string{did + "#key-1"}, h.Events[1].KeysRotated)
	require.Equal(t, "compromised", h.Events[3].Reason)
	require.Equal(t, since, h.Events[3].CompromisedSince)
	require.Equal(t, rot.TxHash, h.Events[1].TxHash)
	table := ok(t, "history", did)
	require.Contains(t, table, "rotated #key-1")
	require.Contains(t, table, "revoked #key-3 (compromised since "+since+")")
	require.Contains(t, table, `memo "hello"`)

	// --version-time picks the last version recorded at or before it.
	for _, ev := range h.Events {
		want := uint64(0)
		for _, e := range h.Events {
			if e.Time <= ev.Time {
				want = max(want, mustUint(t, e.VersionID))
			}
		}
		got := resolveJSON(t, did, "--version-time", ev.Time)
		require.Equal(t, strconv.FormatUint(want, 10), got.Metadata.VersionID, "at %s", ev.Time)
	}
	require.Equal(t, "1", resolveJSON(t, did, "--version-time", h.Events[0].Time).Metadata.VersionID)
	before := mustTime(t, h.Events[0].Time).Add(-time.Second).Format(time.RFC3339)
	fails(t, []string{"resolve", did, "--version-time", before}, "did_not_found: ", "did not exist yet at")
	fails(t, []string{"resolve", did, "--version-id", "99"}, "did_not_found: ", "has no version 99")

	// deactivate asks first.
	r = runIn(t, "no\n", "did", "deactivate", did)
	require.ErrorContains(t, r.err, "not deactivated: confirm with y, or pass --yes")
	require.Contains(t, r.errOut, "Deactivate "+did+" (version 5)?")
	r = runIn(t, "y\n", "did", "deactivate", did)
	require.NoError(t, r.err, r.errOut)
	require.True(t, strings.HasPrefix(r.out, did+"\n  operation: deactivate\n  versionId: 6\n"), r.out)

	gone := resolveJSON(t, did)
	require.True(t, gone.Metadata.Deactivated)
	require.Empty(t, gone.Document.VerificationMethod)
	require.Equal(t, pubKey(t, "bob"), keyOf(resolveJSON(t, did, "--version-id", "5").Document, "key-2"))

	// Nothing changes a deactivated DID.
	fails(t, []string{"did", "rotate", did, "--key-id", "key-1", "--new-key", "carol"},
		"deactivated: "+did+" was deactivated at version 6", "hint:    a deactivated DID can never change again")
	fails(t, []string{"did", "deactivate", did, "--yes"}, "deactivated: ")
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	return ts
}

func mustUint(t *testing.T, s string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(s, 10, 64)
	require.NoError(t, err)
	return n
}
