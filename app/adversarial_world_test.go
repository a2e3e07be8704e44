package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/app/accel"
	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// advWorld is an App with a base state built by committed blocks.
type advWorld struct {
	t      *testing.T
	a      *app.App
	height int64

	// The base state: three guardian candidates, a deactivated DID, and
	// a DID whose document is near the tx size limit.
	guardians [3]*didtest.DID
	dead      *didtest.DID
	big       *didtest.DID

	// blocks records every block executed, with what it gave.
	blocks []advBlock
}

// advBlock is an executed block: its txs, each tx's code, the app hash.
type advBlock struct {
	txs     [][]byte
	codes   []uint32
	appHash []byte
}

// advBlockTime is the time of block h: one second apart. Recoveries and
// guardian changes are never due within the run (their delay is a day).
func advBlockTime(h int64) time.Time { return time.Unix(1_700_000_000+h, 0).UTC() }

// advGenesis is the default genesis with a ten-year recovery expiry, so
// that CheckTx, which runs at the wall clock's time, does not find the
// recoveries the blocks (at 2023's times) started expired.
func advGenesis(t *testing.T) []byte {
	g := app.DefaultGenesisState()
	g.Params.RecoveryExpiry = (10 * 366 * 24 * time.Hour).String()
	b, err := json.Marshal(g)
	require.NoError(t, err)
	return b
}

func newAdvWorld(t *testing.T) *advWorld {
	a, err := app.New(app.DefaultConfig(t.TempDir()))
	require.NoError(t, err)
	t.Cleanup(func() { a.Close() })
	_, err = a.InitChain(context.Background(), &abci.RequestInitChain{ChainId: advChain, AppStateBytes: advGenesis(t), InitialHeight: 1})
	require.NoError(t, err)
	w := &advWorld{t: t, a: a}
	for i := range w.guardians {
		w.guardians[i] = didtest.Single(advChain, fmt.Sprintf("guardian-%d", i+1))
	}
	w.dead = didtest.Single(advChain, "dead")
	w.big = advBigDID()
	w.commitOK(w.guardians[0].Create(), w.guardians[1].Create(), w.guardians[2].Create(), w.dead.Create(), w.big.Create())
	w.commitOK(didtest.Sign(txbuild.Deactivate(advChain, w.dead.ID, 1), w.dead.Signer("k1")))
	require.True(t, w.processProposal([][]byte{{0}}), "ProcessProposal accepted a block of garbage")
	return w
}

// advBigDID has a document of about 14 KB: its key, 8 keyAgreement keys and
// 12 services of 1,000-byte endpoints.
func advBigDID() *didtest.DID {
	d := didtest.Single(advChain, "big")
	doc := d.Doc
	for i := 0; i < 8; i++ {
		f := fmt.Sprintf("x%d", i)
		doc.VerificationMethods = append(doc.VerificationMethods, types.VerificationMethod{Id: f, PublicKey: didtest.X25519("big/" + f).Multicodec()})
		doc.KeyAgreement = append(doc.KeyAgreement, f)
	}
	for i := 0; i < 12; i++ {
		ep := fmt.Sprintf("https://big.example/%d/", i)
		ep += strings.Repeat("a", 1000-len(ep))
		doc.Services = append(doc.Services, types.Service{Id: fmt.Sprintf("s%d", i), Type: "LinkedDomains", Endpoint: ep})
	}
	return didtest.New(advChain, doc, d.Keys)
}

// block finalizes txs as the next height and commits it.
func (w *advWorld) block(txs ...[]byte) *abci.ResponseFinalizeBlock {
	w.t.Helper()
	w.height++
	res, err := w.a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: w.height, Time: advBlockTime(w.height), Txs: txs})
	require.NoError(w.t, err, "height %d: FinalizeBlock failed (a node fault, not a tx refusal)", w.height)
	require.Len(w.t, res.TxResults, len(txs))
	_, err = w.a.Commit(context.Background(), &abci.RequestCommit{})
	require.NoError(w.t, err, "height %d: Commit failed", w.height)
	b := advBlock{txs: txs, appHash: res.AppHash}
	for _, r := range res.TxResults {
		b.codes = append(b.codes, r.Code)
	}
	w.blocks = append(w.blocks, b)
	return res
}

