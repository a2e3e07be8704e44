package app_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"math/rand"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// badSignatureCreates returns n creates of DIDs with 32 signing keys each,
// every signature 64 bytes of noise: well formed, and refused whatever
// the state.
func badSignatureCreates(t testing.TB, n int) [][]byte {
	keys := make([]types.PublicKey, 32)
	for i := range keys {
		keys[i] = pubOf(seedKey(fmt.Sprintf("junk %d", i)))
	}
	rng := rand.New(rand.NewSource(1))
	txs := make([][]byte, n)
	for i := range txs {
		doc := types.Document{Threshold: 1, Services: []types.Service{{Id: "s", Type: "LinkedDomains", Endpoint: fmt.Sprintf("https://example.com/%d", i)}}}
		for j, pk := range keys {
			f := fmt.Sprintf("k%02d", j)
			doc.VerificationMethods = append(doc.VerificationMethods, types.VerificationMethod{Id: f, PublicKey: pk.Multicodec()})
			doc.CapabilityInvocation = append(doc.CapabilityInvocation, f)
		}
		id, body, err := txbuild.Create(goldenChain, doc, "")
		require.NoError(t, err)
		raw, err := body.Marshal()
		require.NoError(t, err)
		tx := types.Tx{Body: raw}
		for j := range keys {
			sig := make([]byte, 64)
			rng.Read(sig)
			tx.Signatures = append(tx.Signatures, types.Signature{VerificationMethod: fmt.Sprintf("%s#k%02d", id, j), Signature: sig})
		}
		txs[i], err = tx.Marshal()
		require.NoError(t, err)
	}
	return txs
}

func randomTxs(n, size int) [][]byte {
	rng := rand.New(rand.NewSource(2))
	txs := make([][]byte, n)
	for i := range txs {
		txs[i] = make([]byte, size)
		rng.Read(txs[i])
	}
	return txs
}

func repeated(tx []byte, n int) [][]byte {
	txs := make([][]byte, n)
	for i := range txs {
		txs[i] = tx
	}
	return txs
}

func process(t testing.TB, a *app.App, h int64, txs [][]byte) abci.ResponseProcessProposal_ProposalStatus {
	t.Helper()
	hash := sha256.Sum256([]byte(fmt.Sprint("block ", h, len(txs))))
	res, err := a.ProcessProposal(context.Background(), &abci.RequestProcessProposal{Height: h, Time: time.Unix(1_700_000_000+h, 0), Txs: txs, Hash: hash[:]})
	require.NoError(t, err)
	return res.Status
}

func prepare(t testing.TB, a *app.App, h int64, txs [][]byte) [][]byte {
	t.Helper()
	var size int64
	for _, tx := range txs {
		size += int64(len(tx))
	}
	res, err := a.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{Height: h, Time: time.Unix(1_700_000_000+h, 0), Txs: txs, MaxTxBytes: size})
	require.NoError(t, err)
	return res.Txs
}

