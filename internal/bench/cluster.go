package bench

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/custos-ledger/custos/testnet"
)

// Cluster is a running testnet: one child process per node.
type Cluster struct {
	Net     testnet.Testnet
	Clients []*rpchttp.HTTP
	procs   []*exec.Cmd
	done    []chan struct{}
}

// StartCluster starts every node of net with the command args returns.
func StartCluster(net testnet.Testnet, command func(n testnet.Node) []string) (*Cluster, error) {
	c := &Cluster{Net: net}
	for _, n := range net.Nodes {
		args := command(n)
		logf, err := os.Create(filepath.Join(n.Home, "node.log"))
		if err != nil {
			c.Stop()
			return nil, err
		}
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			logf.Close()
			c.Stop()
			return nil, fmt.Errorf("bench: start %s: %w", n.Name, err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); logf.Close(); close(done) }()
		c.procs, c.done = append(c.procs, cmd), append(c.done, done)
		cl, err := rpchttp.New(n.RPC, "/websocket")
		if err != nil {
			c.Stop()
			return nil, err
		}
		c.Clients = append(c.Clients, cl)
	}
	return c, nil
}

// Stop sends SIGTERM to every node, then SIGKILL to any still running after
// 10s, and waits for them.
func (c *Cluster) Stop() {
	for _, p := range c.procs {
		if p.Process != nil {
			_ = p.Process.Signal(syscall.SIGTERM)
		}
	}
	deadline := time.After(10 * time.Second)
	for i, d := range c.done {
		select {
		case <-d:
		case <-deadline:
			_ = c.procs[i].Process.Signal(syscall.SIGKILL)
			<-d
		}
	}
}

// WaitHeight waits, at most for timeout, until every node reports at least
// height h.
func (c *Cluster) WaitHeight(ctx context.Context, h int64, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for i, cl := range c.Clients {
		for {
			st, err := cl.Status(ctx)
			if err == nil && st.SyncInfo.LatestBlockHeight >= h {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("bench: %s did not reach height %d: %v (log: %s)", c.Net.Nodes[i].Name, h, err,
					filepath.Join(c.Net.Nodes[i].Home, "node.log"))
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	return nil
}

// Height returns the latest height of node 0.
func (c *Cluster) Height(ctx context.Context) (int64, error) {
	st, err := c.Clients[0].Status(ctx)
	if err != nil {
		return 0, err
	}
	return st.SyncInfo.LatestBlockHeight, nil
}

// CPUSeconds returns the user+system CPU time the nodes used so far.
func (c *Cluster) CPUSeconds() float64 {
	var total float64
	for _, p := range c.procs {
		if p.Process == nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.Process.Pid))
		if err != nil {
			continue
		}
		// Fields after the command name (which is in parentheses).
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) < 13 {
			continue
		}
		ut, _ := strconv.ParseFloat(fields[11], 64)
		st, _ := strconv.ParseFloat(fields[12], 64)
		total += (ut + st) / 100 // USER_HZ is 100 on Linux
	}
	return total
}

// WaitDrained waits until every node's mempool is empty.
func (c *Cluster) WaitDrained(ctx context.Context) error {
	for i, cl := range c.Clients {
		for {
			n, err := cl.NumUnconfirmedTxs(ctx)
			if err == nil && n.Total == 0 {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("bench: %s mempool did not drain: %v", c.Net.Nodes[i].Name, err)
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	return nil
}

// Commit gets every tx of txs committed with code 0: it fills the mempools
// with them (Fill), waits for the mempools to drain, reads the blocks
// since it began and sends again whatever is not in them. A tx CheckTx
// accepted can still be dropped: CometBFT checks again that the mempool
// has room when the CheckTx answer arrives, and drops the tx, already
// answered OK, if not. Commit gives up after 5 rounds.
func (c *Cluster) Commit(ctx context.Context, txs [][]byte, conns int) error {
	from, err := c.Height(ctx)
	if err != nil {
		return err
	}
	pending := txs
	for round := 0; round < 5 && len(pending) > 0; round++ {
		if err := Fill(ctx, c.Clients, pending, conns); err != nil {
			return err
		}
		if err := c.WaitDrained(ctx); err != nil {
			return err
		}
		top, err := c.maxHeight(ctx)
		if err != nil {
			return err
		}
		if err := c.WaitHeight(ctx, top, time.Minute); err != nil {
			return err
		}
		done, err := committedTxs(ctx, c.Clients[0], from, top)
		if err != nil {
			return err
		}
		var left [][]byte
		for _, tx := range pending {
			if !done[sha256.Sum256(tx)] {
				left = append(left, tx)
			}
		}
		pending = left
	}
	if len(pending) > 0 {
		return fmt.Errorf("bench: %d of %d txs still not committed after 5 rounds", len(pending), len(txs))
	}
	return nil
}

// committedTxs returns the hashes of the txs committed with code 0 in
// heights [from, to].
func committedTxs(ctx context.Context, c *rpchttp.HTTP, from, to int64) (map[[32]byte]bool, error) {
	out := make(map[[32]byte]bool)
	for h := max(from, 1); h <= to; h++ {
		b, err := c.Block(ctx, &h)
		if err != nil {
			return nil, fmt.Errorf("bench: block %d: %w", h, err)
		}
		ok, err := succeeded(ctx, c, h, b.Block.Txs)
		if err != nil {
			return nil, err
		}
		for _, tx := range ok {
			out[sha256.Sum256(tx)] = true
		}
	}
	return out, nil
}

// maxHeight returns the highest latest height any node reports.
func (c *Cluster) maxHeight(ctx context.Context) (int64, error) {
	var top int64
	for _, cl := range c.Clients {
		st, err := cl.Status(ctx)
		if err != nil {
			return 0, err
		}
		top = max(top, st.SyncInfo.LatestBlockHeight)
	}
	return top, nil
}
