package verify

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cometbft/cometbft/light/provider"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// NodeState is what a node did for one verified answer.
type NodeState string

const (
	// NodeAgreed: the witness served the very header the answer is
	// checked against.
	NodeAgreed NodeState = "agreed"
	// NodeUnreachable: the node did not answer its status request.
	NodeUnreachable NodeState = "unreachable"
	// NodeBehind: the witness answered, but had not reached the header the
	// answer is checked against within Config.WitnessWait.
	NodeBehind NodeState = "behind"
)

// NodeReport says what one node other than the primary did for an answer.
type NodeReport struct {
	Addr  string    `json:"addr"`
	State NodeState `json:"state"`
	// LatestHeight is the latest height the node reported (0 when
	// unreachable).
	LatestHeight int64 `json:"latestHeight,omitempty"`
	// Err is why an unreachable node is counted so.
	Err string `json:"error,omitempty"`
}

// node is one RPC address the client talks to.
type node struct {
	addr     string
	rpc      *rpchttp.HTTP
	provider provider.Provider
}

// newNode makes a client of addr; its provider is made once the chain is
// known.
func newNode(addr string) (*node, error) {
	remote := addr
	if !strings.Contains(remote, "://") {
		remote = "http://" + remote
	}
	c, err := rpchttp.New(remote, "/websocket")
	if err != nil {
		return nil, err
	}
	return &node{addr: addr, rpc: c}, nil
}

// status is a node's answer to /status, or why there is none.
type status struct {
	chainID string
	latest  int64
	err     error
}

// probe asks every node for its status at once, each within timeout.
func probe(ctx context.Context, nodes []*node, timeout time.Duration) []status {
	out := make([]status, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			st, err := n.rpc.Status(pctx)
			if err != nil {
				out[i] = status{err: err}
				return
			}
			out[i] = status{chainID: st.NodeInfo.Network, latest: st.SyncInfo.LatestBlockHeight}
		}()
	}
	wg.Wait()
	return out
}

// unreachable describes why a node did not answer, in a few words.
func unreachable(err error) string {
	msg := err.Error()
	for _, s := range []string{"connection refused", "no such host", "i/o timeout", "context deadline exceeded", "connection reset"} {
		if strings.Contains(msg, s) {
			return s
		}
	}
	return printable(msg)
}

// printable escapes what is not printable text in s (control characters,
// invalid UTF-8): a node's words are not written raw to a terminal.
func printable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
