package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// A block holding the same tx more than once: ProcessProposal rejects it,
// PrepareProposal keeps one copy, and when a malicious proposer's block
// executes anyway, the first copy gets its result and every other copy
// duplicate_tx, changing nothing: the state is that of one copy.
func TestAdversarialSameTxTwiceInBlock(t *testing.T) {
	w := newAdvWorld(t)
	s := didtest.Single(advChain, "twice")
	other := didtest.Single(advChain, "twice-other")
	w.commitOK(s.Create())
	update := didtest.Sign(serviceUpdate(s, 1, "svc"), s.Signer("k1"))
	refused := didtest.Sign(serviceUpdate(s, 1, "svc"), txbuild.NewSigner(s.ID, "k1", didtest.Key("thief")))
	tests := []struct {
		name  string
		block [][]byte
		codes []*types.Error // nil: accepted
	}{
		{name: "a refused tx twice", block: [][]byte{refused, refused}, codes: []*types.Error{types.ErrBadSignature, types.ErrDuplicateTx}},
		{name: "an update twice", block: [][]byte{update, update}, codes: []*types.Error{nil, types.ErrDuplicateTx}},
		{name: "a create three times", block: [][]byte{other.Create(), other.Create(), other.Create()}, codes: []*types.Error{nil, types.ErrDuplicateTx, types.ErrDuplicateTx}},
		{name: "a replay of a committed tx, twice", block: [][]byte{update, update}, codes: []*types.Error{types.ErrStaleVersion, types.ErrDuplicateTx}},
	}
	for _, tc := range tests {
		require.True(t, w.processProposal(tc.block), "%s: ProcessProposal accepted the block", tc.name)
		require.Len(t, w.prepareProposal(tc.block), 1, "%s: PrepareProposal keeps one copy", tc.name)
		before := w.state()
		res := w.block(tc.block...)
		for i, r := range res.TxResults {
			want := "ok"
			if tc.codes[i] != nil {
				want = tc.codes[i].Name
			}
			require.Equal(t, want, codeName(r.Code), "%s: tx %d: %s", tc.name, i, r.Log)
		}
		if tc.codes[0] != nil { // nothing applied
			w.sameState(before, "%s", tc.name)
		}
	}
	requireVersion(t, w, s.ID, 2) // the update applied once
	requireVersion(t, w, other.ID, 1)
}
