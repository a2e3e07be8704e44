package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/proxy"

	"github.com/custos-ledger/custos/app/accel"
	"github.com/custos-ledger/custos/store"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
	"github.com/custos-ledger/custos/x/network/upgrade"
)

// Version is the application version reported by Info.
const Version = "0.1.0-dev"

// AppVersion is the protocol version of the state machine.
const AppVersion uint64 = 5

// App is the Custos ABCI application.
type App struct {
	abci.BaseApplication
	cfg Config
	db  *store.DB
	// acc is the accelerations: the keeper's facts, prewarming, the
	// recheck shortcut. They change costs, never results.
	acc *accel.Engine

	// Set at InitChain or loaded from state at start.
	chainID string
	// rules is the keeper of the last committed params (nil before
	// InitChain): FinalizeBlock executes a block with the keeper of the
	// state it starts from, and Commit makes a new one when the block
	// changed the params (a governance write-policy change), so the change
	// governs from the next block on (rulesAt).
	rules atomic.Pointer[rules]

	// The block being finalized.
	height int64

	// life lets Close wait for the checks and queries in flight: the
	// node's ABCI client answers queued checks on a worker of its own,
	// which CometBFT does not stop, and an RPC query may still be running,
	// when the node closes the app.
	life   sync.RWMutex
	closed bool

	// upgrades are the migrations this binary knows; halted is closed
	// (with haltErr) when the next height needs one it does not know.
	upgrades *upgrade.Registry
	halted   chan struct{}
	haltErr  error
	haltOnce sync.Once
}

var _ abci.Application = (*App)(nil)

// New opens the application's state under cfg.DataDir.
func New(cfg Config) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	opts := store.DefaultOptions()
	opts.OutOfTree = types.IsLogKey
	opts.KeepRecent = cfg.KeepRecent
	opts.NoNodeCache = !cfg.Accel.StoreNodeCache
	opts.NoViewReads = !cfg.Accel.StoreViewReads
	db, err := store.Open(filepath.Clean(cfg.DataDir), opts)
	if err != nil {
		return nil, err
	}
	if maxBytes, maxEntries := db.CommitCapacity(); maxBytes < keeper.MaxBlockWriteBytes+keeper.CommitReserve ||
		maxEntries < (keeper.MaxBlockWriteBytes+keeper.CommitReserve)/keeper.EntryOverhead {
		db.Close()
		return nil, fmt.Errorf("app: the store commits at most %d bytes in %d entries at once, less than a block may write (%d bytes and %d of reserve)",
			maxBytes, maxEntries, keeper.MaxBlockWriteBytes, keeper.CommitReserve)
	}
	upgrades, err := upgrade.NewRegistry(cfg.Migrations...)
	if err != nil {
		db.Close()
		return nil, err
	}
	a := &App{cfg: cfg, db: db, acc: accel.New(cfg.Accel), upgrades: upgrades, halted: make(chan struct{})}
	if err := a.loadGenesisState(); err != nil {
		db.Close()
		return nil, err
	}
	// A binary that stopped for an upgrade it does not know refuses to
	// start again on that state: it would execute the upgrade's height
	// under the old rules.
	if _, err := a.requiredUpgrade(db, db.LastCommit().Height+1); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

// loadGenesisState reads the chain id and params from committed state, if
// InitChain has been committed.
func (a *App) loadGenesisState() error {
	chainID, err := a.db.Get(types.ChainIDKey())
	if err != nil || chainID == nil {
		return err
	}
	raw, err := a.db.Get(types.ParamsKey())
	if err != nil {
		return err
	}
	var p types.Params
	if err := p.Unmarshal(raw); err != nil {
		return fmt.Errorf("app: corrupt params in state: %w", err)
	}
	a.chainID = string(chainID)
	a.rules.Store(&rules{height: a.db.LastCommit().Height, params: raw, k: keeper.New(p, a.acc.Facts())})
	return nil
}

// rules is the keeper of the params committed at height, and their
// encoding.
type rules struct {
	height int64
	params []byte
	k      *keeper.Keeper
}

