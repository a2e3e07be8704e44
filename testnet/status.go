package testnet

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// NodeStatus is what one node says about itself.
type NodeStatus struct {
	Name     string `json:"name"`
	Role     Role   `json:"role"`
	RPC      string `json:"rpc"`
	Resolver string `json:"resolver"`
	// Up reports that the RPC answered /status; Error says why not.
	Up    bool   `json:"up"`
	Error string `json:"error,omitempty"`
	// Height and AppHash are the latest committed block's (hex AppHash).
	Height     int64  `json:"height"`
	AppHash    string `json:"app_hash"`
	CatchingUp bool   `json:"catching_up"`
	// Peers are the monikers of the connected peers, sorted.
	Peers []string `json:"peers"`
	// ResolverUp reports that the resolver's /healthz answered 200.
	ResolverUp bool `json:"resolver_up"`
}

// Status asks every node of t, in parallel, for its status, each within
// timeout. A node that does not answer is reported down, not an error.
func Status(ctx context.Context, t Testnet, timeout time.Duration) []NodeStatus {
	out := make([]NodeStatus, len(t.Nodes))
	var wg sync.WaitGroup
	for i, n := range t.Nodes {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			out[i] = nodeStatus(ctx, t.ChainID, n)
		})
	}
	wg.Wait()
	return out
}

func nodeStatus(ctx context.Context, chainID string, n Node) NodeStatus {
	s := NodeStatus{Name: n.Name, Role: n.Role, RPC: n.RPC, Resolver: n.Resolver, Peers: []string{}}
	s.ResolverUp = healthy(ctx, "http://"+n.Resolver+"/healthz")
	c, err := rpchttp.New(n.RPC, "/websocket")
	if err != nil {
		s.Error = err.Error()
		return s
	}
	st, err := c.Status(ctx)
	if err != nil {
		s.Error = err.Error()
		return s
	}
	// Another process may hold the port: only this testnet's node counts.
	if got := string(st.NodeInfo.ID()); st.NodeInfo.Network != chainID || got != n.NodeID {
		s.Error = fmt.Sprintf("the node answering at %s is %s of chain %q, not %s (%s) of chain %q",
			n.RPC, got, st.NodeInfo.Network, n.Name, n.NodeID, chainID)
		return s
	}
	s.Up = true
	s.Height = st.SyncInfo.LatestBlockHeight
	s.AppHash = st.SyncInfo.LatestAppHash.String()
	s.CatchingUp = st.SyncInfo.CatchingUp
	ni, err := c.NetInfo(ctx)
	if err != nil {
		s.Error = "net_info: " + err.Error()
		return s
	}
	for _, p := range ni.Peers {
		s.Peers = append(s.Peers, p.NodeInfo.Moniker)
	}
	slices.Sort(s.Peers)
	return s
}

func healthy(ctx context.Context, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	return res.StatusCode == http.StatusOK
}

// WriteStatus writes statuses as a text table.
func WriteStatus(w io.Writer, statuses []NodeStatus) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tHEIGHT\tAPP HASH\tPEERS\tRPC\tRESOLVER")
	for _, s := range statuses {
		resolver := s.Resolver + " (down)"
		if s.ResolverUp {
			resolver = s.Resolver + " (up)"
		}
		if !s.Up {
			fmt.Fprintf(tw, "%s\t%s\tdown\t-\t-\t%s\t%s\n", s.Name, s.Role, s.RPC, resolver)
			continue
		}
		height := fmt.Sprint(s.Height)
		if s.CatchingUp {
			height += " (catching up)"
		}
		peers := strings.Join(s.Peers, ",")
		if peers == "" {
			peers = "none"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Role, height, s.AppHash, peers, s.RPC, resolver)
	}
	return tw.Flush()
}
