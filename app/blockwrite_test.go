package app_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// floodDID is a DID whose document is about 14 KB: an Ed25519 controller,
// an X25519 keyAgreement key and 15 services of 900-byte endpoints.
type floodDID struct {
	id  types.ID
	key ed25519.PrivateKey
}

func x25519Of(t testing.TB, label string, i int) types.PublicKey {
	s := sha256.Sum256([]byte(fmt.Sprintf("custos x25519 %s %d", label, i)))
	pk, err := types.NewX25519(s[:])
	require.NoError(t, err)
	return pk
}

// floodDIDs returns the signed creates of n big DIDs.
func floodDIDs(t testing.TB, n int) ([]floodDID, [][]byte) {
	dids := make([]floodDID, n)
	txs := make([][]byte, n)
	for i := range dids {
		var seed [32]byte
		binary.BigEndian.PutUint64(seed[:], uint64(i))
		s := sha256.Sum256(append([]byte("big"), seed[:]...))
		k := ed25519.NewKeyFromSeed(s[:])
		doc := txbuild.SimpleDocument("key-1", pubOf(k))
		doc.VerificationMethods = append(doc.VerificationMethods, types.VerificationMethod{Id: "enc", PublicKey: x25519Of(t, "big", i).Multicodec()})
		doc.KeyAgreement = []string{"enc"}
		for j := 0; j < 15; j++ {
			doc.Services = append(doc.Services, types.Service{Id: fmt.Sprintf("s%02d", j), Type: "LinkedDomains",
				Endpoint: "https://example.com/" + strings.Repeat("x", 880)})
		}
		id, body, err := txbuild.Create(goldenChain, doc, "")
		require.NoError(t, err)
		txs[i], err = txbuild.Sign(body, txbuild.NewSigner(id, "key-1", k))
		require.NoError(t, err)
		require.Less(t, len(txs[i]), 16*1024)
		dids[i] = floodDID{id: id, key: k}
	}
	return dids, txs
}

// floodRotations returns, for each DID, a rotation of its X25519 key
// from version[i] (1 when version is nil): a change that needs one
// signature and no proof of possession, about 200 bytes that rewrite the
// whole 14 KB document as a new version.
func floodRotations(t testing.TB, dids []floodDID, label string, version []uint64) [][]byte {
	txs := make([][]byte, len(dids))
	for i, d := range dids {
		v := uint64(1)
		if version != nil {
			v = version[i]
		}
		var err error
		txs[i], err = txbuild.Sign(txbuild.Rotate(goldenChain, d.id, v, "enc", x25519Of(t, label, i)), txbuild.NewSigner(d.id, "key-1", d.key))
		require.NoError(t, err)
		require.Less(t, len(txs[i]), 260)
	}
	return txs
}

// finalize runs FinalizeBlock for height h at time 1_700_000_000 + h.
func finalize(t testing.TB, a *app.App, h int64, txs [][]byte) *abci.ResponseFinalizeBlock {
	t.Helper()
	res, err := a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: h, Time: time.Unix(1_700_000_000+h, 0), Txs: txs})
	require.NoError(t, err)
	return res
}

// A malicious proposer (or plain spam reaching a proposer) puts 1,500
// rotations of 14 KB documents in one block, about 300 KB of txs that
// would write 22 MB: more than badger takes in one transaction, so without
// the block's write budget the commit would fail on every validator, and
// again at every restart (the block is replayed). The block is fed to FinalizeBlock and Commit directly,
// as a proposer that skips PrepareProposal would: the txs past the block's
// write budget are refused with block_write_limit, and the block commits.
func TestWriteFloodCannotHaltCommit(t *testing.T) {
	dir := t.TempDir()
	a := newApp(t, dir)
	initChain(t, a)
	dids, creates := floodDIDs(t, 1500)
	h := int64(0)
	for len(creates) > 0 {
		n := min(500, len(creates))
		h++
		commitOK(t, a, h, creates[:n])
		creates = creates[n:]
	}

	// An honest proposer keeps what its estimate allows; every node
	// accepts that block, and it executes with no tx refused for room.
	flood := floodRotations(t, dids, "first", nil)
	require.Equal(t, abci.ResponseProcessProposal_REJECT, process(t, a, h+1, flood), "the flood's estimate is over the bound")
	kept := prepare(t, a, h+1, flood)
	require.NotEmpty(t, kept)
	require.Less(t, len(kept), len(flood))
	require.Equal(t, abci.ResponseProcessProposal_ACCEPT, process(t, a, h+1, kept))
	h++
	res := finalize(t, a, h, kept)
	for _, r := range res.TxResults {
		require.Zero(t, r.Code, r.Log)
	}
	honest, _ := a.Store().PendingCommitSize()
	t.Logf("honest block: %d of the %d rotations, commit of %d bytes", len(kept), len(flood), honest)
	_, err := a.Commit(context.Background(), &abci.RequestCommit{})
	require.NoError(t, err)
	versions := make([]uint64, len(dids))
	for i := range versions {
		versions[i] = 1
		if i < len(kept) {
			versions[i] = 2
		}
	}

	// A malicious proposer skips all that and feeds FinalizeBlock the whole
	// flood.
	h++
	res = finalize(t, a, h, floodRotations(t, dids, "second", versions))
	refused := 0
	for i, r := range res.TxResults {
		if r.Code != 0 {
			require.Equal(t, types.ErrBlockWriteLimit.Code, r.Code, "tx %d: %s", i, r.Log)
			refused++
		}
	}
	size, entries := a.Store().PendingCommitSize()
	maxBytes, maxEntries := a.Store().CommitCapacity()
	t.Logf("flood block: %d rotations applied, %d refused as block_write_limit; commit of %d bytes in %d entries (bound %d, badger takes < %d bytes, < %d entries)",
		len(res.TxResults)-refused, refused, size, entries, keeper.MaxBlockWriteBytes, maxBytes, maxEntries)
	require.Positive(t, refused, "the flood exceeds the bound")
	require.LessOrEqual(t, size, int64(keeper.MaxBlockWriteBytes+keeper.CommitReserve))
	_, err = a.Commit(context.Background(), &abci.RequestCommit{})
	require.NoError(t, err, "commit of the flood block")
	require.Equal(t, h, a.Store().LastCommit().Height)

	// A restart finds the committed state.
	last := a.Store().LastCommit()
	require.NoError(t, a.Close())
	a = newApp(t, dir)
	defer a.Close()
	info, err := a.Info(context.Background(), &abci.RequestInfo{})
	require.NoError(t, err)
	require.Equal(t, last.Height, info.LastBlockHeight)
	require.Equal(t, last.AppHash, info.LastBlockAppHash)
}
