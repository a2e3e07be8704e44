package commands_test

import (
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/cmd/custos/commands"
	"github.com/custos-ledger/custos/node/nodetest"
)

// startRecoveryLedger starts a node whose genesis allows short recovery
// delays (2s minimum, 10s expiry), points custos at it and returns the
// node's home.
func startRecoveryLedger(t *testing.T) (*rpchttp.HTTP, string) {
	t.Helper()
	cliEnv(t)
	home := nodetest.HomeWithGenesis(t, func(g *app.GenesisState) {
		g.Params.RecoveryMinDelay = "2s"
		g.Params.RecoveryExpiry = "10s"
	})
	n := nodetest.Start(t, home)
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 1, 30*time.Second)
	t.Setenv(commands.NodeEnv, n.Config().RPC.ListenAddress)
	return c, home
}

// eventOut is what guardians and recovery commands print with --output json.
type eventOut struct {
	txOut
	RecoveryID uint64 `json:"recoveryId"`
	Guardian   string `json:"guardian"`
	Effective  string `json:"effective"`
	Detail     string `json:"detail"`
}

// eventTx runs a guardians or recovery command with --output json.
func eventTx(t *testing.T, args ...string) eventOut {
	t.Helper()
	r := decode[eventOut](t, ok(t, append(args, "-o", "json")...))
	require.Regexp(t, `^[0-9A-F]{64}$`, r.TxHash)
	require.Positive(t, r.Height)
	return r
}

type guardianSetOut struct {
	Guardians []string
	Threshold uint32
	Delay     string
	Effective string
}

type statusOut struct {
	DID              string
	BlockTime        string
	Guardians        *guardianSetOut
	PendingGuardians *guardianSetOut
	Recoveries       []struct {
		ID                uint64
		Initiator         string
		NewKeys           []struct{ ID, PublicKeyMultibase string }
		Threshold         uint32
		NextKeysCommitted bool
		Approvals         []string
		ApprovalsNeeded   uint32
		Initiated         string
		Expires           string
		Ready             string
		CancelVotes       []string
		CancelVotesNeeded int
	}
}

func recoveryStatus(t *testing.T, did string) statusOut {
	t.Helper()
	return decode[statusOut](t, ok(t, "recovery", "status", did, "-o", "json"))
}

// eventually polls cond every 200ms until it holds, failing after timeout.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, timeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func operations(t *testing.T, did string) []string {
	t.Helper()
	var ops []string
	for _, ev := range decode[historyOut](t, ok(t, "history", did, "-o", "json")).Events {
		ops = append(ops, ev.Operation)
	}
	return ops
}

