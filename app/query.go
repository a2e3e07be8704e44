package app

import (
	"context"
	"errors"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"

	"github.com/custos-ledger/custos/proof"
	"github.com/custos-ledger/custos/proof/prover"
	"github.com/custos-ledger/custos/store"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// Query answers reads of committed state. Like CheckTx, it may run when
// the node is closing the app (an RPC query in flight): Close waits for it,
// and a query after Close fails with ErrNodeUnavailable.
func (a *App) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	a.life.RLock()
	defer a.life.RUnlock()
	if a.closed {
		return ResultOf(types.ErrNodeUnavailable.Wrap("the node is stopping")).Query(req.Height), nil
	}
	last := a.db.LastCommit().Height
	height := req.Height
	if height == 0 {
		height = last
		if req.Prove {
			// The app hash of H is signed in header H+1: the latest
			// provable height is the one before the last.
			height = last - 1
		}
	}
	if height < 1 || height > last {
		return ResultOf(types.ErrNodeUnavailable.Wrapf("height %d is not committed (last is %d)", req.Height, last)).Query(height), nil
	}
	if req.Prove {
		return a.proveState(req.Path, req.Data, height), nil
	}
	r := &heightReader{db: a.db, height: height}
	value, err := a.query(r, req.Path, req.Data)
	if err != nil {
		if types.Registered(err) == nil {
			if errors.Is(err, store.ErrHeightUnavailable) {
				err = types.ErrNodeUnavailable.Wrapf("height %d has been pruned", height)
			} else {
				a.cfg.Logger.Error("query failed", "path", req.Path, "err", err)
				err = types.ErrNodeUnavailable.Wrap("the node could not read its state")
			}
		}
		return ResultOf(err).Query(height), nil
	}
	return &abci.ResponseQuery{Code: abci.CodeTypeOK, Key: req.Data, Value: value, Height: height, Codespace: types.Codespace}, nil
}

func (a *App) query(r keeper.Reader, path string, data []byte) ([]byte, error) {
	switch path {
	case types.QueryPathState:
		return r.Get(data)
	case types.QueryPathDID:
		id, err := types.ParseID(string(data))
		if err != nil {
			return nil, err
		}
		head, rec, err := keeper.Resolve(r, id)
		if err != nil {
			return nil, err
		}
		if head == nil {
			return nil, types.ErrDIDNotFound.Wrapf("%s is not registered", id)
		}
		resp := types.QueryDIDResponse{Head: *head, Record: *rec}
		return resp.Marshal()
	case types.QueryPathVersion:
		var q types.QueryVersionRequest
		if err := q.Unmarshal(data); err != nil {
			return nil, types.ErrMalformedQuery.Wrapf("%s takes an encoded QueryVersionRequest: %v", types.QueryPathVersion, err)
		}
		id, head, err := registered(r, q.Did)
		if err != nil {
			return nil, err
		}
		rec, err := keeper.GetVersion(r, id, q.Version)
		if err != nil {
			return nil, err
		}
		if rec == nil {
			return nil, types.ErrDIDNotFound.Wrapf("%s has no version %d (latest is %d)", id, q.Version, head.Version)
		}
		resp := types.QueryDIDResponse{Head: *head, Record: *rec}
		return resp.Marshal()
	case types.QueryPathRecovery:
		id, _, err := registered(r, string(data))
		if err != nil {
			return nil, err
		}
		var resp types.QueryRecoveryResponse
		if gs, err := keeper.GetGuardians(r, id); err != nil {
			return nil, err
		} else if gs != nil {
			resp.Guardians = *gs
		}
		if rs, err := keeper.GetRecoveries(r, id); err != nil {
			return nil, err
		} else if rs != nil {
			resp.Recoveries = *rs
		}
		return resp.Marshal()
	case types.QueryPathHistory:
		id, err := types.ParseID(string(data))
		if err != nil {
			return nil, err
		}
		entries, err := keeper.GetHistory(r, id)
		if err != nil {
			return nil, err
		}
		if entries == nil {
			return nil, types.ErrDIDNotFound.Wrapf("%s is not registered", id)
		}
		resp := types.QueryHistoryResponse{Entries: entries}
		return resp.Marshal()
	case types.QueryPathValidators:
		return a.queryValidators(r)
	case types.QueryPathUpgrade:
		plan, err := keeper.UpgradePlan(r)
		if err != nil {
			return nil, err
		}
		hist, err := keeper.UpgradeHistory(r)
		if err != nil {
			return nil, err
		}
		resp := types.QueryUpgradeResponse{Plan: plan, Applied: hist.Applied}
		return resp.Marshal()
	}
	return nil, types.ErrMalformedQuery.Wrapf("unknown query path %q; use %s, %s, %s, %s, %s, %s or %s", types.Truncate(path), types.QueryPathDID, types.QueryPathVersion, types.QueryPathHistory, types.QueryPathRecovery, types.QueryPathValidators, types.QueryPathUpgrade, types.QueryPathState)
}

