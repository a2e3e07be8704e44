package keeper_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// TestRecoveryTranscripts plays the scenarios of testdata/recovery: each
// file is a fresh chain (default params) driven by a small command language
// over the real keeper and an in-memory store, each command followed by
// what the keeper answered. Rewrite the answers after a rule changed with
//
//	go test ./x/did/keeper -run TestRecoveryTranscripts -rewrite
//
// and read the diff: it is the change of behaviour.
//
// Names stand for DIDs (alice, g1) and for keys: an Ed25519 key named a1
// is derived from its name and listed under fragment a1 when a command adds
// it; X25519 keys are named in agreement= and add-agreement=. Commands (every tx runs
// in a block of its own, one second after the last; by= lists the
// signers, besides the new keys' own proofs of possession, which are added
// unless nopop is given):
//
//	create <did> keys=(a1,a2) [threshold=n] [next=(n1) next-threshold=n] [agreement=x1]
//	update <did> by=... [add-key=k] [add-agreement=frag:x25519name] [add-service=id]
//	rotate <did> key=<frag> new=<key> by=... [next=(..)] [compromised [since=<dur ago>]]
//	deactivate <did> by=... [reveal=(n1)]
//	guardians <did> set=(g1,g2) threshold=n delay=24h by=... [rev=n] | guardians <did> none by=...
//	initiate <did> by=<guardian> new=(r1) [threshold=n] [next=(..)] [id=n] [restore=<version>]
//	         [compromised [since=<dur ago>]]
//	approve <did> by=<guardian> recovery=<id>
//	cancel <did> by=<owner key|owner|guardian> recovery=<id>
//	replay <label>            (the exact bytes of a tx sent with as=<label>)
//	time +<duration>          (an empty block that much later; prints the timed actions)
//	show <did>                (document, guardians, pending recoveries, key records)
//	history <did>
//
// A by= entry is a key name (signing as the target DID under the fragment
// that lists it, or under its own name), frag:key (key signing under
// fragment), "owner" (every controller key of the target) or a DID name
// (every controller key of that DID; for guardian operations it also names
// the guardian, unless guardian= does). Every tx takes version=n to name
// another expected version than the current one, and as=<label>.
func TestRecoveryTranscripts(t *testing.T) {
	datadriven.Walk(t, "testdata/recovery", func(t *testing.T, path string) {
		w := &transcript{e: newEnv(t), dids: map[string]types.ID{}, names: map[string]string{},
			keyNames: map[string]string{}, sent: map[string][]byte{}}
		datadriven.RunTest(t, path, w.run)
	})
}

// genesis is the time of block 0 in env (see env.nextBlock).
const genesis = 1_700_000_000

type transcript struct {
	e *env
	// dids maps a name to its DID, names a DID's string to its name.
	dids  map[string]types.ID
	names map[string]string
	// keyNames maps a public key's multicodec form to its name.
	keyNames map[string]string
	// sent holds the txs sent with as=<label>.
	sent map[string][]byte
}

func (w *transcript) run(t *testing.T, d *datadriven.TestData) string {
	w.e.t = t
	switch d.Cmd {
	case "time":
		return w.time(t, d)
	case "show":
		return w.show(w.did(t, d))
	case "history":
		return w.history(w.did(t, d))
	case "replay":
		tx, ok := w.sent[d.CmdArgs[0].Key]
		require.True(t, ok, "no tx was sent as %s", d.CmdArgs[0].Key)
		return w.exec(tx)
	case "create":
		return w.create(t, d)
	}
	body, signers := w.build(t, d)
	tx := w.e.sign(body, signers...)
	if d.HasArg("as") {
		w.sent[w.arg(t, d, "as")[0]] = tx
	}
	return w.exec(tx)
}

