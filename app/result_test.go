package app_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/x/did/types"
)

// TestResultOf: a registered error keeps its code however it is wrapped; an
// unregistered one is node_unavailable; the log is the error's text.
func TestResultOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		code uint32
		log  string
	}{
		{"registered", types.ErrStaleVersion, types.ErrStaleVersion.Code, types.ErrStaleVersion.Error()},
		{"with detail", types.ErrBadSignature.Wrap("#key-1"), types.ErrBadSignature.Code, types.ErrBadSignature.Wrap("#key-1").Error()},
		{"wrapped by fmt", fmt.Errorf("outer: %w", types.ErrDIDNotFound), types.ErrDIDNotFound.Code, "outer: " + types.ErrDIDNotFound.Error()},
		{"unregistered", errors.New("disk on fire"), types.ErrNodeUnavailable.Code, types.ErrNodeUnavailable.Wrap("disk on fire").Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := app.ResultOf(tc.err)
			if r.Code != tc.code || r.Codespace != types.Codespace || r.Log != tc.log {
				t.Fatalf("got %+v, want code %d log %q", r, tc.code, tc.log)
			}
			if c := r.CheckTx(); c.Code != tc.code || c.Log != tc.log || c.Codespace != types.Codespace {
				t.Fatalf("CheckTx answer %+v", c)
			}
			if e := r.ExecTx(); e.Code != tc.code || e.Log != tc.log || e.Codespace != types.Codespace {
				t.Fatalf("ExecTx answer %+v", e)
			}
			if q := r.Query(7); q.Code != tc.code || q.Log != tc.log || q.Height != 7 {
				t.Fatalf("Query answer %+v", q)
			}
		})
	}
}
