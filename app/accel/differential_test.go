package accel_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/app/accel"
	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// workload is what the differential test runs through a node: at each
// height, first-time checks of the block's txs and of pending txs (checked,
// never put in a block), then the block, then a recheck of every tx of the
// workload.
type workload struct {
	blocks  [][][]byte
	pending [][][]byte // pending[i]: checked before block i+1, never in a block
}

func (w workload) all() [][]byte {
	var out [][]byte
	for i := range w.blocks {
		out = append(append(out, w.blocks[i]...), w.pending[i]...)
	}
	return out
}

// differentialWorkload is the golden blocks followed by blocks in which a
// guardian's tx waits in the mempool while the guardian rotates its key:
// the guardian's tx no longer applies, though its target's head has not
// changed. The last pending tx is that guardian's tx.
func differentialWorkload(t *testing.T) workload {
	blocks, _ := didtest.GoldenBlocks()
	w := workload{blocks: blocks, pending: make([][][]byte, len(blocks))}

	chain := didtest.GoldenChain
	key := func(name string) ed25519.PrivateKey { return didtest.KeyIn("differential", name) }
	e1, g1, g2, r1 := key("e1"), key("g1"), key("g2"), key("r1")
	idE, createE, err := txbuild.Create(chain, txbuild.SimpleDocument("key-1", didtest.Pub(e1)), "owner")
	require.NoError(t, err)
	idG, createG, err := txbuild.Create(chain, txbuild.SimpleDocument("key-1", didtest.Pub(g1)), "guardian")
	require.NoError(t, err)
	sign := func(body types.TxBody, s ...txbuild.Signer) []byte {
		tx, err := txbuild.Sign(body, s...)
		require.NoError(t, err)
		return tx
	}
	sE := txbuild.NewSigner(idE, "key-1", e1)
	sG, sG2 := txbuild.NewSigner(idG, "key-1", g1), txbuild.NewSigner(idG, "key-1", g2)
	day := int64(24 * 60 * 60)
	pendingRecovery := sign(txbuild.RecoveryInitiate(chain, idE, 1, 1, idG, []types.VerificationMethod{{Id: "r1", PublicKey: didtest.Pub(r1).Multicodec()}}, 1, nil),
		sG, txbuild.NewSigner(idE, "r1", r1))
	extra := []struct{ block, pending [][]byte }{
		{block: [][]byte{sign(createE, sE), sign(createG, sG)}},
		{block: [][]byte{sign(txbuild.SetGuardians(chain, idE, 1, 0, []types.ID{idG}, 1, day), sE)}},
		{block: [][]byte{sign(txbuild.Rotate(chain, idG, 1, "key-1", didtest.Pub(g2)), sG, sG2)}, pending: [][]byte{pendingRecovery}},
		{},
	}
	for _, x := range extra {
		w.blocks = append(w.blocks, x.block)
		w.pending = append(w.pending, x.pending)
	}
	return w
}

// runNode runs w through a fresh app whose accelerations are cfg, as a node
// does (first-time checks through the app's client, a proposal prepared and
// processed, the block finalized and committed, then rechecks), and returns
// one line per answer: codes, logs, events, app hashes.
func runNode(t *testing.T, cfg accel.Config, w workload) []string {
	t.Helper()
	acfg := app.DefaultConfig(t.TempDir())
	acfg.Accel = cfg
	a, err := app.New(acfg)
	require.NoError(t, err)
	defer a.Close()
	ctx := context.Background()
	state, err := json.Marshal(app.DefaultGenesisState())
	require.NoError(t, err)
	_, err = a.InitChain(ctx, &abci.RequestInitChain{ChainId: didtest.GoldenChain, AppStateBytes: state, InitialHeight: 1})
	require.NoError(t, err)
	cli, err := a.ClientCreator().NewABCIClient()
	require.NoError(t, err)
	cli.SetResponseCallback(func(*abci.Request, *abci.Response) {}) // as the mempool does
	defer cli.Stop()                                                //nolint:errcheck // a client never started reports it

	var lines []string
	logf := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	check := func(tx []byte, typ abci.CheckTxType) *abci.ResponseCheckTx {
		res, err := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: tx, Type: typ})
		require.NoError(t, err)
		return res
	}
	all := w.all()
	for i, txs := range w.blocks {
		h := int64(i + 1)
		// First-time checks, as the mempool asks them: queued, then
		// flushed.
		fresh := append(append([][]byte(nil), txs...), w.pending[i]...)
		reqs := make([]*abcicli.ReqRes, len(fresh))
		for j, tx := range fresh {
			reqs[j], err = cli.CheckTxAsync(ctx, &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
			require.NoError(t, err)
		}
		require.NoError(t, cli.Flush(ctx))
		for j, rr := range reqs {
			res := rr.Response.GetCheckTx()
			require.NotNil(t, res, "height %d check %d unanswered", h, j)
			logf("h%d check %d: code %d %q", h, j, res.Code, res.Log)
		}

		prep, err := a.PrepareProposal(ctx, &abci.RequestPrepareProposal{Height: h, Time: didtest.GoldenBlockTime(h), Txs: txs, MaxTxBytes: 1 << 20})
		require.NoError(t, err)
		logf("h%d prepared %d of %d txs: %x", h, len(prep.Txs), len(txs), digest(prep.Txs))
		hash := digest([][]byte{[]byte(fmt.Sprint("block ", h))})
		proc, err := a.ProcessProposal(ctx, &abci.RequestProcessProposal{Height: h, Time: didtest.GoldenBlockTime(h), Txs: txs, Hash: hash})
		require.NoError(t, err)
		logf("h%d proposal %v", h, proc.Status)
		res, err := a.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: h, Time: didtest.GoldenBlockTime(h), Txs: txs, Hash: hash})
		require.NoError(t, err)
		for j, r := range res.TxResults {
			logf("h%d tx %d: %s", h, j, r.String())
		}
		for _, ev := range res.Events {
			logf("h%d event: %s", h, ev.String())
		}
		logf("h%d app hash %x", h, res.AppHash)
		_, err = a.Commit(ctx, &abci.RequestCommit{})
		require.NoError(t, err)

		for j, tx := range all {
			r := check(tx, abci.CheckTxType_Recheck)
			logf("h%d recheck %d: code %d %q", h, j, r.Code, r.Log)
		}
	}
	return lines
}

