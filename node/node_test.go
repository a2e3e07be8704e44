package node_test

import (
	"net"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/libs/log"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/node"
	"github.com/custos-ledger/custos/node/nodetest"
)

func TestStartFailsOnBusyRPCPort(t *testing.T) {
	home := nodetest.Home(t)
	cfg, err := node.LoadConfig(home, node.Overrides{})
	require.NoError(t, err)
	busy, err := net.Listen("tcp", strings.TrimPrefix(cfg.RPC.ListenAddress, "tcp://"))
	require.NoError(t, err)
	defer busy.Close()

	n, err := node.New(cfg, log.NewNopLogger())
	require.NoError(t, err)
	err = n.Start()
	require.ErrorContains(t, err, "another process uses the RPC or P2P address")
	require.Equal(t, err, n.Stop(), "Stop after a failed Start returns the Start error")
	require.ErrorContains(t, n.Start(), "Start called twice or after Stop")
}

func TestStopWithoutStart(t *testing.T) {
	cfg, err := node.LoadConfig(nodetest.Home(t), node.Overrides{})
	require.NoError(t, err)
	n, err := node.New(cfg, log.NewNopLogger())
	require.NoError(t, err)
	require.NoError(t, n.Stop())
	require.NoError(t, n.Stop())
}

func TestNewRequiresInitializedHome(t *testing.T) {
	home := nodetest.Home(t)
	cfg, err := node.LoadConfig(home, node.Overrides{})
	require.NoError(t, err)
	cfg.Genesis = "config/missing.json"
	_, err = node.New(cfg, log.NewNopLogger())
	require.ErrorContains(t, err, "missing.json: run `custos init --home "+home+"` first")
}

func TestNewLogger(t *testing.T) {
	cfg, err := node.LoadConfig(nodetest.Home(t), node.Overrides{LogLevel: "consensus:debug,*:error"})
	require.NoError(t, err)
	var b strings.Builder
	logger, err := node.NewLogger(cfg, &b)
	require.NoError(t, err)
	logger.Info("hidden")
	logger.Error("shown")
	require.NotContains(t, b.String(), "hidden")
	require.Contains(t, b.String(), "shown")

	cfg.LogLevel = "loud"
	_, err = node.NewLogger(cfg, &b)
	require.ErrorContains(t, err, `invalid log level "loud"`)
}
