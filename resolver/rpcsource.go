package resolver

import (
	"context"
	"errors"
	"fmt"

	rpcclient "github.com/cometbft/cometbft/rpc/client"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/custos-ledger/custos/x/did/types"
)

// RPCSource reads the state of any node through its RPC: ABCI queries of
// /state, every one of a request at the same height.
type RPCSource struct {
	addr   string
	client *rpchttp.HTTP
}

// NewRPCSource reads the node whose RPC listens at addr, e.g.
// "tcp://127.0.0.1:26657" or "http://node.example:26657".
func NewRPCSource(addr string) (*RPCSource, error) {
	c, err := rpchttp.New(addr, "/websocket")
	if err != nil {
		return nil, fmt.Errorf("resolver: node RPC address %q: %w", addr, err)
	}
	return &RPCSource{addr: addr, client: c}, nil
}

// Name implements Source.
func (s *RPCSource) Name() string { return s.addr }

// View implements Source. The view's height is pinned by its first read:
// the node answers that read at its latest committed height, and every
// later read asks for that height.
func (s *RPCSource) View(ctx context.Context) (View, error) {
	return &rpcView{ctx: ctx, c: s.client}, nil
}

type rpcView struct {
	ctx    context.Context
	c      *rpchttp.HTTP
	height int64
}

// errNode marks a failure of the node or of the way to it.
type errNode struct{ err error }

func (e errNode) Error() string { return "resolver: node: " + e.err.Error() }
func (e errNode) Unwrap() error { return e.err }

func (v *rpcView) Get(key []byte) ([]byte, error) {
	res, err := v.c.ABCIQueryWithOptions(v.ctx, types.QueryPathState, key, rpcclient.ABCIQueryOptions{Height: v.height})
	if err != nil {
		return nil, errNode{err}
	}
	r := res.Response
	if r.Code != 0 {
		if r.Height == 0 && v.height == 0 {
			return nil, ErrNoState
		}
		return nil, errNode{fmt.Errorf("query at height %d: code %d (%s): %s", v.height, r.Code, r.Codespace, r.Log)}
	}
	if v.height == 0 {
		if r.Height <= 0 {
			return nil, errNode{errors.New("the node answered a query without a height")}
		}
		v.height = r.Height
	}
	if len(r.Value) == 0 {
		return nil, nil // state values are never empty
	}
	return r.Value, nil
}

func (v *rpcView) Height() (int64, error) {
	if v.height == 0 {
		// Nothing read yet: the chain id pins the height.
		if _, err := v.Get(types.ChainIDKey()); err != nil {
			return 0, err
		}
	}
	return v.height, nil
}

func (v *rpcView) BlockTime() (int64, bool, error) {
	h, err := v.Height()
	if err != nil {
		return 0, false, err
	}
	res, err := v.c.Header(v.ctx, &h)
	if err != nil {
		return 0, false, errNode{err}
	}
	if res.Header == nil {
		return 0, false, nil
	}
	return res.Header.Time.Unix(), true, nil
}

func (v *rpcView) Close() {}
