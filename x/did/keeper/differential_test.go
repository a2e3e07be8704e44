package keeper_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app/accel"
	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// call is one check or exec of a tx through an env, and what it answered.
type call struct {
	check  bool
	tx     []byte
	answer string
}

// note records a call in e's journal, if it keeps one: the refusal or
// outcome, what the block's timed actions did, and (for an exec) the app
// hash it committed.
func (e *env) note(check bool, tx []byte, out keeper.Outcome, err error, timed []keeper.Outcome) {
	if e.journal == nil {
		return
	}
	a := fmt.Sprintf("error %v; %s v%d %s extra %v", err, out.DID, out.Version, out.Kind, out.Extra)
	a += fmt.Sprintf("; event %s", out.Event.String())
	if !check {
		a = fmt.Sprintf("height %d: %s; timed %v; app hash %x", e.height, a, timed, e.appHash())
	}
	*e.journal = append(*e.journal, call{check: check, tx: tx, answer: a})
}

// replay runs calls through a fresh env whose keeper asks f, and returns
// its journal; audited keeps the checks that shared answers stay intact
// (off for facts wrong on purpose, so that the journals are compared).
func replay(t *testing.T, f keeper.Facts, calls []call, audited bool) []call {
	e := newEnvWith(t, f)
	e.unaudited = !audited
	var got []call
	e.journal = &got
	for _, c := range calls {
		if c.check {
			e.check(c.tx) //nolint:errcheck // the journal keeps the answer
		} else if _, err := e.exec(c.tx); err != nil && types.Registered(err) == nil {
			break // a node fault (only wrong facts get here): a node stops
		}
	}
	return got
}

// journalDifference returns the first call whose answer differs, or "".
func journalDifference(want, got []call) string {
	for i := range min(len(want), len(got)) {
		if want[i].answer != got[i].answer {
			return fmt.Sprintf("call %d\n  direct: %s\n  this:   %s", i, want[i].answer, got[i].answer)
		}
	}
	if len(want) != len(got) {
		return fmt.Sprintf("%d calls, direct %d", len(got), len(want))
	}
	return ""
}

// modelJournal runs TestModel's first sequences with keeper.Direct (no
// memory at all) and returns every call they made and its answer.
func modelJournal(t *testing.T) []call {
	seqs := 40
	if testing.Short() {
		seqs = 8
	}
	ref := newEnvWith(t, keeper.Direct{})
	var calls []call
	ref.journal = &calls
	for i := range seqs {
		runSequence(t, ref, *modelSeed+int64(i), 30, map[string]int{})
	}
	return calls
}

// TestMemoriesChangeNoResult replays the model test's calls with the
// keeper's memories (package accel) all on and each one off, and requires
// every answer, outcome and app hash to be what keeper.Direct gave.
func TestMemoriesChangeNoResult(t *testing.T) {
	calls := modelJournal(t)
	all := accel.Config{SigCache: 1024, ParseCache: 8192, VersionCache: 16384, OrderCache: 16384}
	configs := map[string]accel.Config{"all on": all}
	for name, off := range map[string]func(*accel.Config){
		"signature cache off":   func(c *accel.Config) { c.SigCache = 0 },
		"parse cache off":       func(c *accel.Config) { c.ParseCache = 0 },
		"version cache off":     func(c *accel.Config) { c.VersionCache = 0 },
		"prime-order cache off": func(c *accel.Config) { c.OrderCache = 0 },
	} {
		c := all
		off(&c)
		configs[name] = c
	}
	for _, name := range []string{"all on", "signature cache off", "parse cache off", "version cache off", "prime-order cache off"} {
		t.Run(name, func(t *testing.T) {
			if d := journalDifference(calls, replay(t, accel.NewFacts(configs[name]), calls, true)); d != "" {
				t.Fatalf("a memory changed a result: %s", d)
			}
		})
	}
}

// TestWrongMemoryIsCaught makes one memory wrong on purpose at a time and
// requires the comparison of TestMemoriesChangeNoResult to catch it.
func TestWrongMemoryIsCaught(t *testing.T) {
	calls := modelJournal(t)
	all := accel.Config{SigCache: 1024, ParseCache: 8192, VersionCache: 16384, OrderCache: 16384}
	for _, tc := range []struct {
		name  string
		wrong func(keeper.Facts) keeper.Facts
	}{
		{"signature cache answers for a known key whatever the message", didtest.TrustingSigs},
		{"parse cache keyed by the tx's first 48 bytes", didtest.PrefixParses},
		{"version cache keyed by DID alone", didtest.LatestVersions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := journalDifference(calls, replay(t, tc.wrong(accel.NewFacts(all)), calls, false))
			require.NotEmpty(t, d, "the wrong memory went unnoticed")
			t.Logf("caught at %s", d)
		})
	}
}