// build returns the body of a tx command and its signers.
func (w *transcript) build(t *testing.T, d *datadriven.TestData) (types.TxBody, []txbuild.Signer) {
	id := w.did(t, d)
	version := w.e.head(id).Version
	if d.HasArg("version") {
		version = w.uint(t, d, "version")
	}
	var pop []txbuild.Signer // proofs of possession of new signing keys
	body := types.TxBody{}
	switch d.Cmd {
	case "update":
		doc := w.e.current(id).Document.Clone()
		for _, k := range w.opt(d, "add-key") {
			doc.VerificationMethods = append(doc.VerificationMethods, vm(k, w.pub(k)))
			doc.Authentication = append(doc.Authentication, k)
			doc.CapabilityInvocation = append(doc.CapabilityInvocation, k)
			pop = append(pop, txbuild.NewSigner(id, k, w.key(k)))
		}
		for _, fx := range w.opt(d, "add-agreement") {
			frag, name, ok := strings.Cut(fx, ":")
			if !ok {
				name = frag
			}
			doc.VerificationMethods = append(doc.VerificationMethods, vm(frag, w.xpub(name)))
			doc.KeyAgreement = append(doc.KeyAgreement, frag)
		}
		for _, s := range w.opt(d, "add-service") {
			doc.Services = append(doc.Services, types.Service{Id: s, Type: "LinkedDomains", Endpoint: "https://" + s + ".example.org"})
		}
		body = txbuild.Update(testChain, id, version, doc)
	case "rotate":
		frag, nk := w.arg(t, d, "key")[0], w.arg(t, d, "new")[0]
		body = txbuild.Rotate(testChain, id, version, frag, w.pub(nk))
		op := body.GetRotateKey()
		op.NextKeys = w.commitment(t, d)
		op.Compromised = d.HasArg("compromised")
		if d.HasArg("since") {
			op.CompromisedSince = w.e.nextBlock().Time - w.seconds(t, w.arg(t, d, "since")[0])
		}
		pop = append(pop, txbuild.NewSigner(id, frag, w.key(nk)))
	case "deactivate":
		body = txbuild.Deactivate(testChain, id, version)
		for _, k := range w.opt(d, "reveal") {
			body.GetDeactivate().Reveal = append(body.GetDeactivate().Reveal, vm(k, w.pub(k)))
		}
	case "guardians":
		gs, err := keeper.GetGuardians(w.e.db, id)
		require.NoError(t, err)
		rev := uint64(0)
		if gs != nil {
			rev = gs.Revision
		}
		if d.HasArg("rev") {
			rev = w.uint(t, d, "rev")
		}
		var set []types.ID
		var threshold, delay uint64
		if !d.HasArg("none") {
			for _, g := range w.arg(t, d, "set") {
				set = append(set, w.named(t, g))
			}
			threshold, delay = w.uint(t, d, "threshold"), uint64(w.seconds(t, w.arg(t, d, "delay")[0]))
		}
		body = txbuild.SetGuardians(testChain, id, version, rev, set, uint32(threshold), int64(delay))
	case "initiate":
		var vms []types.VerificationMethod
		for _, k := range w.arg(t, d, "new") {
			vms = append(vms, vm(k, w.pub(k)))
			pop = append(pop, txbuild.NewSigner(id, k, w.key(k)))
		}
		threshold := uint64(1)
		if d.HasArg("threshold") {
			threshold = w.uint(t, d, "threshold")
		}
		rid := uint64(1)
		if rs, err := keeper.GetRecoveries(w.e.db, id); err == nil && rs != nil {
			rid = rs.NextId + 1
		}
		if d.HasArg("id") {
			rid = w.uint(t, d, "id")
		}
		body = txbuild.RecoveryInitiate(testChain, id, version, rid, w.guardian(t, d), vms, uint32(threshold), w.commitment(t, d))
		op := body.GetRecoveryInitiate()
		if d.HasArg("restore") {
			op.RestoreVersion = w.uint(t, d, "restore")
		}
		op.Compromised = d.HasArg("compromised")
		if d.HasArg("since") {
			op.CompromisedSince = w.e.nextBlock().Time - w.seconds(t, w.arg(t, d, "since")[0])
		}
	case "approve":
		body = txbuild.RecoveryApprove(testChain, id, version, w.guardian(t, d), w.uint(t, d, "recovery"))
	case "cancel":
		body = txbuild.RecoveryCancel(testChain, id, version, w.guardianOrOwner(d), w.uint(t, d, "recovery"))
	default:
		t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
	}
	signers := w.signers(t, id, w.opt(d, "by"))
	if !d.HasArg("nopop") {
		signers = append(signers, pop...)
	}
	return body, signers
}

// create registers a DID whose keys all authenticate, assert and control
// it, signed by each of them.
func (w *transcript) create(t *testing.T, d *datadriven.TestData) string {
	name := d.CmdArgs[0].Key
	require.NotContains(t, w.dids, name, "%s: %s exists", d.Pos, name)
	keys := w.arg(t, d, "keys")
	doc := types.Document{Threshold: 1}
	if d.HasArg("threshold") {
		doc.Threshold = uint32(w.uint(t, d, "threshold"))
	}
	for _, k := range keys {
		doc.VerificationMethods = append(doc.VerificationMethods, vm(k, w.pub(k)))
	}
	doc.Authentication, doc.AssertionMethod, doc.CapabilityInvocation = keys, keys, keys
	for _, x := range w.opt(d, "agreement") {
		doc.VerificationMethods = append(doc.VerificationMethods, vm(x, w.xpub(x)))
		doc.KeyAgreement = append(doc.KeyAgreement, x)
	}
	doc.NextKeys = w.commitment(t, d)
	id, body, err := txbuild.Create(testChain, doc, "")
	require.NoError(t, err)
	var signers []txbuild.Signer
	for _, k := range keys {
		signers = append(signers, txbuild.NewSigner(id, k, w.key(k)))
	}
	w.dids[name], w.names[id.String()] = id, name
	return w.exec(w.e.sign(body, signers...))
}

