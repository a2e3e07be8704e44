package app_test

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// The adversarial catalogue: crafted txs, each with the registered error it
// must get, run in-process against a real App (real badger) the way a user
// sends them (CheckTx), the way validators judge a proposal holding them
// (ProcessProposal; PrepareProposal for a family at once), and the way a
// malicious proposer would include them in a block anyway (FinalizeBlock +
// Commit, alone and then a whole family in one block). A refused tx must
// change nothing: neither the app hash nor any entry of the flat state, in
// the tree or out of it.
//
// The txs come from families (adversarial_*_test.go): each family builds
// its own targets in setup blocks, then returns its crafted txs and, last,
// controls: the untampered txs, which must be accepted, so that each
// refusal is shown to come from the mutation and not from a broken base.

const advChain = "custos-adversarial"

// advCase is one crafted tx.
type advCase struct {
	name string
	tx   []byte
	// want is the error the tx must get at every stage; nil marks a
	// control, which must be accepted.
	want *types.Error
	// awaiting names the rule, not yet on main, that will refuse the tx
	// with want. Such a case is run and reported, not asserted: it shows
	// which entries of the catalogue still go through.
	awaiting string
	// check, for a control, verifies the state it made.
	check func(t *testing.T, w *advWorld)
}

// advFamily is a generator of crafted txs: a family of txs and the
// mutations applied to them.
type advFamily struct {
	name  string
	build func(w *advWorld) []advCase
}

// advTally counts what the catalogue did, per family and per code.
type advTally struct {
	tried, controls, awaiting  int
	checkRefused, finalRefused map[string]int // by error name
	// proposalRefused counts the txs whose one-tx block ProcessProposal
	// rejected, by the error they get.
	proposalRefused map[string]int
	families        []string
	perFamily       map[string][4]int // tried, refused by CheckTx, by ProcessProposal, by FinalizeBlock
	stillAccepted   []string
}

func codeName(code uint32) string {
	if code == 0 {
		return "ok"
	}
	if e := types.ErrorByCode(code); e != nil {
		return e.Name
	}
	return fmt.Sprintf("code_%d", code)
}

// advResult is what each stage answered for one crafted tx.
type advResult struct {
	check, final uint32
	// rejected: ProcessProposal rejected the tx's one-tx block.
	rejected bool
}

// proposalRejects reports whether ProcessProposal must reject a block that
// holds c's tx: every honest node refuses the tx whatever the state and
// whatever the block's earlier txs do. That is a tx refused on its bytes
// alone (decoding, size, and the checks that need no state: chain id,
// memo, signature count, target DID, operation, key URLs), and a create
// refused on its own inception document and its signatures under the keys
// that document lists. Stale versions, unknown or deactivated targets,
// authorization by stored keys and every rule between operations stay
// per-tx results: an earlier tx of the block may change them.
func proposalRejects(c advCase) bool {
	if c.want == nil {
		return false
	}
	switch c.want {
	case types.ErrMalformedTx, types.ErrNonCanonical, types.ErrTxTooLarge, types.ErrWrongChainID,
		types.ErrMemoTooLarge, types.ErrInvalidMemo, types.ErrTooManySignatures, types.ErrNoOperation,
		types.ErrInvalidDIDURL:
		return true
	}
	_, body, err := types.DecodeTx(c.tx, types.DefaultParams().MaxTxBytes)
	if err != nil {
		return true
	}
	if _, err := types.ParseID(body.Did); err != nil {
		return true
	}
	return body.GetCreate() != nil && c.want != types.ErrDIDExists
}

