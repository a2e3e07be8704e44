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
// bounded without it), a recovery's execution (no tx at all), a rotation
// or update that reveals the committed next keys, and a deactivation
// (once per DID). A thief holding the current keys can use up the quota,
// but not block what takes the DID back from it; the reveal and a
// recovery's execution close the windows, so the owner starts afresh.

// countOp returns windows after one more counted operation at block time
// now under limits, or types.ErrRateLimited saying when the next one is
// allowed. Windows of periods the limits no longer name are dropped.
func countOp(limits []types.RateLimit, windows []types.RateWindow, now int64) ([]types.RateWindow, error) {
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
			Detail: fmt.Sprintf("the DID has had its %d operations per %s; the next is allowed from block time %s (unix %d)",
				full.MaxOps, time.Duration(full.Period)*time.Second, time.Unix(retry, 0).UTC().Format(time.RFC3339), retry)}
	}
	return out, nil
}

// rateLimit counts the operation on head (the target's, as loaded) and
// stages the new windows in it; refused, it changes nothing.
func (e *execution) rateLimit(head *types.Head) error {
	w, err := countOp(e.k.params.RateLimits, head.Rate, e.blk.Time)
	if err != nil {
		return err
	}
	head.Rate = w
	return nil
}

// limitEdit applies the rate limit to an edit of the document from cur to
// next, unless the edit reveals the committed next keys: that edit is the
// owner taking the DID back, and it closes the windows instead (a thief
// holding the replaced keys may have used them up).
func (e *execution) limitEdit(head *types.Head, cur, next *types.Document) error {
	if cur.NextKeys != nil && types.ControlChanged(cur, next) {
		head.Rate = nil
		return nil
	}
	return e.rateLimit(head)
}
