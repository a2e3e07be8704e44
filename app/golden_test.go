package app_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

const goldenChain = didtest.GoldenChain

// goldenAppHash is the app hash after goldenBlocks. It changes only when the
// state layout, the encoding or the rules change: such a change is a
// consensus break and needs a new AppVersion.
const goldenAppHash = "042addc81d6ba48e2a6ded8c47ce72ddf79db57478c5b4934d8eea54532dfafd" // AppVersion 5 (layout 5)

// seedKey returns the key named name in the golden blocks' domain.
func seedKey(name string) ed25519.PrivateKey { return didtest.GoldenKey(name) }

func pubOf(k ed25519.PrivateKey) types.PublicKey { return didtest.Pub(k) }

// goldenBlocks returns the golden block sequence (didtest.GoldenBlocks).
func goldenBlocks(testing.TB) ([][][]byte, [][]uint32) { return didtest.GoldenBlocks() }

func newApp(t testing.TB, dir string) *app.App {
	a, err := app.New(app.DefaultConfig(dir))
	require.NoError(t, err)
	return a
}

// finalizeOK finalizes txs as block height, at block time 1_700_000_000 +
// height, and requires every tx to succeed.
func finalizeOK(tb testing.TB, a *app.App, height int64, txs [][]byte) {
	tb.Helper()
	res, err := a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: height, Time: time.Unix(1_700_000_000+height, 0), Txs: txs})
	require.NoError(tb, err)
	for _, r := range res.TxResults {
		require.Zero(tb, r.Code, r.Log)
	}
}

// commitOK is finalizeOK followed by Commit.
func commitOK(tb testing.TB, a *app.App, height int64, txs [][]byte) {
	tb.Helper()
	finalizeOK(tb, a, height, txs)
	_, err := a.Commit(context.Background(), &abci.RequestCommit{})
	require.NoError(tb, err)
}

func initChain(t testing.TB, a *app.App) []byte {
	state, err := json.Marshal(app.DefaultGenesisState())
	require.NoError(t, err)
	res, err := a.InitChain(context.Background(), &abci.RequestInitChain{ChainId: goldenChain, AppStateBytes: state, InitialHeight: 1})
	require.NoError(t, err)
	return res.AppHash
}

// runBlocks finalizes and commits blocks from height 1, at block times one
// second apart, and returns the app hash of each height.
func runBlocks(t testing.TB, a *app.App, blocks [][][]byte, codes [][]uint32) []string {
	return runBlocksFrom(t, a, 1, blocks, codes)
}

// blockTime is the time of golden block h (didtest.GoldenBlockTime).
func blockTime(h int64) time.Time { return didtest.GoldenBlockTime(h) }

func TestGoldenAppHash(t *testing.T) {
	blocks, codes := goldenBlocks(t)
	a := newApp(t, t.TempDir())
	defer a.Close()
	initChain(t, a)
	hashes := runBlocks(t, a, blocks, codes)
	require.Equal(t, goldenAppHash, hashes[len(hashes)-1], "the golden app hash changed: a consensus break")
}

// TestGoldenRecoveryExecutes checks that the last golden block ran the
// recovery: B's controller is the proposed key.
func TestGoldenRecoveryExecutes(t *testing.T) {
	blocks, codes := goldenBlocks(t)
	a := newApp(t, t.TempDir())
	defer a.Close()
	initChain(t, a)
	runBlocks(t, a, blocks[:len(blocks)-1], codes[:len(codes)-1])
	res, err := a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: int64(len(blocks)), Time: blockTime(int64(len(blocks)))})
	require.NoError(t, err)
	require.Len(t, res.Events, 1)
	require.Equal(t, app.EventType, res.Events[0].Type)
	ops := map[string]string{}
	for _, at := range res.Events[0].Attributes {
		ops[at.Key] = at.Value
	}
	require.Equal(t, "recoveryExecuted", ops["operation"])
	require.Equal(t, "4", ops["version"])
}

func TestDeterministicAcrossNodes(t *testing.T) {
	blocks, codes := goldenBlocks(t)
	var runs [2][]string
	for i := range runs {
		a := newApp(t, t.TempDir())
		initChain(t, a)
		runs[i] = runBlocks(t, a, blocks, codes)
		require.NoError(t, a.Close())
	}
	require.Equal(t, runs[0], runs[1])
	// every block that changed state changed the app hash
	for i := 1; i < len(runs[0]); i++ {
		require.NotEqual(t, runs[0][i-1], runs[0][i], "height %d", i+1)
	}
}

