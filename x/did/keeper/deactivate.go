package keeper

import (
	"github.com/custos-ledger/custos/x/did/types"
)

// deactivate ends the DID for good: a last version with no keys, every key
// recorded as retired. Earlier versions keep resolving as they were.
func (e *execution) deactivate() (Outcome, error) {
	head, rec, cur, err := e.current()
	if err != nil {
		return Outcome{}, err
	}
	s, err := e.verifySignatures(&cur, types.Keys{})
	if err != nil {
		return Outcome{}, err
	}
	if err := requireThreshold(&rec.Document, s); err != nil {
		return Outcome{}, err
	}
	version := head.Version + 1
	for _, f := range cur.Fragments {
		if err := e.closeKey(f, version, types.KEY_STATUS_RETIRED, 0); err != nil {
			return Outcome{}, err
		}
	}
	ev := types.HistoryEntry{Kind: types.EVENT_KIND_DEACTIVATED, KeysRemoved: cur.Fragments}
	if _, err := e.commitVersion(head, types.Document{Id: e.id.String()}, true, ev); err != nil {
		return Outcome{}, err
	}
	if err := e.cancelPending(head, "the DID was deactivated"); err != nil {
		return Outcome{}, err
	}
	return e.outcome(head), nil
}
