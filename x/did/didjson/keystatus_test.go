package didjson_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/types"
)

func TestRenderKeyStatus(t *testing.T) {
	k1 := mustKey(types.NewEd25519(rawKey("k1")))
	k2 := mustKey(types.NewEd25519(rawKey("k2")))
	k3 := mustKey(types.NewEd25519(rawKey("k3")))
	// k1 from 100 (v1), rotated at 200 (v2) to k2, revoked as compromised
	// at 300 (v3) since 250; k3 added again under the fragment at 400 (v4).
	rec := &types.KeyRecord{Periods: []types.KeyPeriod{
		{PublicKey: k1.Multicodec(), Status: types.KEY_STATUS_RETIRED, ValidFromVersion: 1, ValidFrom: 100, ValidUntilVersion: 2, ValidUntil: 200},
		{PublicKey: k2.Multicodec(), Status: types.KEY_STATUS_COMPROMISED, ValidFromVersion: 2, ValidFrom: 200, ValidUntilVersion: 3, ValidUntil: 300, CompromisedSince: 250},
		{PublicKey: k3.Multicodec(), Status: types.KEY_STATUS_VALID, ValidFromVersion: 4, ValidFrom: 400},
	}}
	url := types.URL{ID: fixedID, Fragment: "key-1"}
	tests := []struct {
		name      string
		rec       *types.KeyRecord
		at        int64
		status    string
		key       types.PublicKey
		from      string
		until     string
		fromV     string
		untilV    string
		compSince string
	}{
		{name: "no record", rec: nil, at: 150, status: "unknown"},
		{name: "before the first period", rec: rec, at: 99, status: "unknown"},
		{name: "first period starts", rec: rec, at: 100, status: "valid", key: k1, from: "1970-01-01T00:01:40Z", until: "1970-01-01T00:03:20Z", fromV: "1", untilV: "2"},
		{name: "last second of the first period", rec: rec, at: 199, status: "valid", key: k1, from: "1970-01-01T00:01:40Z", until: "1970-01-01T00:03:20Z", fromV: "1", untilV: "2"},
		{name: "rotated in", rec: rec, at: 200, status: "valid", key: k2, from: "1970-01-01T00:03:20Z", until: "1970-01-01T00:05:00Z", fromV: "2", untilV: "3", compSince: "1970-01-01T00:04:10Z"},
		{name: "before compromisedSince", rec: rec, at: 249, status: "valid", key: k2, from: "1970-01-01T00:03:20Z", until: "1970-01-01T00:05:00Z", fromV: "2", untilV: "3", compSince: "1970-01-01T00:04:10Z"},
		{name: "compromised before its revocation", rec: rec, at: 250, status: "compromised", key: k2, from: "1970-01-01T00:03:20Z", until: "1970-01-01T00:05:00Z", fromV: "2", untilV: "3", compSince: "1970-01-01T00:04:10Z"},
		{name: "compromised after its revocation", rec: rec, at: 350, status: "compromised", key: k2, from: "1970-01-01T00:03:20Z", until: "1970-01-01T00:05:00Z", fromV: "2", untilV: "3", compSince: "1970-01-01T00:04:10Z"},
		{name: "the fragment names a key again", rec: rec, at: 400, status: "valid", key: k3, from: "1970-01-01T00:06:40Z", fromV: "4"},
		{name: "retired", rec: &types.KeyRecord{Periods: rec.Periods[:1]}, at: 200, status: "retired", key: k1, from: "1970-01-01T00:01:40Z", until: "1970-01-01T00:03:20Z", fromV: "1", untilV: "2"},
		{name: "compromised, no time given", rec: &types.KeyRecord{Periods: []types.KeyPeriod{
			{PublicKey: k2.Multicodec(), Status: types.KEY_STATUS_COMPROMISED, ValidFromVersion: 1, ValidFrom: 100, ValidUntilVersion: 2, ValidUntil: 300},
		}}, at: 299, status: "valid", key: k2, from: "1970-01-01T00:01:40Z", until: "1970-01-01T00:05:00Z", fromV: "1", untilV: "2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks := didjson.RenderKeyStatus(url, tc.rec, tc.at)
			require.Equal(t, fixedID.String()+"#key-1", ks.ID)
			require.Equal(t, didjson.FormatTime(tc.at), ks.At)
			require.Equal(t, tc.status, ks.Status)
			want := ""
			if !tc.key.IsZero() {
				want = tc.key.Multibase()
			}
			require.Equal(t, want, ks.PublicKeyMultibase)
			require.Equal(t, tc.from, ks.ValidFrom)
			require.Equal(t, tc.until, ks.ValidUntil)
			require.Equal(t, tc.fromV, ks.ValidFromVersionID)
			require.Equal(t, tc.untilV, ks.ValidUntilVersionID)
			require.Equal(t, tc.compSince, ks.CompromisedSince)
		})
	}
}