// keeper returns the keeper of the last committed params; nil before
// InitChain.
func (a *App) keeper() *keeper.Keeper {
	if r := a.rules.Load(); r != nil {
		return r.k
	}
	return nil
}

// keeperAt returns the keeper of the params in committed state r, read at
// height (a snapshot's): the cached one when it is of that height or r
// holds the same params, else one made of r's params (a snapshot taken
// between a commit that changed the params and the refresh that follows
// it). nil before InitChain.
func (a *App) keeperAt(r keeper.Reader, height int64) (*keeper.Keeper, error) {
	cur := a.rules.Load()
	if cur == nil || cur.height == height {
		return a.keeper(), nil
	}
	raw, err := r.Get(types.ParamsKey())
	if err != nil {
		return nil, err
	}
	if raw == nil || bytes.Equal(raw, cur.params) {
		return cur.k, nil
	}
	var p types.Params
	if err := p.Unmarshal(raw); err != nil {
		return nil, fmt.Errorf("app: corrupt params in state: %w", err)
	}
	return keeper.New(p, a.acc.Facts()), nil
}

// refreshRules makes, after the commit of height, the keeper of the params
// it committed: a new one when the block changed them.
func (a *App) refreshRules(height int64) error {
	raw, err := a.db.Get(types.ParamsKey())
	if err != nil {
		return err
	}
	cur := a.rules.Load()
	if cur != nil && bytes.Equal(raw, cur.params) {
		a.rules.Store(&rules{height: height, params: cur.params, k: cur.k})
		return nil
	}
	var p types.Params
	if err := p.Unmarshal(raw); err != nil {
		return fmt.Errorf("app: corrupt params in state: %w", err)
	}
	if cur != nil {
		a.cfg.Logger.Info("write policy changed", "height", height, "from_height", height+1,
			"policy", p.WritePolicy.String(), "stamp_difficulty", p.StampDifficulty, "endorsers", len(p.Endorsers), "rate_limits", len(p.RateLimits))
	}
	a.rules.Store(&rules{height: height, params: raw, k: keeper.New(p, a.acc.Facts())})
	return nil
}

// Close releases the application's database once the checks and queries
// in flight are done; those that arrive afterwards fail with
// ErrNodeUnavailable.
func (a *App) Close() error {
	a.life.Lock()
	defer a.life.Unlock()
	if a.closed {
		return nil
	}
	a.closed = true
	return a.db.Close()
}

// Store returns the application's state store, for readers in-process.
func (a *App) Store() *store.DB { return a.db }

// ChainID returns the chain id, empty before InitChain.
func (a *App) ChainID() string { return a.chainID }

// SigCacheStats returns the signature cache's hits and fresh verifications.
func (a *App) SigCacheStats() (hits, verified uint64) { return a.acc.SigStats() }

// ClientCreator returns how a node in the same process connects to the
// app: through the client that batches first-time checks
// (accel.BatchedCheckTx) when Config.Accel.BatchChecks is on, else through
// CometBFT's local client with one mutex per connection.
func (a *App) ClientCreator() proxy.ClientCreator {
	if a.cfg.Accel.BatchChecks {
		return accel.BatchedCheckTx(a, accel.Batching{Prepare: a.PrepareCheckTxs, Failed: a.FailedCheck})
	}
	return proxy.NewConnSyncLocalClientCreator(a)
}

// FailedCheck is the answer of a queued check whose CheckTx failed
// (accel.Batching). CheckTx answers every failure itself, so this only
// guards the client.
func (a *App) FailedCheck(err error) *abci.ResponseCheckTx {
	return ResultOf(types.ErrNodeUnavailable.Wrap(err.Error())).CheckTx()
}

// Info reports the last committed height and app hash.
func (a *App) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	c := a.db.LastCommit()
	return &abci.ResponseInfo{
		Data:             "custos",
		Version:          Version,
		AppVersion:       AppVersion,
		LastBlockHeight:  c.Height,
		LastBlockAppHash: c.AppHash,
	}, nil
}