// replayWithoutCaches executes the world's blocks again on a fresh app
// that runs no acceleration (accel.Config{}), and which never saw the txs in CheckTx or
// ProcessProposal: every tx must get the same code and every height the
// same app hash. Caches may change cost, never a result.
func (w *advWorld) replayWithoutCaches(t *testing.T) {
	cfg := app.DefaultConfig(t.TempDir())
	cfg.Accel = accel.Config{}
	a, err := app.New(cfg)
	require.NoError(t, err)
	defer a.Close()
	ctx := context.Background()
	_, err = a.InitChain(ctx, &abci.RequestInitChain{ChainId: advChain, AppStateBytes: advGenesis(t), InitialHeight: 1})
	require.NoError(t, err)
	for i, b := range w.blocks {
		h := int64(i + 1)
		res, err := a.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: h, Time: advBlockTime(h), Txs: b.txs})
		require.NoError(t, err)
		for j, r := range res.TxResults {
			require.Equal(t, codeName(b.codes[j]), codeName(r.Code), "height %d tx %d: %s", h, j, r.Log)
		}
		require.Equal(t, b.appHash, res.AppHash, "height %d", h)
		_, err = a.Commit(ctx, &abci.RequestCommit{})
		require.NoError(t, err)
	}
	hits, _ := a.SigCacheStats()
	require.Zero(t, hits, "the signature cache was off")
}

// commitOK commits a block in which every tx must be accepted.
func (w *advWorld) commitOK(txs ...[]byte) {
	w.t.Helper()
	res := w.block(txs...)
	for i, r := range res.TxResults {
		require.Zero(w.t, r.Code, "setup block %d tx %d: %s", w.height, i, r.Log)
	}
}

// version returns the current version of id (0: not registered).
func (w *advWorld) version(id types.ID) uint64 {
	h, err := keeper.GetHead(w.a.Store(), id)
	require.NoError(w.t, err)
	if h == nil {
		return 0
	}
	return h.Version
}

// document returns the current document of id.
func (w *advWorld) document(id types.ID) types.Document {
	_, rec, err := keeper.Resolve(w.a.Store(), id)
	require.NoError(w.t, err)
	require.NotNil(w.t, rec, "%s is not registered", id)
	return rec.Document
}

// The bodies of guardian and recovery operations are built here, and only
// here, from raw strings (so that a case can name an invalid DID) and from
// the world's state: what the operation names besides the version (the
// guardian state's revision, the next recovery id).

// guardiansBody is the owner's set-guardians body for id.
func (w *advWorld) guardiansBody(id types.ID, version uint64, guardians []string, threshold uint32, delay int64) types.TxBody {
	return types.TxBody{ChainId: advChain, Did: id.String(), ExpectedVersion: version,
		Operation: &types.TxBody_SetGuardians{SetGuardians: &types.SetGuardiansOp{Guardians: guardians, Threshold: threshold, Delay: delay,
			ExpectedRevision: w.guardianRevision(id)}}}
}

// initiateBody is guardian's initiation of a recovery of id to the
// proposed keys.
func (w *advWorld) initiateBody(id types.ID, version uint64, guardian string, keys []types.VerificationMethod, threshold uint32, next *types.NextKeys) types.TxBody {
	return types.TxBody{ChainId: advChain, Did: id.String(), ExpectedVersion: version,
		Operation: &types.TxBody_RecoveryInitiate{RecoveryInitiate: &types.RecoveryInitiateOp{
			Guardian: guardian, NewKeys: keys, Threshold: threshold, NextKeys: next, RecoveryId: w.nextRecoveryID(id)}}}
}

// guardianRevision is the revision of id's guardian state, which a
// set-guardians names.
func (w *advWorld) guardianRevision(id types.ID) uint64 {
	gs, err := keeper.GetGuardians(w.a.Store(), id)
	require.NoError(w.t, err)
	if gs == nil {
		return 0
	}
	return gs.Revision
}