// exec runs tx in a block of its own and prints the outcome, or the
// registered error after checking that the refusal changed nothing.
func (w *transcript) exec(tx []byte) string {
	_, body, err := types.DecodeTx(tx, 1<<20)
	require.NoError(w.e.t, err)
	id, err := types.ParseID(body.Did)
	require.NoError(w.e.t, err)
	before, _ := keeper.GetHead(w.e.db, id)
	root, ran := w.e.db.PendingRoot(), len(w.e.timed)
	blk := w.e.nextBlock()
	// CheckTx answers what the block will, when no timed action runs
	// first.
	due, derr := keeper.DueActions(w.e.db.Pending(), blk.Time, 1)
	require.NoError(w.e.t, derr)
	checked, cerr := w.e.check(tx)
	out, err := w.e.exec(tx)
	if len(due) == 0 {
		require.Equal(w.e.t, types.Registered(err), types.Registered(cerr), "check and execution disagree")
		require.Equal(w.e.t, out.Kind, checked.Kind, "check and execution disagree")
	}
	var b strings.Builder
	for _, o := range w.e.timed[ran:] { // timed actions that came due in this block
		fmt.Fprintf(&b, "(first in the block) %s\n", w.outcome(o, blk.Time))
	}
	if err != nil {
		if len(w.e.timed) == ran {
			require.Equal(w.e.t, root, w.e.appHash(), "a refused tx changed the app hash")
			after, _ := keeper.GetHead(w.e.db, id)
			require.Equal(w.e.t, before, after, "a refused tx changed the head")
		}
		fmt.Fprintf(&b, "error: %s", types.Registered(err).Name)
		return b.String()
	}
	fmt.Fprintf(&b, "ok: %s", w.outcome(out, blk.Time))
	return b.String()
}

// time commits an empty block the given duration after the last one.
func (w *transcript) time(t *testing.T, d *datadriven.TestData) string {
	arg := d.CmdArgs[0].Key
	require.True(t, strings.HasPrefix(arg, "+"), "%s: time +<duration>", d.Pos)
	timed := w.e.advance(w.seconds(t, arg[1:]))
	var b strings.Builder
	fmt.Fprintf(&b, "now %s", at(w.e.now()))
	for _, o := range timed {
		fmt.Fprintf(&b, "\n%s", w.outcome(o, w.e.now()))
	}
	return b.String()
}

// signers resolves by= entries for a tx on the DID id.
func (w *transcript) signers(t *testing.T, id types.ID, by []string) []txbuild.Signer {
	var out []txbuild.Signer
	for _, s := range by {
		frag, k, explicit := strings.Cut(s, ":")
		switch g, isDID := w.dids[s]; {
		case explicit:
			out = append(out, txbuild.NewSigner(id, frag, w.key(k)))
		case s == "owner":
			out = append(out, w.controllers(id)...)
		case isDID:
			out = append(out, w.controllers(g)...)
		default:
			out = append(out, txbuild.NewSigner(id, w.fragmentOf(id, s), w.key(s)))
		}
	}
	return out
}

// controllers returns signers for every capabilityInvocation key of id
// whose private key the transcript knows.
func (w *transcript) controllers(id types.ID) []txbuild.Signer {
	var out []txbuild.Signer
	doc := w.e.current(id).Document
	for _, f := range doc.CapabilityInvocation {
		m, _ := doc.Method(f)
		if name, ok := w.keyNames[string(m.PublicKey)]; ok && !strings.HasPrefix(name, "x25519:") {
			out = append(out, txbuild.NewSigner(id, f, w.key(name)))
		}
	}
	return out
}

// fragmentOf is the fragment under which id's current document lists the
// key named k, or k.
func (w *transcript) fragmentOf(id types.ID, k string) string {
	want := string(w.pub(k).Multicodec())
	for _, m := range w.e.current(id).Document.VerificationMethods {
		if string(m.PublicKey) == want {
			return m.Id
		}
	}
	return k
}

// guardian is the guardian a guardian operation names: guardian=, else the
// DID among by=.
func (w *transcript) guardian(t *testing.T, d *datadriven.TestData) types.ID {
	if d.HasArg("guardian") {
		return w.named(t, w.arg(t, d, "guardian")[0])
	}
	g := w.guardianOrOwner(d)
	require.False(t, g.IsZero(), "%s: name the guardian in by= or guardian=", d.Pos)
	return g
}

// guardianOrOwner is the guardian named by guardian= or by=, or the zero ID
// (an owner's vote).
func (w *transcript) guardianOrOwner(d *datadriven.TestData) types.ID {
	for _, s := range append(w.opt(d, "guardian"), w.opt(d, "by")...) {
		if id, ok := w.dids[s]; ok {
			return id
		}
	}
	return types.ID{}
}