func TestRestartReportsLastCommit(t *testing.T) {
	blocks, codes := goldenBlocks(t)
	dir := t.TempDir()
	a := newApp(t, dir)
	initChain(t, a)
	hashes := runBlocks(t, a, blocks[:3], codes[:3])
	require.NoError(t, a.Close())

	// a block finalized but never committed is lost on restart, and replaying
	// it gives the same hash as on a node that never stopped.
	b := newApp(t, dir)
	info, err := b.Info(context.Background(), &abci.RequestInfo{})
	require.NoError(t, err)
	require.Equal(t, int64(3), info.LastBlockHeight)
	require.Equal(t, hashes[2], hex.EncodeToString(info.LastBlockAppHash))
	require.Equal(t, goldenChain, b.ChainID())
	_, err = b.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: 4, Time: blockTime(4), Txs: blocks[3]})
	require.NoError(t, err)
	require.NoError(t, b.Close()) // crash before Commit

	c := newApp(t, dir)
	defer c.Close()
	info, err = c.Info(context.Background(), &abci.RequestInfo{})
	require.NoError(t, err)
	require.Equal(t, int64(3), info.LastBlockHeight)
	rest := runBlocksFrom(t, c, 4, blocks[3:], codes[3:])

	ref := newApp(t, t.TempDir())
	defer ref.Close()
	initChain(t, ref)
	want := runBlocks(t, ref, blocks, codes)
	require.Equal(t, want[3:], rest)
}

func runBlocksFrom(t testing.TB, a *app.App, from int64, blocks [][][]byte, codes [][]uint32) []string {
	ctx := context.Background()
	var hashes []string
	for i, txs := range blocks {
		h := from + int64(i)
		res, err := a.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: h, Time: blockTime(h), Txs: txs})
		require.NoError(t, err)
		require.Len(t, res.TxResults, len(txs))
		for j, r := range res.TxResults {
			require.Equal(t, codes[i][j], r.Code, "block %d tx %d: %s", h, j, r.Log)
		}
		_, err = a.Commit(ctx, &abci.RequestCommit{})
		require.NoError(t, err)
		hashes = append(hashes, hex.EncodeToString(res.AppHash))
	}
	return hashes
}

// Versions and history entries are read from the latest state at every
// height, but a query of an earlier height sees only those its head
// counts: a version made later is not found there, plain or proved.
func TestQueryAtHeightSeesOnlyItsVersions(t *testing.T) {
	blocks, codes := goldenBlocks(t)
	a := newApp(t, t.TempDir())
	defer a.Close()
	initChain(t, a)
	runBlocks(t, a, blocks, codes)
	idA, _, err := txbuild.Create(goldenChain, txbuild.SimpleDocument("key-1", pubOf(seedKey("a1"))), "alice")
	require.NoError(t, err)
	ctx := context.Background()
	last := int64(len(blocks))
	seen := map[uint64]bool{}
	for h := int64(1); h < last; h++ {
		res, err := a.Query(ctx, &abci.RequestQuery{Path: types.QueryPathDID, Data: []byte(idA.String()), Height: h})
		require.NoError(t, err)
		require.Zero(t, res.Code, res.Log)
		var did types.QueryDIDResponse
		require.NoError(t, did.Unmarshal(res.Value))
		v := did.Head.Version
		seen[v] = true
		for _, tc := range []struct {
			version uint64
			present bool
		}{{v, true}, {v + 1, false}} {
			q := types.QueryVersionRequest{Did: idA.String(), Version: tc.version}
			data, err := q.Marshal()
			require.NoError(t, err)
			res, err := a.Query(ctx, &abci.RequestQuery{Path: types.QueryPathVersion, Data: data, Height: h})
			require.NoError(t, err)
			require.Equal(t, tc.present, res.Code == 0, "version %d at height %d: %s", tc.version, h, res.Log)
			for _, prove := range []bool{false, true} {
				res, err = a.Query(ctx, &abci.RequestQuery{Path: types.QueryPathState, Data: types.VersionKey(idA, tc.version), Height: h, Prove: prove})
				require.NoError(t, err)
				require.Zero(t, res.Code, res.Log)
				require.Equal(t, tc.present, len(res.Value) > 0, "state of version %d at height %d (proved %v)", tc.version, h, prove)
			}
		}
	}
	require.Len(t, seen, 3, "the golden blocks give A three versions before the last height")
}
