package keeper_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// execMeasured runs tx in a block of its own with a block write budget,
// and returns the tx's write estimate (keeper.Proposal, from the committed
// state) and what its execution took from the budget.
func (e *env) execMeasured(tx []byte) (estimate, used int64, err error) {
	e.t.Helper()
	p := e.k.NewProposal(e.db, testChain)
	require.NoError(e.t, p.Add(tx))
	blk := e.nextBlock()
	blk.Writes = keeper.NewWriteBudget(keeper.MaxBlockWriteBytes)
	e.height++
	_, err = e.k.BeginBlock(e.db.Pending(), blk)
	require.NoError(e.t, err)
	before := blk.Writes.Used()
	_, err = e.k.Execute(e.db.Pending(), blk, tx)
	used = blk.Writes.Used() - before
	_, cerr := e.db.Commit(e.height)
	require.NoError(e.t, cerr)
	return p.Writes(), used, err
}

// The write estimate a proposer and every node compute for a tx is at
// least what the tx then writes, for each kind of operation: honest blocks
// built to the estimate's bound never meet block_write_limit.
func TestWriteEstimateCoversHonestOps(t *testing.T) {
	w := newWorld(t, nil)
	doc := w.current(w.owner).Document
	doc.Id = ""
	doc.VerificationMethods = append(doc.VerificationMethods, vm("enc", xpub("enc")))
	doc.KeyAgreement = []string{"enc"}
	for i := 0; i < 10; i++ {
		doc.Services = append(doc.Services, types.Service{Id: fmt.Sprintf("s%d", i), Type: "LinkedDomains", Endpoint: "https://example.com/" + strings.Repeat("x", 900)})
	}
	big := w.controlled(1, "b1")
	big.Services = doc.Services
	bigID, bigCreate, err := txbuild.Create(testChain, big, "")
	require.NoError(t, err)
	steps := []struct {
		name string
		tx   func() []byte
	}{
		{"create with services", func() []byte { return w.sign(bigCreate, as(bigID, w.fk("b1"))...) }},
		{"update adding services", func() []byte {
			return w.sign(txbuild.Update(testChain, w.owner, w.version(), doc), w.ownerSigner())
		}},
		{"rotate", func() []byte {
			return w.sign(txbuild.Rotate(testChain, w.owner, w.version(), "enc", xpub("enc2")), w.ownerSigner())
		}},
		{"set guardians (a change, scheduled)", func() []byte {
			return w.sign(txbuild.SetGuardians(testChain, w.owner, w.version(), w.rev(), w.guardians, 1, testDelay), w.ownerSigner())
		}},
		{"recovery initiate", func() []byte {
			return w.sign(txbuild.RecoveryInitiate(testChain, w.owner, w.version(), w.nextRID(), w.guardians[0],
				[]types.VerificationMethod{vm("r1", pub(key("r1")))}, 1, nil), w.gSigner(0), txbuild.NewSigner(w.owner, "r1", key("r1")))
		}},
		{"recovery approve", func() []byte {
			return w.sign(txbuild.RecoveryApprove(testChain, w.owner, w.version(), w.guardians[1], w.pending()[0].Id), w.gSigner(1))
		}},
		{"revoke", func() []byte {
			return w.sign(txbuild.Revoke(testChain, w.owner, w.version(), "enc", types.REVOCATION_REASON_RETIRED, 0), w.ownerSigner())
		}},
		{"deactivate", func() []byte {
			return w.sign(txbuild.Deactivate(testChain, w.guardians[2], w.head(w.guardians[2]).Version), w.gSigner(2))
		}},
	}
	for _, s := range steps {
		est, used, err := w.execMeasured(s.tx())
		require.NoError(t, err, s.name)
		t.Logf("%-36s estimate %6d, wrote %6d", s.name, est, used)
		require.Positive(t, used, s.name)
		require.GreaterOrEqual(t, est, used, s.name)
	}
}

// A tx whose writes do not fit in what the block may still write is
// refused with block_write_limit, writes nothing and takes nothing from
// the budget; with room it takes exactly what it writes.
func TestBlockWriteLimit(t *testing.T) {
	e := newEnv(t)
	k := key("full")
	id, body, err := txbuild.Create(testChain, txbuild.SimpleDocument("key-1", pub(k)), "")
	require.NoError(t, err)
	tx := e.sign(body, txbuild.NewSigner(id, "key-1", k))

	blk := e.nextBlock()
	blk.Writes = keeper.NewWriteBudget(300)
	root := e.db.PendingRoot()
	_, err = e.k.Execute(e.db.Pending(), blk, tx)
	require.ErrorIs(t, err, types.ErrBlockWriteLimit)
	require.Equal(t, int64(300), blk.Writes.Left(), "a refused tx takes nothing")
	require.Equal(t, root, e.db.PendingRoot(), "a refused tx writes nothing")
	size, entries := e.db.PendingCommitSize() // the store's own records only

	blk.Writes = keeper.NewWriteBudget(keeper.MaxBlockWriteBytes)
	_, err = e.k.Execute(e.db.Pending(), blk, tx)
	require.NoError(t, err)
	size2, entries2 := e.db.PendingCommitSize()
	// writeCost counts each entry's key and value and 128 bytes; badger
	// counts "s/", the key, the value and 12 bytes.
	n := entries2 - entries
	require.Positive(t, n)
	require.Equal(t, blk.Writes.Used()-n*keeper.EntryOverhead, size2-size-n*(2+12))
}
