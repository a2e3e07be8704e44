package verify_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/libs/log"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/node"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// The package's tests and its example share one real node.
var (
	nodeAddr    string // tcp://127.0.0.1:PORT
	genesisFile string
	chainID     string
	rpc         *rpchttp.HTTP
)

func TestMain(m *testing.M) {
	code, err := runWithNode(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "verify tests:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runWithNode(m *testing.M) (int, error) {
	home, err := os.MkdirTemp("", "custos-verify")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(home)
	ports, err := freePorts(2)
	if err != nil {
		return 0, err
	}
	res, err := node.InitHome(node.InitOptions{Home: home, ChainID: "custos-verify", Moniker: "v", Configure: func(c *cmtcfg.Config) {
		c.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", ports[0])
		c.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", ports[1])
		c.Consensus.TimeoutCommit = 100 * time.Millisecond
	}})
	if err != nil {
		return 0, err
	}
	cfg, err := node.LoadConfig(home, node.Overrides{})
	if err != nil {
		return 0, err
	}
	n, err := node.New(cfg, log.NewNopLogger())
	if err != nil {
		return 0, err
	}
	if err := n.Start(); err != nil {
		return 0, err
	}
	defer n.Stop()
	nodeAddr, genesisFile, chainID = cfg.RPC.ListenAddress, cfg.GenesisFile(), res.ChainID
	rpc, err = rpchttp.New(nodeAddr, "/websocket")
	if err != nil {
		return 0, err
	}
	if err := waitHeight(rpc, 2); err != nil {
		return 0, err
	}
	return m.Run(), nil
}

// freePorts picks ports in [20000, 32000) free on 127.0.0.1.
func freePorts(n int) ([]int, error) {
	var out []int
	for tries := 0; len(out) < n && tries < 1000; tries++ {
		p := 20000 + rand.IntN(12000)
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue
		}
		l.Close()
		out = append(out, p)
	}
	if len(out) < n {
		return nil, fmt.Errorf("no free ports")
	}
	return out, nil
}

func waitHeight(c *rpchttp.HTTP, h int64) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		st, err := c.Status(ctx)
		if err == nil && st.SyncInfo.LatestBlockHeight >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("height %d not reached: %v", h, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// testKey returns the key named name in the verifier tests' domain.
func testKey(name string) ed25519.PrivateKey { return didtest.KeyIn("verify", name) }

func pubOf(k ed25519.PrivateKey) types.PublicKey { return didtest.Pub(k) }

// submit commits a tx through the node and fails on a refusal.
func submit(body types.TxBody, signers ...txbuild.Signer) (int64, error) {
	tx, err := txbuild.Sign(body, signers...)
	if err != nil {
		return 0, err
	}
	res, err := rpc.BroadcastTxCommit(context.Background(), tx)
	if err != nil {
		return 0, err
	}
	if res.CheckTx.Code != 0 || res.TxResult.Code != 0 {
		return 0, fmt.Errorf("refused: %s%s", res.CheckTx.Log, res.TxResult.Log)
	}
	return res.Height, nil
}

// createDID registers a one-key DID named name and returns the height it
// committed at.
func createDID(name string) (types.ID, ed25519.PrivateKey, int64, error) {
	k := testKey(name)
	id, body, err := txbuild.Create(chainID, txbuild.SimpleDocument("key-1", pubOf(k)), "")
	if err != nil {
		return types.ID{}, nil, 0, err
	}
	h, err := submit(body, txbuild.NewSigner(id, "key-1", k))
	return id, k, h, err
}
