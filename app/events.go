package app

import (
	"strconv"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/keeper"
)

// EventType is the ABCI event type of every DID operation.
const EventType = "custos.did"

// txEvents renders an executed operation as ABCI events. Attribute order is
// fixed.
func txEvents(out keeper.Outcome) []abci.Event {
	attrs := []abci.EventAttribute{
		{Key: "did", Value: out.DID.String(), Index: true},
		{Key: "version", Value: strconv.FormatUint(out.Version, 10), Index: true},
		{Key: "operation", Value: didjson.OperationName(out.Kind), Index: true},
	}
	add := func(k string, v []string) {
		if len(v) > 0 {
			attrs = append(attrs, abci.EventAttribute{Key: k, Value: strings.Join(v, ",")})
		}
	}
	add("keys_added", out.Event.KeysAdded)
	add("keys_removed", out.Event.KeysRemoved)
	add("keys_rotated", out.Event.KeysRotated)
	return []abci.Event{{Type: EventType, Attributes: attrs}}
}