// runCase runs a crafted tx through CheckTx and ProcessProposal, then alone
// in a block through FinalizeBlock and Commit (as a proposer that skipped
// every check would), and checks each answer and that a refusal left the
// state as it was.
func (w *advWorld) runCase(c advCase) advResult {
	w.t.Helper()
	before := w.state()
	chk := w.checkTx(c.tx)
	var out advResult
	out.check = chk.Code
	out.rejected = w.processProposal([][]byte{c.tx})
	if c.awaiting == "" {
		w.sameState(before, "%s: CheckTx and ProcessProposal", c.name)
	}
	res := w.block(c.tx)
	r := res.TxResults[0]
	out.final = r.Code
	if c.awaiting != "" {
		if chk.Code != 0 && r.Code != 0 { // refused at last: then it must change nothing
			require.Equal(w.t, before.appHash, fmt.Sprintf("%x", res.AppHash), "%s: FinalizeBlock's app hash", c.name)
			w.sameState(before, "%s: FinalizeBlock and Commit", c.name)
		}
		return out
	}
	require.Equal(w.t, proposalRejects(c), out.rejected, "%s: ProcessProposal of a block holding it rejected it: %v", c.name, out.rejected)
	if c.want == nil {
		require.Zero(w.t, chk.Code, "%s: control refused by CheckTx: %s", c.name, chk.Log)
		require.Zero(w.t, r.Code, "%s: control refused by FinalizeBlock: %s", c.name, r.Log)
		require.NotEqual(w.t, before.appHash, fmt.Sprintf("%x", res.AppHash), "%s: an accepted tx left the app hash as it was", c.name)
		if c.check != nil {
			c.check(w.t, w)
		}
		return out
	}
	require.Equal(w.t, codeName(c.want.Code), codeName(chk.Code), "%s: CheckTx: %s", c.name, chk.Log)
	require.Equal(w.t, types.Codespace, chk.Codespace, c.name)
	require.Equal(w.t, codeName(c.want.Code), codeName(r.Code), "%s: FinalizeBlock: %s", c.name, r.Log)
	require.Equal(w.t, before.appHash, fmt.Sprintf("%x", res.AppHash), "%s: FinalizeBlock's app hash", c.name)
	w.sameState(before, "%s: FinalizeBlock and Commit", c.name)
	return out
}

// runBlock finalizes and commits cases' txs as one block and requires
// each to get its code and the state not to move.
func (w *advWorld) runBlock(what string, cases []advCase) {
	w.t.Helper()
	before := w.state()
	txs := make([][]byte, len(cases))
	for i, c := range cases {
		txs[i] = c.tx
	}
	res := w.block(txs...)
	for i, r := range res.TxResults {
		require.Equal(w.t, codeName(cases[i].want.Code), codeName(r.Code), "%s in %s: %s", cases[i].name, what, r.Log)
	}
	w.sameState(before, "%s", what)
}

// runFamilyBlocks puts a family's refused txs in blocks. An honest
// proposer's PrepareProposal keeps exactly those a block may hold, and
// ProcessProposal accepts that block and rejects the whole family; a
// malicious proposer's block of them all still executes, each tx with its
// code alone, and changes nothing.
func (w *advWorld) runFamilyBlocks(family string, refused []advCase) {
	w.t.Helper()
	// It also keeps at most 4 txs per version slot (keeper.VersionSlot):
	// the first ones; the others could not apply after the one that does.
	slots := keeper.New(types.DefaultParams(), keeper.Direct{})
	type slot struct {
		id types.ID
		v  uint64
	}
	taken := map[slot]int{}
	var keep []advCase
	rejects := false
	for _, c := range refused {
		if proposalRejects(c) {
			rejects = true
			continue
		}
		if id, v, ok := slots.VersionSlot(c.tx); ok {
			if taken[slot{id, v}] >= 4 {
				continue
			}
			taken[slot{id, v}]++
		}
		keep = append(keep, c)
	}
	all := make([][]byte, len(refused))
	for i, c := range refused {
		all[i] = c.tx
	}
	got := w.prepareProposal(all)
	require.Len(w.t, got, len(keep), "PrepareProposal of family %s", family)
	for i, c := range keep {
		require.Equal(w.t, c.tx, got[i], "PrepareProposal of family %s: tx %d is not %s", family, i, c.name)
	}
	require.False(w.t, w.processProposal(got), "ProcessProposal rejected the block PrepareProposal built of family %s", family)
	require.Equal(w.t, rejects, w.processProposal(all), "ProcessProposal of the whole family %s", family)
	if len(keep) > 0 {
		w.runBlock("the honest block of family "+family, keep)
	}
	w.runBlock("the block of the whole family "+family, refused)
}

