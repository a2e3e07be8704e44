package node_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/cometbft/cometbft/libs/log"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/testutil"
	"github.com/custos-ledger/custos/node"
	"github.com/custos-ledger/custos/node/nodetest"
	"github.com/custos-ledger/custos/resolver"
)

func resolverConfig(t *testing.T) resolver.Config {
	cfg := resolver.DefaultConfig()
	cfg.ListenAddr = fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	return cfg
}

// TestNodeServesResolver starts a node with its resolver, reads /healthz
// until it reports a height, and requires Stop to release the address.
func TestNodeServesResolver(t *testing.T) {
	cfg, err := node.LoadConfig(nodetest.Home(t), node.Overrides{})
	require.NoError(t, err)
	rcfg := resolverConfig(t)
	n, err := node.New(cfg, log.NewNopLogger(), node.WithResolver(rcfg, false))
	require.NoError(t, err)
	require.NoError(t, n.Start())
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = n.Stop()
		}
	})
	require.Equal(t, rcfg.ListenAddr, n.ResolverAddr())

	client := &http.Client{Timeout: 5 * time.Second}
	require.Eventually(t, func() bool {
		res, err := client.Get("http://" + rcfg.ListenAddr + resolver.PathHealth)
		if err != nil {
			return false
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode == http.StatusOK && len(body) > 0
	}, 30*time.Second, 50*time.Millisecond, "the resolver never reported committed state")

	require.NoError(t, n.Stop())
	stopped = true
	ln, err := net.Listen("tcp", rcfg.ListenAddr)
	require.NoError(t, err, "Stop must release the resolver's address")
	require.NoError(t, ln.Close())
}

// TestNodeResolverBusyAddress: an address given explicitly must be free; a
// default one (bestEffort) that is taken leaves the node running without a
// resolver.
func TestNodeResolverBusyAddress(t *testing.T) {
	rcfg := resolverConfig(t)
	busy, err := net.Listen("tcp", rcfg.ListenAddr)
	require.NoError(t, err)
	defer busy.Close()

	cfg, err := node.LoadConfig(nodetest.Home(t), node.Overrides{})
	require.NoError(t, err)
	n, err := node.New(cfg, log.NewNopLogger(), node.WithResolver(rcfg, false))
	require.NoError(t, err)
	err = n.Start()
	require.ErrorContains(t, err, "--resolver.laddr")
	require.Equal(t, err, n.Stop())

	cfg, err = node.LoadConfig(nodetest.Home(t), node.Overrides{})
	require.NoError(t, err)
	n, err = node.New(cfg, log.NewNopLogger(), node.WithResolver(rcfg, true))
	require.NoError(t, err)
	require.NoError(t, n.Start())
	require.Empty(t, n.ResolverAddr())
	require.NoError(t, n.Stop())
}

func TestNodeResolverBadConfig(t *testing.T) {
	cfg, err := node.LoadConfig(nodetest.Home(t), node.Overrides{})
	require.NoError(t, err)
	rcfg := resolver.DefaultConfig()
	rcfg.ListenAddr = "nowhere"
	_, err = node.New(cfg, log.NewNopLogger(), node.WithResolver(rcfg, false))
	require.ErrorContains(t, err, "listen address")
}