// InitChain records the chain id and the genesis params.
func (a *App) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	g, err := ParseGenesisState(req.AppStateBytes)
	if err != nil {
		return nil, err
	}
	p, err := g.ToParams()
	if err != nil {
		return nil, err
	}
	if req.ChainId == "" {
		return nil, errors.New("app: genesis has an empty chain id")
	}
	raw, err := p.Marshal()
	if err != nil {
		return nil, err
	}
	if err := a.db.PendingSet(types.ChainIDKey(), []byte(req.ChainId)); err != nil {
		return nil, err
	}
	if err := a.db.PendingSet(types.ParamsKey(), raw); err != nil {
		return nil, err
	}
	k := keeper.New(p, a.acc.Facts())
	if err := a.initNetwork(k, req, g); err != nil {
		return nil, err
	}
	a.chainID = req.ChainId
	a.rules.Store(&rules{height: a.db.LastCommit().Height, params: raw, k: k})
	a.cfg.Logger.Info("custos genesis", "chain_id", req.ChainId, "max_tx_bytes", p.MaxTxBytes, "validators", len(req.Validators))
	return &abci.ResponseInitChain{AppHash: a.db.PendingRoot()}, nil
}

// CheckTx admits a tx to the mempool if it would succeed on the last
// committed state, read through one consistent snapshot. It may run
// concurrently with FinalizeBlock, Commit and Query (the node uses one ABCI
// mutex per connection): it touches only committed state and the
// signature cache.
func (a *App) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	a.life.RLock()
	defer a.life.RUnlock()
	if a.closed {
		return ResultOf(types.ErrNodeUnavailable.Wrap("the node is stopping")).CheckTx(), nil
	}
	if a.keeper() == nil {
		return ResultOf(types.ErrNodeUnavailable.Wrap("the chain has not started")).CheckTx(), nil
	}
	snap, err := a.db.Snapshot()
	if err != nil {
		a.cfg.Logger.Error("check tx: store failure", "err", err)
		return ResultOf(types.ErrNodeUnavailable.Wrap(err.Error())).CheckTx(), nil
	}
	defer snap.Close()
	// The params of the snapshot's state: a write-policy change applies
	// to checks from its commit on.
	k, err := a.keeperAt(snap, snap.Commit().Height)
	if err != nil {
		a.cfg.Logger.Error("check tx: store failure", "err", err)
		return ResultOf(types.ErrNodeUnavailable.Wrap(err.Error())).CheckTx(), nil
	}
	if req.Type == abci.CheckTxType_Recheck && a.acc.StillApplies(k, snap, req.Tx) {
		return &abci.ResponseCheckTx{Code: abci.CodeTypeOK}, nil
	}
	blk := keeper.Block{
		ChainID: a.chainID,
		Height:  snap.Commit().Height + 1,
		Time:    time.Now().Unix(),
	}
	_, err = k.Check(snap, blk, req.Tx)
	if err != nil {
		if types.Registered(err) == nil {
			a.cfg.Logger.Error("check tx: store failure", "err", err)
			err = types.ErrNodeUnavailable.Wrap(err.Error())
		}
		return ResultOf(err).CheckTx(), nil
	}
	a.acc.Admit(k, snap, req.Tx)
	return &abci.ResponseCheckTx{Code: abci.CodeTypeOK}, nil
}

// PrepareCheckTxs verifies together the signatures of txs about to be
// checked, whose keys can be known from the committed state or the txs
// themselves, and caches what it found (accel.Engine.PrepareChecks); each
// CheckTx then finds its signatures cached. It decides nothing. The node's
// ABCI client calls it with each batch of first-time checks
// (accel.BatchedCheckTx).
func (a *App) PrepareCheckTxs(txs [][]byte) {
	a.life.RLock()
	defer a.life.RUnlock()
	if a.closed || a.keeper() == nil {
		return
	}
	snap, err := a.db.Snapshot()
	if err != nil {
		return // CheckTx will meet the failure and report it
	}
	defer snap.Close()
	k, err := a.keeperAt(snap, snap.Commit().Height)
	if err != nil {
		return // CheckTx will meet the failure and report it
	}
	a.acc.PrepareChecks(k, snap, txs)
}

