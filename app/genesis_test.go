package app_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/custos-ledger/custos/app"
)

// TestParseGenesisStateRefuses: an app_state that is not exactly one JSON
// object of known fields with valid params is refused with an error.
func TestParseGenesisStateRefuses(t *testing.T) {
	def, err := json.Marshal(app.DefaultGenesisState())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, raw string }{
		{"unknown field", `{"params":{},"extra":1}`},
		{"unknown param", `{"params":{"max_services":3,"max_servces":4}}`},
		{"trailing value", string(def) + ` {"params":{}}`},
		{"trailing garbage", string(def) + ` x`},
		{"not an object", `[]`},
		{"bad duration", `{"params":{"recovery_min_delay":"soon"}}`},
		{"fractional seconds", `{"params":{"recovery_min_delay":"1.5s"}}`},
		{"zero limits", `{"params":{}}`},
		{"unknown write policy", withParams(t, `"write_policy":"closed"`)},
		{"endorsed without endorsers", withParams(t, `"write_policy":"endorsed"`)},
		{"endorsers under open", withParams(t, `"endorsers":["did:custos:7Kq3s1pLwcwdqMtqY1bSyc"]`)},
		{"endorser not a DID", withParams(t, `"write_policy":"endorsed","endorsers":["did:web:example.com"]`)},
		{"stamp difficulty too high", withParams(t, `"stamp_difficulty":41`)},
		{"rate limit of no ops", withParams(t, `"rate_limits":[{"period":"1h","max_ops":0}]`)},
		{"rate limit period not whole seconds", withParams(t, `"rate_limits":[{"period":"1.5s","max_ops":1}]`)},
		{"two rate limits of one period", withParams(t, `"rate_limits":[{"period":"1h","max_ops":1},{"period":"60m","max_ops":2}]`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := app.ParseGenesisState([]byte(tc.raw)); err == nil {
				t.Fatalf("%s accepted", tc.raw)
			}
		})
	}
	g, err := app.ParseGenesisState(def)
	if err != nil || !reflect.DeepEqual(g, app.DefaultGenesisState()) {
		t.Fatalf("the default app_state does not parse to itself: %v", err)
	}
}

// FuzzParseGenesisState: any app_state parses or is refused, never panics;
// what parses has valid params and round-trips through its JSON form.
func FuzzParseGenesisState(f *testing.F) {
	def, err := json.Marshal(app.DefaultGenesisState())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(def)
	f.Add([]byte(`{"params":{"max_services":3}}`))
	f.Add([]byte(``))
	f.Add([]byte(`{"params":{"recovery_min_delay":"-1s"}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		g, err := app.ParseGenesisState(raw)
		if err != nil {
			return
		}
		if _, err := g.ToParams(); err != nil {
			t.Fatalf("parsed app_state has invalid params: %v", err)
		}
		again, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		g2, err := app.ParseGenesisState(again)
		if err != nil || !reflect.DeepEqual(g, g2) {
			t.Fatalf("app_state does not round-trip: %v\n%s", err, again)
		}
	})
}

// withParams is the default app_state with extra params fields (JSON,
// without braces) overriding the defaults.
func withParams(t *testing.T, extra string) string {
	var m map[string]map[string]json.RawMessage
	def, err := json.Marshal(app.DefaultGenesisState())
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(def, &m); err != nil {
		t.Fatal(err)
	}
	var over map[string]json.RawMessage
	if err := json.Unmarshal([]byte("{"+extra+"}"), &over); err != nil {
		t.Fatal(err)
	}
	for k, v := range over {
		m["params"][k] = v
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// The network defaults parse, and set a stamp and rate limits.
func TestNetworkGenesisState(t *testing.T) {
	raw, err := json.Marshal(app.NetworkGenesisState())
	if err != nil {
		t.Fatal(err)
	}
	g, err := app.ParseGenesisState(raw)
	if err != nil {
		t.Fatal(err)
	}
	p, err := g.ToParams()
	if err != nil || p.StampDifficulty == 0 || len(p.RateLimits) != 3 {
		t.Fatalf("network defaults: %+v, %v", p, err)
	}
}