// TestRecovery sets guardians, recovers a DID that lost its key through
// two of three guardians, and cancels a rogue recovery by the owner's and a
// guardian's votes, against a real node.
func TestRecovery(t *testing.T) {
	startRecoveryLedger(t)
	for _, k := range []string{"alice", "alice-new", "bob", "carol", "dave", "mallory"} {
		ok(t, "keys", "add", k)
	}
	alice := tx(t, "did", "create", "--key", "alice").DID
	bob := tx(t, "did", "create", "--key", "bob").DID
	carol := tx(t, "did", "create", "--key", "carol").DID
	dave := tx(t, "did", "create", "--key", "dave").DID
	mallory := tx(t, "did", "create", "--key", "mallory").DID

	st := recoveryStatus(t, alice)
	require.Nil(t, st.Guardians)
	require.Empty(t, st.Recoveries)
	require.Contains(t, ok(t, "recovery", "status", alice), "guardians: none (set them with `custos guardians set`)")

	// The first guardian set takes effect at once.
	set := eventTx(t, "guardians", "set", alice, "--guardian", bob, "--guardian", carol, "--guardian", dave,
		"--threshold", "2", "--delay", "4s")
	require.Equal(t, "setGuardians", set.Operation)
	require.Equal(t, "1", set.VersionID)
	require.NotEmpty(t, set.Effective)
	st = recoveryStatus(t, alice)
	require.Equal(t, []string{bob, carol, dave}, st.Guardians.Guardians)
	require.Equal(t, uint32(2), st.Guardians.Threshold)
	require.Equal(t, "4s", st.Guardians.Delay)
	require.Nil(t, st.PendingGuardians)

	// alice lost her key; bob proposes alice-new, which signs too.
	ini := eventTx(t, "recovery", "initiate", alice, "--guardian", bob, "--new-key", "alice-new")
	require.Equal(t, "recoveryInitiated", ini.Operation)
	require.Equal(t, uint64(1), ini.RecoveryID)
	require.Equal(t, bob, ini.Guardian)
	require.Empty(t, ini.Effective, "one approval of two: not ready")
	require.Equal(t, alice+"#key-2", ini.Keys[0].ID)
	st = recoveryStatus(t, alice)
	require.Len(t, st.Recoveries, 1)
	rec := st.Recoveries[0]
	require.Equal(t, bob, rec.Initiator)
	require.Equal(t, []string{bob}, rec.Approvals)
	require.Equal(t, uint32(2), rec.ApprovalsNeeded)
	require.Empty(t, rec.Ready)
	require.NotEmpty(t, rec.Expires)
	require.Equal(t, 2, rec.CancelVotesNeeded, "⌈(3+1)/2⌉")
	require.Equal(t, pubKey(t, "alice-new"), rec.NewKeys[0].PublicKeyMultibase)
	text := ok(t, "recovery", "status", alice)
	for _, want := range []string{
		"guardians: 2 of 3 must approve a recovery; delay 4s\n  " + bob,
		"recovery 1: proposed by " + bob,
		"new keys:     #key-2 " + pubKey(t, "alice-new") + " (threshold 1)",
		"restores:     version 1, keeping methods none and services none beside the new keys",
		"approvals:    1 of 2 needed: " + bob,
		"ready:        not yet: needs 1 more approval(s)",
		"expires:      ",
		"cancel votes: 0 of 2 needed (owner and guardians): none",
	} {
		require.Contains(t, text, want)
	}

	// Refusals name the error and say what to do; none changes anything.
	hint := "\n  hint:    "
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"initiator approves again", []string{"recovery", "approve", alice, "--id", "1", "--guardian", bob},
			[]string{"already_counted: ", hint + "this guardian (or the owner) has already approved"}},
		{"not a guardian", []string{"recovery", "approve", alice, "--id", "1", "--guardian", mallory},
			[]string{"not_guardian: " + mallory + " is not a guardian of " + alice, hint + "only a guardian of the DID"}},
		{"unknown recovery", []string{"recovery", "approve", alice, "--id", "9", "--guardian", carol},
			[]string{"recovery_not_found: ", hint + "the DID has no pending recovery with that id"}},
		{"second recovery by the same guardian", []string{"recovery", "initiate", alice, "--guardian", bob, "--new-key", "mallory"},
			[]string{"recovery_pending: ", hint + "this guardian already has a pending recovery"}},
		{"guardian key not held", []string{"recovery", "approve", alice, "--id", "1", "--guardian", carol, "--signer", "dave"},
			[]string{`--signer dave: key "dave"`, "is not a key of " + carol}},
		{"unregistered guardian", []string{"recovery", "approve", alice, "--id", "1", "--guardian", "did:custos:2222222222222222222222"},
			[]string{"guardian_inactive: guardian did:custos:2222222222222222222222 is not registered", hint + "a guardian must be a registered, active DID"}},
		{"own guardian", []string{"guardians", "set", alice, "--guardian", alice, "--threshold", "1", "--delay", "4s"},
			[]string{"invalid_guardians: a DID cannot be its own guardian", hint}},
		{"delay below the chain's minimum", []string{"guardians", "set", alice, "--guardian", bob, "--threshold", "1", "--delay", "1s"},
			[]string{"invalid_guardians: delay 1s is shorter than the chain's recovery_min_delay of 2s"}},
		{"threshold above the guardians", []string{"guardians", "set", alice, "--guardian", bob, "--threshold", "2", "--delay", "4s"},
			[]string{"invalid_guardians: threshold 2 must be between 1 and the 1 guardians"}},
		{"no threshold", []string{"guardians", "set", alice, "--guardian", bob, "--delay", "4s"},
			[]string{"no --threshold given"}},
		{"none with guardians", []string{"guardians", "set", alice, "--none", "--guardian", bob},
			[]string{"--none removes every guardian"}},
		{"no id", []string{"recovery", "cancel", alice}, []string{"no --id given"}},
		{"no new key", []string{"recovery", "initiate", alice, "--guardian", carol}, []string{"no --new-key given"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := fails(t, tc.args, tc.want...)
			require.Empty(t, r.out)
		})
	}

	// carol approves: the recovery is ready once the delay has run out.
	r := runIn(t, "", "recovery", "approve", alice, "--id", "1", "--guardian", carol)
	require.NoError(t, r.err, r.errOut)
	require.Contains(t, r.out, "operation: recoveryApproved\n")
	require.Regexp(t, `\n  ready:     \S+Z \((in \d+s|now|\d+s ago)\)\n`, r.out)
	if st = recoveryStatus(t, alice); len(st.Recoveries) == 1 { // unless it already executed
		require.NotEmpty(t, st.Recoveries[0].Ready)
		require.Equal(t, []string{bob, carol}, st.Recoveries[0].Approvals)
	}

	// After the delay, alice-new controls the DID and key-1 is gone.
	eventually(t, 20*time.Second, "recovery executed", func() bool {
		return keyOf(resolveJSON(t, alice).Document, "key-2") == pubKey(t, "alice-new")
	})
	doc := resolveJSON(t, alice).Document
	require.Equal(t, []string{alice + "#key-2"}, doc.CapabilityInvocation)
	require.Empty(t, keyOf(doc, "key-1"))
	require.Empty(t, recoveryStatus(t, alice).Recoveries)
	require.Subset(t, operations(t, alice), []string{"setGuardians", "recoveryInitiated", "recoveryApproved", "recoveryExecuted"})

	// dave's key was stolen: a rogue recovery by dave. The owner (now
	// alice-new) votes to cancel, then bob: 2 of the 2 votes needed.
	rogue := eventTx(t, "recovery", "initiate", alice, "--guardian", dave, "--new-key", "mallory")
	require.Equal(t, uint64(2), rogue.RecoveryID)
	owner := eventTx(t, "recovery", "cancel", alice, "--id", "2")
	require.Equal(t, "recoveryCancelVoted", owner.Operation)
	require.Equal(t, "owner", owner.Guardian)
	require.Equal(t, "1 of 2 votes needed", owner.Detail)
	st = recoveryStatus(t, alice)
	require.Equal(t, []string{"owner"}, st.Recoveries[0].CancelVotes)
	require.Contains(t, ok(t, "recovery", "status", alice), "cancel votes: 1 of 2 needed (owner and guardians): owner")
	// Running the same command again re-sends the same tx, which the ledger
	// applied once; another vote of the owner is refused.
	require.Equal(t, owner.TxHash, eventTx(t, "recovery", "cancel", alice, "--id", "2").TxHash)
	fails(t, []string{"recovery", "cancel", alice, "--id", "2", "--memo", "again"}, "already_counted: owner already voted to cancel recovery 2")
	done := eventTx(t, "recovery", "cancel", alice, "--id", "2", "--guardian", bob)
	require.Equal(t, "recoveryCancelled", done.Operation)
	require.Contains(t, done.Detail, "cancelled by 2 of 4 votes")
	require.Empty(t, recoveryStatus(t, alice).Recoveries)
	require.Equal(t, pubKey(t, "alice-new"), keyOf(resolveJSON(t, alice).Document, "key-2"), "the rogue recovery changed nothing")

	// Removing the guardians waits out the current delay.
	rm := eventTx(t, "guardians", "set", alice, "--none")
	require.NotEmpty(t, rm.Effective)
	st = recoveryStatus(t, alice)
	require.NotNil(t, st.PendingGuardians)
	require.Empty(t, st.PendingGuardians.Guardians)
	require.Equal(t, rm.Effective, st.PendingGuardians.Effective)
	require.Contains(t, ok(t, "recovery", "status", alice), "pending change: remove every guardian, effective "+rm.Effective)
	eventually(t, 20*time.Second, "guardians removed", func() bool {
		return recoveryStatus(t, alice).Guardians == nil
	})
	require.Contains(t, operations(t, alice), "guardiansChanged")
}
