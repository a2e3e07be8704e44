package e2e

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// world drives one chain through its RPC.
type world struct {
	t       *testing.T
	ctx     context.Context
	c       *rpchttp.HTTP
	chainID string
}

// did is a registered DID with its one controller key under "key-1".
type did struct {
	id  types.ID
	key ed25519.PrivateKey
}

func (d did) signer() txbuild.Signer { return txbuild.NewSigner(d.id, "key-1", d.key) }

// mustCommit submits the tx signed by signers and requires it to commit.
func (w *world) mustCommit(body types.TxBody, signers ...txbuild.Signer) int64 {
	w.t.Helper()
	tx, err := txbuild.Sign(body, signers...)
	require.NoError(w.t, err)
	h, code, log, err := commit(w.ctx, w.c, tx)
	require.NoError(w.t, err)
	require.Zero(w.t, code, log)
	return h
}

// refused submits the tx and requires the ledger to refuse it with want.
func (w *world) refused(body types.TxBody, want *types.Error, signers ...txbuild.Signer) {
	w.t.Helper()
	tx, err := txbuild.Sign(body, signers...)
	require.NoError(w.t, err)
	_, code, log, err := commit(w.ctx, w.c, tx)
	require.NoError(w.t, err)
	require.Equal(w.t, want.Code, code, "want %s, got: %s", want.Name, log)
}

// newDID registers a one-key DID; next, if set, is its pre-rotation commitment.
func (w *world) newDID(name string, next *types.NextKeys) did {
	w.t.Helper()
	k := testKey(name)
	doc := txbuild.SimpleDocument("key-1", pubOf(k))
	doc.NextKeys = next
	id, body, err := txbuild.Create(w.chainID, doc, "")
	require.NoError(w.t, err)
	w.mustCommit(body, txbuild.NewSigner(id, "key-1", k))
	return did{id: id, key: k}
}

func (w *world) version(id types.ID) uint64 {
	w.t.Helper()
	got, code := resolve(w.ctx, w.t, w.c, id, 0)
	require.Zero(w.t, code)
	return got.Head.Version
}

func (w *world) controllers(id types.ID) []string {
	w.t.Helper()
	got, code := resolve(w.ctx, w.t, w.c, id, 0)
	require.Zero(w.t, code)
	return got.Record.Document.CapabilityInvocation
}

func (w *world) document(id types.ID) types.Document {
	w.t.Helper()
	got, code := resolve(w.ctx, w.t, w.c, id, 0)
	require.Zero(w.t, code)
	return got.Record.Document
}

func (w *world) recovery(id types.ID) types.QueryRecoveryResponse {
	w.t.Helper()
	res, err := w.c.ABCIQuery(w.ctx, types.QueryPathRecovery, []byte(id.String()))
	require.NoError(w.t, err)
	require.Zero(w.t, res.Response.Code, res.Response.Log)
	var out types.QueryRecoveryResponse
	require.NoError(w.t, out.Unmarshal(res.Response.Value))
	return out
}

// waitBlockTime waits until a block whose time is past unix is committed
// by the app, and returns its height. The RPC's status shows a block once
// CometBFT has stored it, before the app has executed it, so the app's own
// last height (ABCI Info) is what is waited for.
func (w *world) waitBlockTime(unix int64) int64 {
	w.t.Helper()
	var h int64
	for {
		var err error
		if h == 0 {
			var st *coretypes.ResultStatus
			st, err = w.c.Status(w.ctx) // errors while a node restarts: retry
			if err == nil && st.SyncInfo.LatestBlockTime.Unix() >= unix+1 {
				h = st.SyncInfo.LatestBlockHeight
			}
		}
		if h != 0 {
			var info *coretypes.ResultABCIInfo
			info, err = w.c.ABCIInfo(w.ctx)
			if err == nil && info.Response.LastBlockHeight >= h {
				return h
			}
		}
		select {
		case <-w.ctx.Done():
			w.t.Fatalf("block time %d not reached (last error: %v)", unix, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// guarded is an owner with three guardians (threshold 2, delay d seconds).
type guarded struct {
	owner     did
	guardians []did
}

func (w *world) guarded(name string, next *types.NextKeys, delay int64) guarded {
	w.t.Helper()
	g := guarded{owner: w.newDID(name, next)}
	var ids []types.ID
	for i := 0; i < 3; i++ {
		gd := w.newDID(fmt.Sprintf("%s-guardian-%d", name, i), nil)
		g.guardians = append(g.guardians, gd)
		ids = append(ids, gd.id)
	}
	w.mustCommit(txbuild.SetGuardians(w.chainID, g.owner.id, w.version(g.owner.id), w.recovery(g.owner.id).Guardians.Revision, ids, 2, delay), g.owner.signer())
	if gs := w.recovery(g.owner.id).Guardians; gs.Pending != nil {
		// Under a pre-rotation commitment the first set waits out its delay.
		w.waitBlockTime(gs.PendingEffective)
	}
	return g
}

// initiate has guardian i propose newKey under fragment frag.
func (w *world) initiate(g guarded, i int, frag string, newKey ed25519.PrivateKey) uint64 {
	w.t.Helper()
	body := txbuild.RecoveryInitiate(w.chainID, g.owner.id, w.version(g.owner.id), w.recovery(g.owner.id).Recoveries.NextId+1, g.guardians[i].id,
		[]types.VerificationMethod{{Id: frag, PublicKey: pubOf(newKey).Multicodec()}}, 1, nil)
	w.mustCommit(body, g.guardians[i].signer(), txbuild.NewSigner(g.owner.id, frag, newKey))
	rs := w.recovery(g.owner.id).Recoveries
	return rs.Pending[len(rs.Pending)-1].Id
}

func (w *world) approve(g guarded, i int, rid uint64) {
	w.t.Helper()
	w.mustCommit(txbuild.RecoveryApprove(w.chainID, g.owner.id, w.version(g.owner.id), g.guardians[i].id, rid), g.guardians[i].signer())
}
