package app

import (
	"strconv"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// EventType is the ABCI event type of every DID operation.
const EventType = "custos.did"

// txEvents renders what an operation or timed action on did (out.DID)
// did as ABCI events, one per history entry, in order. Attribute order is
// fixed.
func txEvents(did string, out keeper.Outcome) []abci.Event {
	evs := []abci.Event{historyEvent(did, out.Event)}
	for _, e := range out.Extra {
		evs = append(evs, historyEvent(did, e))
	}
	return evs
}

func historyEvent(did string, e types.HistoryEntry) abci.Event {
	attrs := []abci.EventAttribute{
		{Key: "did", Value: did, Index: true},
		{Key: "version", Value: strconv.FormatUint(e.Version, 10), Index: true},
		{Key: "operation", Value: didjson.OperationName(e.Kind), Index: true},
	}
	add := func(k, v string) {
		if v != "" {
			attrs = append(attrs, abci.EventAttribute{Key: k, Value: v})
		}
	}
	add("keys_added", strings.Join(e.KeysAdded, ","))
	add("keys_removed", strings.Join(e.KeysRemoved, ","))
	add("keys_rotated", strings.Join(e.KeysRotated, ","))
	if e.RecoveryId != 0 {
		add("recovery_id", strconv.FormatUint(e.RecoveryId, 10))
	}
	add("guardian", e.Guardian)
	if e.Effective != 0 {
		add("effective", didjson.FormatTime(e.Effective))
	}
	add("detail", e.Detail)
	return abci.Event{Type: EventType, Attributes: attrs}
}