// nextRecoveryID is the id id's next recovery gets, which an initiation
// names.
func (w *advWorld) nextRecoveryID(id types.ID) uint64 {
	rs, err := keeper.GetRecoveries(w.a.Store(), id)
	require.NoError(w.t, err)
	if rs == nil {
		return 1
	}
	return rs.NextId + 1
}

// approveBody is guardian's approval of recovery rid of id.
func (w *advWorld) approveBody(id types.ID, version uint64, guardian string, rid uint64) types.TxBody {
	return types.TxBody{ChainId: advChain, Did: id.String(), ExpectedVersion: version,
		Operation: &types.TxBody_RecoveryApprove{RecoveryApprove: &types.RecoveryApproveOp{Guardian: guardian, RecoveryId: rid}}}
}

// cancelBody is a cancel vote on recovery rid of id: by guardian, or by the
// owner when guardian is empty.
func (w *advWorld) cancelBody(id types.ID, version uint64, guardian string, rid uint64) types.TxBody {
	return types.TxBody{ChainId: advChain, Did: id.String(), ExpectedVersion: version,
		Operation: &types.TxBody_RecoveryCancel{RecoveryCancel: &types.RecoveryCancelOp{Guardian: guardian, RecoveryId: rid}}}
}

// idStrings returns the DIDs of ds as strings.
func idStrings(ds ...*didtest.DID) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID.String()
	}
	return out
}

// requireVersion requires id to be at version v.
func requireVersion(t *testing.T, w *advWorld, id types.ID, v uint64) {
	t.Helper()
	require.Equal(t, v, w.version(id), "version of %s", id)
}

// advState is what a refused tx must leave as it was: the app hash of the
// last commit and a digest of every entry of the flat state (tree entries
// and the versions and history entries kept out of the tree).
type advState struct {
	height  int64
	appHash string
	flat    [32]byte
	entries int
}

func (w *advWorld) state() advState {
	w.t.Helper()
	c := w.a.Store().LastCommit()
	h := sha256.New()
	n := 0
	err := w.a.Store().PendingScan(nil, func(k, v []byte) bool {
		fmt.Fprintf(h, "%d:%x=%d:%x;", len(k), k, len(v), v)
		n++
		return true
	})
	require.NoError(w.t, err)
	s := advState{height: c.Height, appHash: fmt.Sprintf("%x", c.AppHash), entries: n}
	copy(s.flat[:], h.Sum(nil))
	return s
}

// sameState requires the state to be before's but for the height.
func (w *advWorld) sameState(before advState, format string, args ...any) {
	w.t.Helper()
	after := w.state()
	what := fmt.Sprintf(format, args...)
	require.Equal(w.t, before.appHash, after.appHash, "%s: the app hash changed", what)
	require.Equal(w.t, before.entries, after.entries, "%s: the number of state entries changed", what)
	require.Equal(w.t, before.flat, after.flat, "%s: a state entry changed", what)
}

func (w *advWorld) checkTx(tx []byte) *abci.ResponseCheckTx {
	res, err := w.a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
	require.NoError(w.t, err)
	return res
}

func (w *advWorld) processProposal(txs [][]byte) bool {
	w.t.Helper()
	h := w.height + 1
	res, err := w.a.ProcessProposal(context.Background(), &abci.RequestProcessProposal{Txs: txs, Height: h, Time: advBlockTime(h)})
	require.NoError(w.t, err, "ProcessProposal failed (a node fault, not a rejection)")
	require.NotEqual(w.t, abci.ResponseProcessProposal_UNKNOWN, res.Status)
	return res.Status == abci.ResponseProcessProposal_REJECT
}

func (w *advWorld) prepareProposal(txs [][]byte) [][]byte {
	w.t.Helper()
	h := w.height + 1
	res, err := w.a.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{Txs: txs, MaxTxBytes: 4 << 20, Height: h, Time: advBlockTime(h)})
	require.NoError(w.t, err)
	return res.Txs
}