func digest(txs [][]byte) []byte {
	h := sha256.New()
	for _, tx := range txs {
		s := sha256.Sum256(tx)
		h.Write(s[:])
	}
	return h.Sum(nil)
}

// firstDifference returns the first line where got differs from want, or
// "" when they are the same.
func firstDifference(want, got []string) string {
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			return fmt.Sprintf("line %d\n  all off: %s\n  this:    %s", i, want[i], got[i])
		}
	}
	if len(want) != len(got) {
		return fmt.Sprintf("%d lines, all off %d", len(got), len(want))
	}
	return ""
}

// switches turns each acceleration off alone.
var switches = []struct {
	name string
	off  func(*accel.Config)
}{
	{"signature cache", func(c *accel.Config) { c.SigCache = 0 }},
	{"prewarm", func(c *accel.Config) { c.Prewarm = false }},
	{"parse cache", func(c *accel.Config) { c.ParseCache = 0 }},
	{"version cache", func(c *accel.Config) { c.VersionCache = 0 }},
	{"prime-order cache", func(c *accel.Config) { c.OrderCache = 0 }},
	{"admitted txs", func(c *accel.Config) { c.Admitted = 0 }},
	{"recheck shortcut", func(c *accel.Config) { c.RecheckShortcut = false }},
	{"batched checks", func(c *accel.Config) { c.BatchChecks = false }},
	{"store node cache", func(c *accel.Config) { c.StoreNodeCache = false }},
	{"store view reads", func(c *accel.Config) { c.StoreViewReads = false }},
}

// TestAccelerationsChangeNoResult runs the golden blocks (and a guardian's
// tx left stale in the mempool) through a node with every acceleration on,
// with each one off, and with all off, and requires the same answers:
// checks and rechecks, proposals, tx results and events, app hashes.
func TestAccelerationsChangeNoResult(t *testing.T) {
	w := differentialWorkload(t)
	ref := runNode(t, accel.Config{}, w)
	requireMeaningful(t, ref, w)

	configs := []struct {
		name string
		cfg  accel.Config
	}{{"all on", accel.DefaultConfig()}}
	for _, s := range switches {
		cfg := accel.DefaultConfig()
		s.off(&cfg)
		configs = append(configs, struct {
			name string
			cfg  accel.Config
		}{s.name + " off", cfg})
	}
	for _, tc := range configs {
		t.Run(tc.name, func(t *testing.T) {
			if d := firstDifference(ref, runNode(t, tc.cfg, w)); d != "" {
				t.Fatalf("an acceleration changed a result: %s", d)
			}
		})
	}
}

// requireMeaningful checks that the workload exercises what the wrong
// accelerations below get wrong: the guardian's pending tx is accepted at
// its first check and refused by the recheck after its guardian rotated.
func requireMeaningful(t *testing.T, ref []string, w workload) {
	t.Helper()
	last := len(w.blocks) - 2 // the guardian rotates in the block before the last
	h := last + 1
	idx := len(w.all()) - 1
	first := fmt.Sprintf("h%d check %d: code 0 ", h, len(w.blocks[last]))
	recheck := fmt.Sprintf("h%d recheck %d: code %d ", h, idx, types.ErrBadSignature.Code)
	var sawFirst, sawRecheck bool
	for _, l := range ref {
		sawFirst = sawFirst || len(l) > len(first) && l[:len(first)] == first
		sawRecheck = sawRecheck || len(l) > len(recheck) && l[:len(recheck)] == recheck
	}
	require.True(t, sawFirst, "the guardian's tx was not accepted at its first check")
	require.True(t, sawRecheck, "the guardian's tx was not refused after the guardian rotated")
}

// TestWrongAccelerationIsCaught makes one acceleration wrong on purpose at a
// time and requires the differential test's comparison to catch it.
func TestWrongAccelerationIsCaught(t *testing.T) {
	w := differentialWorkload(t)
	ref := runNode(t, accel.Config{}, w)
	for _, tc := range []struct {
		name string
		cfg  accel.Config
	}{
		{
			name: "signature cache answers for a known key whatever the message",
			cfg:  accel.WithFacts(accel.DefaultConfig(), didtest.TrustingSigs),
		},
		{
			// A DID's later versions read as its first.
			name: "version cache keyed by DID alone",
			cfg:  accel.WithFacts(accel.DefaultConfig(), didtest.LatestVersions),
		},
		{
			// Guardian and recovery operations read more than the head.
			name: "recheck shortcut treats guardian operations as head-only",
			cfg:  accel.WithHeadOnly(accel.DefaultConfig(), func(types.Params, *types.TxBody) bool { return true }),
		},
		{
			name: "parse cache keyed by the tx's first 48 bytes",
			cfg:  accel.WithFacts(accel.DefaultConfig(), didtest.PrefixParses),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := firstDifference(ref, runNode(t, tc.cfg, w))
			require.NotEmpty(t, d, "the wrong acceleration went unnoticed")
			t.Logf("caught at %s", d)
		})
	}
}