// registered parses did and reads its head; an unregistered DID is the
// named error did_not_found.
func registered(r keeper.Reader, did string) (types.ID, *types.Head, error) {
	id, err := types.ParseID(did)
	if err != nil {
		return types.ID{}, nil, err
	}
	head, err := keeper.GetHead(r, id)
	if err != nil {
		return types.ID{}, nil, err
	}
	if head == nil {
		return types.ID{}, nil, types.ErrDIDNotFound.Wrapf("%s is not registered", id)
	}
	return id, head, nil
}

// heightReader reads committed state as of one height.
type heightReader struct {
	db     *store.DB
	height int64
	// heads are the heads read at an earlier height, by DID: they bound
	// which versions and history entries that height has.
	heads map[types.ID]*types.Head
}

func (h *heightReader) Get(key []byte) ([]byte, error) {
	if isVersion, id, n, ok := types.ParseLogKey(key); ok && h.height != h.db.LastCommit().Height {
		// Kept out of the tree, read from the latest state: it existed at
		// this height if the head of this height counts it.
		head, seen := h.heads[id]
		if !seen {
			var err error
			if head, err = keeper.GetHead(h, id); err != nil {
				return nil, err
			}
			if h.heads == nil {
				h.heads = make(map[types.ID]*types.Head)
			}
			h.heads[id] = head
		}
		if head == nil || !head.HasLogRecord(isVersion, n) {
			return nil, nil
		}
	}
	v, err := h.db.GetAt(h.height, key)
	if err != nil {
		return nil, fmt.Errorf("read at %d: %w", h.height, err)
	}
	return v, nil
}

// proveState answers a proved /state query: the value of a state key at
// height with its ProofOps ("custos:smt:v1", after "custos:log:v1" for a
// version or history entry). The response's Key is the merkle
// key path of the state key, as CometBFT's light/rpc client expects.
func (a *App) proveState(path string, key []byte, height int64) *abci.ResponseQuery {
	if path != types.QueryPathState {
		return ResultOf(types.ErrMalformedQuery.Wrapf("only %s answers with proofs; query each state key there", types.QueryPathState)).Query(height)
	}
	p, err := prover.Prove(a.db, height, key)
	if err != nil {
		if errors.Is(err, store.ErrHeightUnavailable) {
			return ResultOf(types.ErrNodeUnavailable.Wrapf("height %d has been pruned", height)).Query(height)
		}
		a.cfg.Logger.Error("prove failed", "height", height, "err", err)
		return ResultOf(types.ErrNodeUnavailable.Wrap("the node could not prove its state")).Query(height)
	}
	return &abci.ResponseQuery{
		Code: abci.CodeTypeOK, Key: []byte(proof.KeyPath(key)), Value: p.Value, Height: height,
		ProofOps: &cmtcrypto.ProofOps{Ops: p.Ops}, Codespace: types.Codespace,
	}
}
