package resolver

import (
	"context"
	"errors"
	"time"

	"github.com/custos-ledger/custos/store"
	"github.com/custos-ledger/custos/x/did/types"
)

// Source gives read views of a node's committed state.
type Source interface {
	// View opens a view of the latest committed state. ctx bounds the
	// view's reads. The caller closes the view.
	View(ctx context.Context) (View, error)
	// Name says where the state comes from, for /healthz ("local" or the
	// node's RPC address).
	Name() string
}

// View is committed state at one height. Get returns nil for a key that
// has no value; its keys are the state keys of x/did/types (keys.go).
type View interface {
	Get(key []byte) ([]byte, error)
	// Height is the committed height every Get of the view reads.
	Height() (int64, error)
	// BlockTime is the time of the block at Height, in Unix seconds; ok
	// is false when the source cannot tell.
	BlockTime() (unix int64, ok bool, err error)
	Close()
}

// ErrNoState means the node has not committed any state yet.
var ErrNoState = errors.New("resolver: the node has no committed state yet")

// BlockTimeFunc returns the time of the block at a height, ok false when
// it is not known.
type BlockTimeFunc func(height int64) (t time.Time, ok bool)

// LocalSource reads a store in the same process: a node's own state.
type LocalSource struct {
	db        *store.DB
	blockTime BlockTimeFunc
}

// NewLocalSource reads db. blockTime, which may be nil, tells the time of a
// committed block (a node passes its block store's).
func NewLocalSource(db *store.DB, blockTime BlockTimeFunc) *LocalSource {
	return &LocalSource{db: db, blockTime: blockTime}
}

// Name implements Source.
func (*LocalSource) Name() string { return "local" }

// View implements Source with a store snapshot.
func (s *LocalSource) View(context.Context) (View, error) {
	snap, err := s.db.Snapshot()
	if err != nil {
		return nil, err
	}
	return &localView{snap: snap, blockTime: s.blockTime}, nil
}

type localView struct {
	snap      *store.Snapshot
	blockTime BlockTimeFunc
}

func (v *localView) Get(key []byte) ([]byte, error) { return v.snap.Get(key) }

func (v *localView) Height() (int64, error) {
	h := v.snap.Commit().Height
	if h == 0 {
		return 0, ErrNoState
	}
	return h, nil
}

func (v *localView) BlockTime() (int64, bool, error) {
	h := v.snap.Commit().Height
	if v.blockTime == nil || h == 0 {
		return 0, false, nil
	}
	t, ok := v.blockTime(h)
	if !ok {
		return 0, false, nil
	}
	return t.Unix(), true, nil
}

func (v *localView) Close() { v.snap.Close() }

// chainID reads the chain id recorded at genesis.
func chainID(v View) (string, error) {
	b, err := v.Get(types.ChainIDKey())
	if err != nil {
		return "", err
	}
	if b == nil {
		return "", ErrNoState
	}
	return string(b), nil
}
