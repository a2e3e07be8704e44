package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// No signed tx is malleable: every tx made from a valid one by flipping
// one bit of one byte, at every position, is refused, with the same code
// by CheckTx and by FinalizeBlock; ProcessProposal rejects exactly the
// mutants refused on their bytes alone; a block of all of them changes
// nothing. The valid txs are an update, a create with an X25519 key, a
// service and a commitment, and a guardian's recovery initiation signed by
// two parties; each is accepted last.
func TestAdversarialMutants(t *testing.T) {
	w := newAdvWorld(t)
	s := ownerWithExtras("mutant-owner")
	wd := newAdvWard(w, "mutant-ward")
	w.commitOK(s.Create())
	vms, nk := proposedKey("mutant-ward/new")
	doc := withX25519(didtest.MofN(advChain, "mutant-create", 1, 2).Doc, "enc", "mutant-create/enc")
	doc.Services = []types.Service{svcOf("svc", "LinkedDomains", "https://example.com/mutant")}
	doc.NextKeys = txbuild.Commitment(1, didtest.PubOf("mutant-create/next"))
	created := didtest.New(advChain, doc, didtest.MofN(advChain, "mutant-create", 1, 2).Keys)
	valid := []struct {
		name string
		tx   []byte
	}{
		{"update", didtest.Sign(serviceUpdate(s, 1, "svc"), s.Signer("k1"))},
		{"create", created.Create()},
		{"recovery initiate", wd.initiate(wd.g1, vms, 1, nil, wd.pop("r1", nk))},
	}
	var mutants [][]byte
	var proposalRejected int
	codes := map[string]int{}
	for _, v := range valid {
		before := w.state()
		for i := range v.tx {
			for _, bit := range []byte{0x01, 0x80} {
				m := append([]byte(nil), v.tx...)
				m[i] ^= bit
				chk := w.checkTx(m)
				require.NotZero(t, chk.Code, "%s with byte %d ^ %#x was accepted by CheckTx", v.name, i, bit)
				want := types.ErrorByCode(chk.Code)
				require.NotNil(t, want, "%s with byte %d ^ %#x: unregistered code %d", v.name, i, bit, chk.Code)
				rejected := w.processProposal([][]byte{m})
				require.Equal(t, proposalRejects(advCase{tx: m, want: want}), rejected, "%s with byte %d ^ %#x (%s): ProcessProposal", v.name, i, bit, chk.Log)
				if rejected {
					proposalRejected++
				}
				codes[want.Name]++
				mutants = append(mutants, m)
			}
		}
		w.sameState(before, "the mutants of the %s through CheckTx and ProcessProposal", v.name)
	}
	// A malicious proposer's block of every mutant.
	before := w.state()
	res := w.block(mutants...)
	for i, r := range res.TxResults {
		chk := w.checkTx(mutants[i])
		require.Equal(t, codeName(chk.Code), codeName(r.Code), "mutant %d: FinalizeBlock and CheckTx disagree: %s", i, r.Log)
	}
	w.sameState(before, "the block of every mutant")
	for _, v := range valid {
		w.commitOK(v.tx)
	}
	t.Logf("adversarial mutants: %d one-bit mutants of %d valid txs, all refused by CheckTx and FinalizeBlock, %d by ProcessProposal; by code: %s",
		len(mutants), len(valid), proposalRejected, formatCounts(codes))
}