// FinalizeBlock executes the block's txs in order against the state being
// built and returns their results and the new app hash.
func (a *App) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	// The keeper of the committed params, for the whole block: a
	// write-policy change a tx of this block makes governs the next one.
	k := a.keeper()
	if k == nil {
		return nil, errors.New("app: FinalizeBlock before InitChain")
	}
	start := time.Now() // for the log line only
	budget := keeper.NewWriteBudget(keeper.MaxBlockWriteBytes)
	blk := keeper.Block{ChainID: a.chainID, Height: req.Height, Time: req.Time.Unix(), Writes: budget}
	st := a.db.Pending()
	// An upgrade due at this height runs first; one this binary does not
	// know stops the block here, before it changes anything.
	blockEvents, err := a.runUpgrade(st, req.Height)
	if err != nil {
		var up *UpgradeRequiredError
		if errors.As(err, &up) {
			a.halt(err) // already done when the height before was committed here
		}
		return nil, err
	}
	timed, err := k.BeginBlock(st, blk)
	if err != nil {
		return nil, fmt.Errorf("app: height %d timed actions: %w", req.Height, err)
	}
	for _, out := range timed {
		blockEvents = append(blockEvents, txEvents(out.DID.String(), out)...)
	}
	// Verify, in batches across the CPUs, the signatures CheckTx has not
	// seen; execution below then finds them cached. Only crypto facts are
	// cached: results do not depend on it. Txs this node's CheckTx accepted
	// had their signatures verified and cached there, so they are skipped
	// (if the cache has forgotten one since, execution verifies it).
	// ProcessProposal did this pass for the block it accepted.
	a.acc.PrepareBlock(k, st, req.Hash, req.Txs)
	results := make([]*abci.ExecTxResult, len(req.Txs))
	var updates []abci.ValidatorUpdate // at most one: keeper's rules
	held := make(map[[32]byte]struct{}, len(req.Txs))
	for i, tx := range req.Txs {
		h := sha256.Sum256(tx)
		if _, dup := held[h]; dup {
			results[i] = ResultOf(types.ErrDuplicateTx.Wrapf("tx %d of the block is the same", i)).ExecTx()
			continue
		}
		held[h] = struct{}{}
		out, err := k.Execute(st, blk, tx)
		if err != nil {
			if types.Registered(err) == nil {
				return nil, fmt.Errorf("app: height %d tx %d: %w", req.Height, i, err)
			}
			a.cfg.Logger.Debug("tx refused", "height", req.Height, "index", i, "err", err)
			results[i] = ResultOf(err).ExecTx()
			continue
		}
		did := out.DID.String()
		results[i] = &abci.ExecTxResult{Code: abci.CodeTypeOK, Data: []byte(did), Events: txEvents(did, out)}
		if u, ok := validatorUpdate(out); ok {
			updates = append(updates, u)
		}
	}
	a.height = req.Height
	appHash := a.db.PendingRoot()
	// Write the block's new tree nodes now rather than in Commit, which
	// CometBFT runs holding the mempool lock (CheckTx waits for it).
	if err := a.db.PersistTree(); err != nil {
		return nil, fmt.Errorf("app: height %d: %w", req.Height, err)
	}
	a.cfg.Logger.Info("block executed", "height", req.Height, "txs", len(req.Txs), "writes", budget.Used(), "took", time.Since(start).Round(time.Millisecond))
	return &abci.ResponseFinalizeBlock{Events: blockEvents, TxResults: results, ValidatorUpdates: updates, AppHash: appHash}, nil
}

// Commit makes the finalized block's state durable.
func (a *App) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	start := time.Now() // for the log line only
	if _, err := a.db.Commit(a.height); err != nil {
		return nil, err
	}
	if err := a.refreshRules(a.height); err != nil {
		return nil, err
	}
	a.cfg.Logger.Info("state committed", "height", a.height, "took", time.Since(start).Round(time.Millisecond))
	a.haltIfUpgradeRequired(a.height)
	return &abci.ResponseCommit{}, nil
}
