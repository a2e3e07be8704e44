package didjson_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/types"
)

func TestOperationNames(t *testing.T) {
	seen := map[string]types.EventKind{}
	for k := range types.EventKind_name {
		kind := types.EventKind(k)
		name := didjson.OperationName(kind)
		if kind == types.EVENT_KIND_UNSPECIFIED {
			require.Equal(t, "unknown", name)
			continue
		}
		require.NotEqual(t, "unknown", name, "event kind %s has no name", kind)
		prev, dup := seen[name]
		require.False(t, dup, "%s and %s render as %q", prev, kind, name)
		seen[name] = kind
	}
}

func TestRenderEvent(t *testing.T) {
	did := fixedID.String()
	tests := []struct {
		name string
		in   types.HistoryEntry
		want string
	}{
		{name: "create", in: types.HistoryEntry{Seq: 1, Kind: types.EVENT_KIND_CREATED, Version: 1, Height: 7, Time: 1_700_000_000,
			TxHash: []byte{0xab, 0x01}, KeysAdded: []string{"k1", "k2"}, ServicesChanged: true, RelationshipsChanged: true, Threshold: 1, Memo: "hi"},
			want: `{"sequence":1,"operation":"create","versionId":"1","height":7,"time":"2023-11-14T22:13:20Z","txHash":"AB01",` +
				`"keysAdded":["` + did + `#k1","` + did + `#k2"],"servicesChanged":true,"relationshipsChanged":true,"threshold":1,"memo":"hi"}`},
		{name: "compromised", in: types.HistoryEntry{Seq: 3, Kind: types.EVENT_KIND_KEY_REVOKED, Version: 3, Height: 9, Time: 1_700_000_100,
			KeysRemoved: []string{"k2"}, Reason: types.REVOCATION_REASON_COMPROMISED, CompromisedSince: 1_700_000_050},
			want: `{"sequence":3,"operation":"revokeKey","versionId":"3","height":9,"time":"2023-11-14T22:15:00Z","txHash":"",` +
				`"keysRemoved":["` + did + `#k2"],"reason":"compromised","compromisedSince":"2023-11-14T22:14:10Z"}`},
		{name: "retired", in: types.HistoryEntry{Seq: 2, Kind: types.EVENT_KIND_KEY_REVOKED, Version: 2, Reason: types.REVOCATION_REASON_RETIRED},
			want: `{"sequence":2,"operation":"revokeKey","versionId":"2","height":0,"time":"1970-01-01T00:00:00Z","txHash":"","reason":"retired"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(didjson.RenderEvent(fixedID, &tc.in))
			require.NoError(t, err)
			require.Equal(t, tc.want, string(b))
		})
	}
}