// A byzantine proposer's junk blocks (the shapes seen on a 4-validator
// network: bad-signature creates, random bytes, one tx many times) are
// refused by ProcessProposal, at the price of their first bad chunk of
// signatures at most; PrepareProposal over the same txs keeps only what an
// honest block may hold, and that block is accepted.
func TestProcessProposalRefusesJunk(t *testing.T) {
	a := newApp(t, t.TempDir())
	defer a.Close()
	initChain(t, a)
	good := signedCreates(t, 3, 0)
	tooBig := append(append([]byte(nil), good[0]...), make([]byte, 17*1024)...)
	wrongChain, err := txbuild.Sign(mustCreate(t, "other-chain", 1), txbuild.NewSigner(didOf(t, "other-chain", 1), "key-1", keyN(1)))
	require.NoError(t, err)
	tests := []struct {
		name string
		txs  [][]byte
		keep int    // how many txs PrepareProposal keeps
		code uint32 // the first refusal's code, as CheckTx gives it
		sigs int    // the most signature verifications refusing may cost
	}{
		{name: "1500 bad-signature creates of 32 keys", txs: badSignatureCreates(t, 1500), keep: 0, code: types.ErrBadSignature.Code, sigs: 128 + 31},
		{name: "200 bad-signature creates of 32 keys", txs: badSignatureCreates(t, 200), keep: 0, code: types.ErrBadSignature.Code, sigs: 128 + 31},
		{name: "130 random 16 KiB txs", txs: randomTxs(130, 16*1024), keep: 0, code: types.ErrMalformedTx.Code},
		{name: "one tx 141 times", txs: repeated(good[0], 141), keep: 1},
		{name: "a tx over max_tx_bytes", txs: [][]byte{good[1], tooBig}, keep: 1, code: types.ErrTxTooLarge.Code},
		{name: "a tx for another chain", txs: [][]byte{good[2], wrongChain}, keep: 1, code: types.ErrWrongChainID.Code},
		{name: "junk after good txs", txs: append(append([][]byte(nil), good...), randomTxs(1, 300)[0]), keep: 3, code: types.ErrMalformedTx.Code},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, before := a.SigCacheStats()
			require.Equal(t, abci.ResponseProcessProposal_REJECT, process(t, a, 1, tc.txs))
			_, after := a.SigCacheStats()
			t.Logf("refused after %d signature verifications", after-before)
			require.LessOrEqual(t, int(after-before), tc.sigs, "signatures verified to refuse the block")
			if tc.code != 0 {
				bad := tc.txs[len(tc.txs)-1]
				res, err := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: bad, Type: abci.CheckTxType_New})
				require.NoError(t, err)
				require.Equal(t, tc.code, res.Code, res.Log)
			}
			kept := prepare(t, a, 1, tc.txs)
			require.Len(t, kept, tc.keep)
			if len(kept) > 0 {
				require.Equal(t, abci.ResponseProcessProposal_ACCEPT, process(t, a, int64(100+i), kept))
			}
		})
	}
	// The state is untouched: nothing above executed.
	require.Equal(t, int64(0), a.Store().LastCommit().Height)
}

func keyN(i int) ed25519.PrivateKey { return seedKey(fmt.Sprint("n", i)) }

func mustCreate(t testing.TB, chain string, i int) types.TxBody {
	_, body, err := txbuild.Create(chain, txbuild.SimpleDocument("key-1", pubOf(keyN(i))), "")
	require.NoError(t, err)
	return body
}

func didOf(t testing.TB, chain string, i int) types.ID {
	id, _, err := txbuild.Create(chain, txbuild.SimpleDocument("key-1", pubOf(keyN(i))), "")
	require.NoError(t, err)
	return id
}

// An honest block is accepted and executed with every signature verified
// once on the node: those CheckTx saw not at all again, the others once,
// in ProcessProposal's batch pass, which FinalizeBlock then skips.
func TestProcessProposalVerifiesOnce(t *testing.T) {
	a := newApp(t, t.TempDir())
	defer a.Close()
	initChain(t, a)
	warm, ids := didtest.Creates(goldenChain, "pp", 0, 40)
	commitOK(t, a, 1, warm)
	mix := didtest.Mix(goldenChain, "pp", ids, 0, 40, 80) // 40 creates, 20 rotations, 20 updates
	const sigs = 40 + 2*20 + 20
	_, verified0 := a.SigCacheStats()
	for _, tx := range mix[:40] {
		res, err := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
		require.NoError(t, err)
		require.Zero(t, res.Code, res.Log)
	}
	require.Equal(t, abci.ResponseProcessProposal_ACCEPT, process(t, a, 2, mix))
	_, processed := a.SigCacheStats()
	hash := sha256.Sum256([]byte(fmt.Sprint("block ", 2, len(mix))))
	res, err := a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: 2, Time: time.Unix(1_700_000_002, 0), Txs: mix, Hash: hash[:]})
	require.NoError(t, err)
	for _, r := range res.TxResults {
		require.Zero(t, r.Code, r.Log)
	}
	_, verified := a.SigCacheStats()
	require.Equal(t, processed, verified, "FinalizeBlock verified nothing")
	require.Equal(t, uint64(sigs), verified-verified0, "each signature verified once, by CheckTx or ProcessProposal")
}
