package commands_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/cmd/custos/commands"
	"github.com/custos-ledger/custos/node"
	"github.com/custos-ledger/custos/node/nodetest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// TestWritePolicyEndorsedTxFile: on an endorsed chain with stamps, a
// create built on the creator's machine (--out) is endorsed on the
// endorser's (tx sign --signer) and broadcast from a third home, which
// computes the stamp. Without the endorsement the ledger refuses it; a
// key that is not an endorser's, or an endorser key rotated away since
// the file was written, does not sign; a file without the endorsers'
// record (as custos wrote before format v2) gets it from the node.
func TestWritePolicyEndorsedTxFile(t *testing.T) {
	cliEnv(t)
	endorser := newMachine(t, "endorser", "endorser-2")
	creator := newMachine(t, "alice", "bob", "carol")
	outsider := newMachine(t, "mallory")
	pk, err := types.ParseMultikey(endorser.pub("endorser"))
	require.NoError(t, err)
	// The DID `custos did create --key endorser` creates.
	edid, err := txbuild.DID(node.DefaultChainID, types.Document{
		VerificationMethods:  []types.VerificationMethod{{Id: "key-1", PublicKey: pk.Multicodec()}},
		Authentication:       []string{"key-1"},
		CapabilityInvocation: []string{"key-1"},
		Threshold:            1,
	})
	require.NoError(t, err)
	home := nodetest.HomeWithGenesis(t, func(g *app.GenesisState) {
		g.Params.WritePolicy = app.PolicyEndorsed
		g.Params.Endorsers = []string{edid.String()}
		g.Params.StampDifficulty = 8
	})
	n := nodetest.Start(t, home)
	nodetest.WaitForHeight(t, nodetest.Client(t, n), 1, 30*time.Second)
	t.Setenv(commands.NodeEnv, n.Config().RPC.ListenAddress)
	require.Equal(t, edid.String(), endorser.tx("did", "create", "--key", "endorser").DID)

	dir := t.TempDir()
	file := func(name string) string { return filepath.Join(dir, name) }
	owed := "endorsement owed by one of {" + edid.String() + "#key-1} (an endorser's current capabilityInvocation key)"

	// The creator builds; the file records the endorser (format v2).
	alice, bob, carol := file("alice.json"), file("bob.json"), file("carol.json")
	creator.ok("did", "create", "--key", "alice", "--out", alice)
	creator.ok("did", "create", "--key", "bob", "--out", bob)
	creator.ok("did", "create", "--key", "carol", "--out", carol)
	data, err := os.ReadFile(alice)
	require.NoError(t, err)
	require.Contains(t, string(data), `"format": "custos-tx/v2"`)
	require.Contains(t, string(data), `"endorsement"`)
	s := show(t, alice)
	require.Equal(t, []string{owed}, s.Missing)
	require.False(t, s.Complete)

	// Broadcast unendorsed: refused, non-zero exit.
	r := fails(t, []string{"tx", "broadcast", alice}, "not_endorsed", "hint:")
	require.Equal(t, 1, commands.ExitCode(r.err))
	creator.fails([]string{"tx", "sign", alice, "--signer", "alice"}, "nothing to sign")
	outsider.fails([]string{"tx", "sign", alice, "--signer", "mallory"}, "endorser_key_invalid", "is not a signer of this tx", edid.String()+"#key-1")
	outsider.fails([]string{"tx", "sign", alice}, "holds no key this tx still needs")

	// The endorser signs on its own machine; anyone broadcasts.
	out := endorser.ok("tx", "sign", alice, "--signer", "endorser")
	require.Contains(t, out, "complete")
	s = show(t, alice)
	require.True(t, s.Complete, s.Missing)
	require.Len(t, s.Signatures, 2)
	require.True(t, s.Signatures[1].Verifies)
	require.Equal(t, []string{"endorsement by " + edid.String()}, s.Signatures[1].CountsFor)
	endorser.fails([]string{"tx", "sign", alice, "--signer", "endorser"}, "nothing to sign")
	created := eventTx(t, "tx", "broadcast", alice)
	require.Equal(t, s.DID, created.DID)
	require.Equal(t, "1", created.VersionID)

	// A file as custos wrote it before v2: no endorsers recorded.
	f, _, err := txbuild.DecodeFile(strings.NewReader(string(mustRead(t, carol))))
	require.NoError(t, err)
	f.Endorsement = nil
	var v1 strings.Builder
	require.NoError(t, f.Encode(&v1))
	require.Contains(t, v1.String(), `"format": "custos-tx/v1"`)
	require.NoError(t, os.WriteFile(carol, []byte(v1.String()), 0o600))
	require.Empty(t, show(t, carol).Missing, "offline, a file without the endorsers' record cannot know")

	// The endorser rotates its key: bob's file still records the old one.
	endorser.tx("did", "rotate", edid.String(), "--key-id", "key-1", "--new-key", "endorser-2")
	endorser.fails([]string{"tx", "sign", bob, "--signer", "endorser"}, "endorser_key_invalid", "was endorser key "+edid.String()+"#key-1 (version 1)", "rotated or revoked")
	res := runIn(t, "", endorser.args([]string{"tx", "sign", bob, "--signer", "endorser-2"})...)
	require.NoError(t, res.err, res.errOut)
	require.Contains(t, res.errOut, "endorser "+edid.String()+" is at version 2 (the file has version 1)")
	require.True(t, show(t, bob).Complete)
	eventTx(t, "tx", "broadcast", bob)

	// The v1 file gets the record from the node, the old key is refused,
	// the current one endorses.
	endorser.fails([]string{"tx", "sign", carol, "--signer", "endorser"}, "endorser_key_invalid", "nor a current capabilityInvocation key")
	endorser.ok("tx", "sign", carol)
	require.Contains(t, string(mustRead(t, carol)), `"format": "custos-tx/v2"`)
	require.True(t, show(t, carol).Complete)
	eventTx(t, "tx", "broadcast", carol)
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}