// TestAdversarialCatalogue runs every family of crafted txs. In verbose mode
// it prints how many txs it tried and how each stage refused them.
func TestAdversarialCatalogue(t *testing.T) {
	w := newAdvWorld(t)
	tally := advTally{checkRefused: map[string]int{}, finalRefused: map[string]int{}, proposalRefused: map[string]int{},
		perFamily: map[string][4]int{}}
	seen := map[[32]byte]string{}
	for _, f := range advFamilies() {
		cases := f.build(w)
		var refused, awaiting, controls []advCase
		for _, c := range cases {
			c.name = f.name + "/" + c.name
			h := sha256.Sum256(c.tx)
			if prev, dup := seen[h]; dup && c.want != nil {
				t.Fatalf("%s: the same bytes as %s: a catalogue entry must be distinct", c.name, prev)
			}
			seen[h] = c.name
			switch {
			case c.awaiting != "":
				awaiting = append(awaiting, c)
			case c.want == nil:
				controls = append(controls, c)
			default:
				refused = append(refused, c)
			}
		}
		require.NotEmpty(t, controls, "family %s has no control: nothing shows its base tx is valid", f.name)
		tally.families = append(tally.families, f.name)
		fam := tally.perFamily[f.name]
		for _, c := range refused {
			r := w.runCase(c)
			tally.tried++
			fam[0]++
			if r.check != 0 {
				tally.checkRefused[codeName(r.check)]++
				fam[1]++
			}
			if r.rejected {
				tally.proposalRefused[c.want.Name]++
				fam[2]++
			}
			if r.final != 0 {
				tally.finalRefused[codeName(r.final)]++
				fam[3]++
			}
		}
		if len(refused) > 0 {
			w.runFamilyBlocks(f.name, refused)
		}
		for _, c := range awaiting {
			r := w.runCase(c)
			tally.awaiting++
			if r.check != c.want.Code || r.final != c.want.Code {
				tally.stillAccepted = append(tally.stillAccepted, fmt.Sprintf("%s (CheckTx %s, FinalizeBlock %s; awaiting %s)", c.name, codeName(r.check), codeName(r.final), c.awaiting))
			} else {
				t.Logf("%s: now refused with %s: the rule it awaited (%s) has landed; drop its awaiting mark", c.name, c.want.Name, c.awaiting)
			}
		}
		for _, c := range controls {
			w.runCase(c)
			tally.controls++
		}
		tally.perFamily[f.name] = fam
	}
	require.GreaterOrEqual(t, tally.tried, 150, "the catalogue holds at least 150 crafted txs")
	tally.log(t)
	t.Run("the same blocks with caches off", w.replayWithoutCaches)
}

func (tl advTally) log(t *testing.T) {
	sum := func(m map[string]int) int {
		n := 0
		for _, v := range m {
			n += v
		}
		return n
	}
	t.Logf("adversarial catalogue: %d crafted txs tried; refused by CheckTx %d, by ProcessProposal %d, by FinalizeBlock %d; %d controls accepted; %d awaiting a rule",
		tl.tried, sum(tl.checkRefused), sum(tl.proposalRefused), sum(tl.finalRefused), tl.controls, tl.awaiting)
	var never []string
	for _, e := range types.AllErrors() {
		if tl.finalRefused[e.Name] == 0 {
			never = append(never, e.Name)
		}
	}
	t.Logf("  %d of the %d registered errors produced; never: %s", len(types.AllErrors())-len(never), len(types.AllErrors()), strings.Join(never, ", "))
	t.Logf("  ProcessProposal rejections by code: %s", formatCounts(tl.proposalRefused))
	t.Logf("  FinalizeBlock refusals by code: %s", formatCounts(tl.finalRefused))
	for _, f := range tl.families {
		c := tl.perFamily[f]
		t.Logf("  family %-14s tried %3d, refused by CheckTx %3d, by ProcessProposal %3d, by FinalizeBlock %3d", f, c[0], c[1], c[2], c[3])
	}
	for _, s := range tl.stillAccepted {
		t.Logf("  still not refused: %s", s)
	}
}

func formatCounts(m map[string]int) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d", n, m[n])
	}
	return strings.Join(parts, ", ")
}

// advFamilies lists the generators, in the order they run.
func advFamilies() []advFamily {
	return slices.Concat(
		encodingFamilies(),
		documentFamilies(),
		signatureFamilies(),
		operationFamilies(),
		guardianFamilies(),
	)
}
