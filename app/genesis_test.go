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
