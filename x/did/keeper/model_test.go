package keeper_test

import (
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app/accel"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

var (
	modelLong = flag.Bool("long", false, "run TestModel with 2000 sequences of 60 operations")
	modelSeed = flag.Int64("model.seed", 1, "first random seed of TestModel; sequence i uses seed+i")
)

// The pool of keys one sequence draws from, and the fragments it names.
const (
	poolEd = 6
	poolX  = 2
	slots  = 3
)

var fragPool = []string{"a", "b", "c", "d", "e", "f", "g", "h"}

// TestModel runs random operation sequences through the keeper (over a
// real store, Check then Execute with a signature cache, as a node does)
// and through the reference model of model_ref_test.go, and requires that
// they agree after every step: accepted or the same refusal, the same
// version and document of every DID, key records that match, and an app
// hash that a refusal leaves alone. After etcd raft's quorum/quick_test.go.
//
// Longer: go test ./x/did/keeper -run TestModel -args -long [-model.seed=N]
func TestModel(t *testing.T) {
	seqs, ops := 200, 30
	if *modelLong {
		seqs, ops = 2000, 60
	}
	if testing.Short() {
		seqs = 20
	}
	mem := keeperMemories
	mem.SigCache = 1024
	e := newEnvWith(t, accel.NewFacts(mem))
	outcomes := map[string]int{}
	for i := range seqs {
		runSequence(t, e, *modelSeed+int64(i), ops, outcomes)
	}
	lines := make([]string, 0, len(outcomes))
	for k, n := range outcomes {
		lines = append(lines, fmt.Sprintf("%-40s %5d", k, n))
	}
	slices.Sort(lines)
	t.Logf("%d sequences of %d operations:\n%s", seqs, ops, strings.Join(lines, "\n"))
}

// gen generates operations for one sequence.
type gen struct {
	rng  *rand.Rand
	m    *model
	priv []ed25519.PrivateKey
	pool []types.PublicKey
	docs []mDoc     // the inception document of each slot
	ids  []types.ID // the DID each slot derives
}

// runSequence runs one sequence of ops operations and counts each
// operation's outcome, by kind and refusal, in outcomes.
func runSequence(t *testing.T, e *env, seed int64, ops int, outcomes map[string]int) {
	e.ns = fmt.Sprintf("model seed %d/", seed)
	g := &gen{rng: rand.New(rand.NewSource(seed)), m: &model{numEd: poolEd, dids: map[types.ID]*mDID{}}}
	for i := range poolEd {
		g.priv = append(g.priv, e.key(fmt.Sprint("ed", i)))
		g.pool = append(g.pool, pub(g.priv[i]))
	}
	for i := range poolX {
		g.pool = append(g.pool, e.xpub(fmt.Sprint("x", i)))
	}
	for range slots {
		d := g.inception()
		id, err := txbuild.DID(testChain, g.render(d, types.ID{}))
		require.NoError(t, err)
		g.docs, g.ids = append(g.docs, d), append(g.ids, id)
	}
	var trace []string
	fail := func(step int, format string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d, step %d: %s\ntrace:\n%s", seed, step, fmt.Sprintf(format, args...), strings.Join(trace, "\n"))
	}
	for step := range ops {
		g.m.time = e.nextBlock().Time
		op := g.next()
		trace = append(trace, fmt.Sprintf("%2d %s %s", step, op.id.String()[11:15], op))
		want := g.m.step(op)
		tx := g.tx(t, e, op)

		hash := e.db.PendingRoot()
		checked, cerr := e.check(tx)
		out, err := e.exec(tx)
		if types.Registered(cerr) != types.Registered(err) || checked.Version != out.Version {
			fail(step, "Check said %v (version %d), Execute %v (version %d)", cerr, checked.Version, err, out.Version)
		}
		switch {
		case want == nil && err != nil:
			fail(step, "model accepts, keeper refuses: %v", err)
		case want != nil && !errors.Is(err, want):
			fail(step, "model refuses with %s, keeper says %v", want.Name, err)
		case want != nil && !slices.Equal(hash, e.appHash()):
			fail(step, "a refused tx changed the app hash")
		case want == nil && slices.Equal(hash, e.appHash()):
			fail(step, "an accepted tx left the app hash alone")
		case want == nil && out.Version != g.m.dids[op.id].version:
			fail(step, "keeper made version %d, model %d", out.Version, g.m.dids[op.id].version)
		}
		if want == nil {
			// Every operation applies at most once: its exact bytes, sent
			// again, are refused and change nothing.
			before := e.db.PendingRoot()
			if _, rerr := e.exec(tx); rerr == nil || types.Registered(rerr) == nil {
				fail(step, "a replay of the accepted tx was not refused: %v", rerr)
			}
			if !slices.Equal(before, e.appHash()) {
				fail(step, "a refused replay changed the app hash")
			}
		}
		outcome := "accepted"
		if want != nil {
			outcome = want.Name
		}
		outcomes[op.kind.String()+" "+outcome]++
		trace[len(trace)-1] += fmt.Sprintf(" => %v", want)
		for _, id := range g.ids {
			if msg := g.compare(e, id); msg != "" {
				fail(step, "%s: %s", id, msg)
			}
		}
	}
}

// compare reports how the keeper's state of id differs from the model's.
func (g *gen) compare(e *env, id types.ID) string {
	md := g.m.dids[id]
	head, rec, err := keeper.Resolve(e.db, id)
	if err != nil {
		return err.Error()
	}
	if md == nil || head == nil {
		if md != nil || head != nil {
			return fmt.Sprintf("registered: model %v, keeper %v", md != nil, head != nil)
		}
		return ""
	}
	if head.Version != md.version || head.Deactivated != md.deactivated {
		return fmt.Sprintf("keeper at version %d (deactivated %v), model at %d (%v)", head.Version, head.Deactivated, md.version, md.deactivated)
	}
	want := types.Document{Id: id.String()}
	if !md.deactivated {
		want = g.render(md.doc, id)
	}
	wb, _ := want.Marshal()
	gb, _ := rec.Document.Marshal()
	if !slices.Equal(wb, gb) {
		return fmt.Sprintf("document\nkeeper %v\nmodel  %v", rec.Document.String(), want.String())
	}
	for f := range md.ever {
		kr, err := keeper.GetKeyRecord(e.db, id, f)
		if err != nil || kr == nil || len(kr.Periods) == 0 {
			return fmt.Sprintf("key record %s: %v", f, err)
		}
		last := kr.Periods[len(kr.Periods)-1]
		k, listed := md.doc.key(f)
		switch {
		case listed && !md.deactivated && (last.Status != types.KEY_STATUS_VALID || !slices.Equal(last.PublicKey, g.pool[k].Multicodec())):
			return fmt.Sprintf("key record %s: %v, the model lists key %d", f, last.String(), k)
		case (!listed || md.deactivated) && last.Status == types.KEY_STATUS_VALID:
			return fmt.Sprintf("key record %s is open, the model has no such key", f)
		case !listed && (last.Status != md.last[f].status || last.CompromisedSince != md.last[f].since):
			return fmt.Sprintf("key record %s ends %v, the model says %+v", f, last.String(), md.last[f])
		}
	}
	if len(head.Keys) != len(md.ever) {
		return fmt.Sprintf("the head has %d key records, the model %d fragments", len(head.Keys), len(md.ever))
	}
	return checkLog(e, id, head)
}

// checkLog recomputes the head's log from the DID's stored versions and
// history entries, by the rule proofs are built with (docs/state.md, "The
// log"), and checks every entry's prev_log on the way.
func checkLog(e *env, id types.ID, head *types.Head) string {
	var l []byte
	var prevVersion uint64
	for seq := uint64(1); seq <= head.Events; seq++ {
		eb, err := e.db.Get(types.EventKey(id, seq))
		if err != nil || eb == nil {
			return fmt.Sprintf("history entry %d: %v", seq, err)
		}
		var ev types.HistoryEntry
		if err := ev.Unmarshal(eb); err != nil {
			return err.Error()
		}
		if !slices.Equal(ev.PrevLog, l) {
			return fmt.Sprintf("history entry %d: prev_log %x, the chain before it %x", seq, ev.PrevLog, l)
		}
		var rv []byte
		if ev.Version > prevVersion {
			vb, err := e.db.Get(types.VersionKey(id, ev.Version))
			if err != nil || vb == nil {
				return fmt.Sprintf("version %d: %v", ev.Version, err)
			}
			rv = types.RecordDigest(types.VersionKey(id, ev.Version), vb)
		}
		prevVersion = ev.Version
		l = types.ChainLog(l, types.StepDigest(rv, types.RecordDigest(types.EventKey(id, seq), eb)))
	}
	if prevVersion != head.Version {
		return fmt.Sprintf("the last entry is at version %d, the head at %d", prevVersion, head.Version)
	}
	if !slices.Equal(l, head.Log) {
		return fmt.Sprintf("the head's log %x, recomputed %x", head.Log, l)
	}
	return ""
}

// render is the document the keeper keeps for d.
func (g *gen) render(d mDoc, id types.ID) types.Document {
	doc := types.Document{CapabilityInvocation: slices.Clone(d.capInv), Threshold: d.threshold}
	if !id.IsZero() {
		doc.Id = id.String()
	}
	for _, m := range d.methods {
		doc.VerificationMethods = append(doc.VerificationMethods, vm(m.frag, g.pool[m.key]))
		if g.m.isEd(m.key) {
			doc.Authentication = append(doc.Authentication, m.frag)
		} else {
			doc.KeyAgreement = append(doc.KeyAgreement, m.frag)
		}
	}
	return doc
}

// tx encodes and signs op.
func (g *gen) tx(t *testing.T, e *env, op mOp) []byte {
	chain := testChain
	var body types.TxBody
	switch op.kind {
	case opCreate:
		var err error
		_, body, err = txbuild.Create(testChain, g.render(op.doc, types.ID{}), "")
		require.NoError(t, err)
		body.ExpectedVersion = op.version
	case opUpdate:
		body = txbuild.Update(chain, op.id, op.version, g.render(op.doc, types.ID{}))
	case opRotate:
		body = txbuild.Rotate(chain, op.id, op.version, op.frag, g.pool[op.newKey])
		body.GetRotateKey().Compromised = op.reason == types.REVOCATION_REASON_COMPROMISED
		body.GetRotateKey().CompromisedSince = op.since
	case opRevoke:
		body = txbuild.Revoke(chain, op.id, op.version, op.frag, op.reason, op.since)
	case opDeactivate:
		body = txbuild.Deactivate(chain, op.id, op.version)
	}
	if !op.chainOK {
		body.ChainId = "custos-other"
	}
	signers := make([]txbuild.Signer, len(op.sigs))
	for i, s := range op.sigs {
		signers[i] = txbuild.NewSigner(s.id, s.frag, g.priv[s.key])
	}
	return e.sign(body, signers...)
}
