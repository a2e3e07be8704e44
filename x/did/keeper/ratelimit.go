package keeper

import (
	"fmt"
	"time"

	"github.com/custos-ledger/custos/x/did/types"
)

// Per-DID rate limits (docs/write-policy.md). Each limit of the params
// allows max_ops counted operations per window of period seconds of block
// time. A DID's window for a limit opens at its first counted operation
// and closes period seconds later; the next counted operation after that
// opens a new one. The windows live in the DID's head (Head.rate), so
// they are consensus state and the head commits to them.
//
// Counted: a create, an update or rotation that does not reveal
// pre-rotated keys, a revocation, a guardian change; each is signed by
// the DID's current controller keys. Not counted, and never refused for
// the rate: recovery initiations, approvals and cancel votes (guardians'
// and the owner's: each voter counts once per recovery, so they are
// bounded without it), a recovery's execution (no tx at all, gated by
// the guardians and the delay), and a deactivation (once per DID).
//
// A rotation or update that reveals the committed next keys is counted
// in windows of its own (Head.reveal_rate), under the same limits: only
// the holder of the next keys can spend that quota, so a thief holding
// the current keys can use up the ordinary quota but never block the
// owner's reveal, and the holder of the next keys cannot write without
// limit by revealing again and again. The first reveal after the reveal
// windows have all closed also closes the ordinary windows (the owner
// takes the DID back and starts afresh); later reveals leave them, so the
// reveals add at most one fresh ordinary quota per longest period. A
// recovery's execution closes both: the keys that used them up no longer
// control the DID.

// countOp returns windows after one more counted operation at block time
// now under limits, or types.ErrRateLimited saying when the next one (of
// what: operations, reveals) is allowed. Windows of periods the limits no
// longer name are dropped.
func countOp(limits []types.RateLimit, windows []types.RateWindow, now int64, what string) ([]types.RateWindow, error) {
	if len(limits) == 0 {
		return nil, nil
	}
	out := make([]types.RateWindow, len(limits))
	var retry int64
	var full *types.RateLimit
	for i, l := range limits {
		w := types.RateWindow{Period: l.Period, Start: now}
		for _, old := range windows {
			if old.Period == l.Period && now < old.Start+old.Period {
				w = old
			}
		}
		if w.Count >= l.MaxOps {
			if end := w.Start + w.Period; end > retry {
				retry, full = end, &limits[i]
			}
		}
		w.Count++
		out[i] = w
	}
	if full != nil {
		return nil, &types.TxError{Err: types.ErrRateLimited, RetryAt: retry,
			Detail: fmt.Sprintf("the DID has had its %d %s per %s; the next is allowed from block time %s (unix %d)",
				full.MaxOps, what, time.Duration(full.Period)*time.Second, time.Unix(retry, 0).UTC().Format(time.RFC3339), retry)}
	}
	return out, nil
}

// rateLimit counts the operation on head (the target's, as loaded) and
// stages the new windows in it; refused, it changes nothing.
func (e *execution) rateLimit(head *types.Head) error {
	w, err := countOp(e.k.params.RateLimits, head.Rate, e.blk.Time, "operations")
	if err != nil {
		return err
	}
	head.Rate = w
	return nil
}

// limitEdit applies the rate limit to an edit of the document from cur to
// next. An edit that reveals the committed next keys is counted in the
// reveal windows instead, which the current keys (a thief's, maybe)
// cannot spend; if no reveal window was open, it also closes the ordinary
// windows the replaced keys may have used up.
func (e *execution) limitEdit(head *types.Head, cur, next *types.Document) error {
	if cur.NextKeys != nil && types.ControlChanged(cur, next) {
		fresh := !anyOpen(head.RevealRate, e.blk.Time)
		w, err := countOp(e.k.params.RateLimits, head.RevealRate, e.blk.Time, "reveals")
		if err != nil {
			return err
		}
		head.RevealRate = w
		if fresh {
			head.Rate = nil
		}
		return nil
	}
	return e.rateLimit(head)
}

// anyOpen reports whether a window of windows is still open at block time
// now.
func anyOpen(windows []types.RateWindow, now int64) bool {
	for _, w := range windows {
		if now < w.Start+w.Period {
			return true
		}
	}
	return false
}
