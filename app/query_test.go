package app_test

import (
	"context"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/custos-ledger/custos/x/did/types"
)

// TestQueryRefusesMalformed: a query the app does not answer gets the
// registered malformed_query code, not a transaction's code.
func TestQueryRefusesMalformed(t *testing.T) {
	a := newApp(t, t.TempDir())
	initChain(t, a)
	commitOK(t, a, 1, nil)
	commitOK(t, a, 2, nil) // a proof needs a height below the last
	for _, tc := range []struct {
		name string
		req  abci.RequestQuery
		want *types.Error
	}{
		{"unknown path", abci.RequestQuery{Path: "/nothing"}, types.ErrMalformedQuery},
		{"undecodable version request", abci.RequestQuery{Path: types.QueryPathVersion, Data: []byte{0xff, 0xff}}, types.ErrMalformedQuery},
		{"proof of a non-state path", abci.RequestQuery{Path: types.QueryPathDID, Data: []byte("did:custos:x"), Prove: true}, types.ErrMalformedQuery},
		{"bad DID", abci.RequestQuery{Path: types.QueryPathDID, Data: []byte("did:custos:0")}, types.ErrInvalidDID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := a.Query(context.Background(), &tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Code != tc.want.Code || res.Codespace != types.Codespace {
				t.Fatalf("code %d (%s), want %d (%s): %s", res.Code, res.Codespace, tc.want.Code, tc.want.Name, res.Log)
			}
		})
	}
}
