package commands

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	rpctypes "github.com/cometbft/cometbft/rpc/jsonrpc/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/custos-ledger/custos/x/did/types"
)

const (
	// NodeEnv names the environment variable that sets --node when the flag
	// is not given.
	NodeEnv = "CUSTOS_NODE"
	// DefaultNode is the RPC address of the node of `custos start`.
	DefaultNode = "http://127.0.0.1:26657"
	// DefaultTimeout bounds each exchange with the node, and the wait for
	// a transaction's block.
	DefaultTimeout = 30 * time.Second
)

// nodeFlags say which node to talk to.
type nodeFlags struct {
	node    string
	chainID string
	timeout time.Duration
}

// register adds --node and --timeout, and --chain-id when signing is
// involved.
func (f *nodeFlags) register(fs *pflag.FlagSet, signs bool) {
	fs.StringVar(&f.node, "node", DefaultNode, "RPC address of a Custos node; the "+NodeEnv+" environment variable sets it too")
	fs.DurationVar(&f.timeout, "timeout", DefaultTimeout, "how long to wait for the node, and for a transaction's block")
	if signs {
		fs.StringVar(&f.chainID, "chain-id", "", "chain id to sign for (default: the node's)")
	}
}

// connect returns a client of the node; it does not contact it yet.
func (f *nodeFlags) connect(cmd *cobra.Command) (*ledger, error) {
	addr := f.node
	if fl := cmd.Flags().Lookup("node"); fl != nil && !fl.Changed {
		if env := os.Getenv(NodeEnv); env != "" {
			addr = env
		}
	}
	addr, err := nodeURL(addr)
	if err != nil {
		return nil, err
	}
	if f.timeout <= 0 {
		return nil, fmt.Errorf("invalid --timeout %s: give a positive duration, e.g. 30s", f.timeout)
	}
	c, err := rpchttp.New(addr, "/websocket")
	if err != nil {
		return nil, fmt.Errorf("invalid --node %q: %v", f.node, err)
	}
	return &ledger{addr: addr, rpc: c, timeout: f.timeout, chainID: f.chainID}, nil
}

// nodeURL checks a --node address and adds http:// when it has no scheme.
func nodeURL(given string) (string, error) {
	addr := given
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	u, err := url.Parse(addr)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "tcp") {
		return "", fmt.Errorf("invalid --node %q: give the node's RPC address, e.g. %s", given, DefaultNode)
	}
	return addr, nil
}

// ledger reads and writes the chain through one node's RPC.
type ledger struct {
	addr    string
	rpc     *rpchttp.HTTP
	timeout time.Duration
	chainID string // --chain-id, or the node's once asked
}

// context bounds one exchange with the node by --timeout.
func (l *ledger) context(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	return context.WithTimeout(cmd.Context(), l.timeout)
}

// nodeError explains a failed RPC call.
func (l *ledger) nodeError(ctx context.Context, err error) error {
	var rpcErr *rpctypes.RPCError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("the node at %s did not answer within --timeout %s: check that it is running and reachable, or wait longer with --timeout", l.addr, l.timeout)
	case errors.As(err, &rpcErr):
		return fmt.Errorf("the node at %s returned an error: %v", l.addr, rpcErr)
	}
	return fmt.Errorf("cannot reach the node at %s (%v): start one with `custos start`, or point --node (or %s) at a running node", l.addr, rootCause(err), NodeEnv)
}

// rootCause drops the wrapping of url and net errors.
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// ChainID returns --chain-id, or else the node's chain id.
func (l *ledger) ChainID(ctx context.Context) (string, error) {
	if l.chainID != "" {
		return l.chainID, nil
	}
	st, err := l.rpc.Status(ctx)
	if err != nil {
		return "", l.nodeError(ctx, err)
	}
	l.chainID = st.NodeInfo.Network
	return l.chainID, nil
}

// query runs an ABCI query at the latest height; a refusal is explained.
func (l *ledger) query(ctx context.Context, path string, data []byte) ([]byte, error) {
	res, err := l.rpc.ABCIQuery(ctx, path, data)
	if err != nil {
		return nil, l.nodeError(ctx, err)
	}
	if r := res.Response; r.Code != 0 {
		return nil, fromABCI(r.Code, r.Codespace, r.Log)
	}
	return res.Response.Value, nil
}

// queryInto runs an ABCI query and decodes its answer into out.
func (l *ledger) queryInto(ctx context.Context, path string, data []byte, out interface{ Unmarshal([]byte) error }) error {
	v, err := l.query(ctx, path, data)
	if err != nil {
		return err
	}
	if err := out.Unmarshal(v); err != nil {
		return fmt.Errorf("the node at %s sent an unreadable answer to %s: %v", l.addr, path, err)
	}
	return nil
}

// Current returns the DID's head and latest version.
func (l *ledger) Current(ctx context.Context, id types.ID) (*types.QueryDIDResponse, error) {
	var out types.QueryDIDResponse
	if err := l.queryInto(ctx, types.QueryPathDID, []byte(id.String()), &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Version returns the DID's head and one of its versions.
func (l *ledger) Version(ctx context.Context, id types.ID, version uint64) (*types.QueryDIDResponse, error) {
	req := types.QueryVersionRequest{Did: id.String(), Version: version}
	data, err := req.Marshal()
	if err != nil {
		return nil, err
	}
	var out types.QueryDIDResponse
	if err := l.queryInto(ctx, types.QueryPathVersion, data, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// History returns the DID's history, oldest first.
func (l *ledger) History(ctx context.Context, id types.ID) ([]types.HistoryEntry, error) {
	var out types.QueryHistoryResponse
	if err := l.queryInto(ctx, types.QueryPathHistory, []byte(id.String()), &out); err != nil {
		return nil, err
	}
	return out.Entries, nil
}

// Params returns the chain's genesis limits. A node that has not
// committed its first block yet (node_unavailable) is asked again until
// ctx ends: callers that price or check a tx by the params must not take
// its silence for a chain without limits.
func (l *ledger) Params(ctx context.Context) (types.Params, error) {
	for {
		var p types.Params
		err := l.queryInto(ctx, types.QueryPathState, types.ParamsKey(), &p)
		if err == nil {
			return p, nil
		}
		var r *refusal
		if !errors.As(err, &r) || r.Name != types.ErrNodeUnavailable.Name {
			return types.Params{}, err
		}
		select {
		case <-ctx.Done():
			return types.Params{}, err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Recovery returns the DID's guardians (and pending change) and its
// pending recoveries.
func (l *ledger) Recovery(ctx context.Context, id types.ID) (*types.QueryRecoveryResponse, error) {
	var out types.QueryRecoveryResponse
	if err := l.queryInto(ctx, types.QueryPathRecovery, []byte(id.String()), &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// stateReader reads raw state keys at the node's latest height, for the
// keeper's read functions (keeper.Reader). An absent key reads as nil.
type stateReader struct {
	l   *ledger
	ctx context.Context
}

// Get returns the value of key, or nil when the state has none.
func (r stateReader) Get(key []byte) ([]byte, error) {
	v, err := r.l.query(r.ctx, types.QueryPathState, key)
	if err != nil || len(v) == 0 {
		return nil, err
	}
	return v, nil
}
