package commands_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/cmd/custos/commands"
	"github.com/custos-ledger/custos/internal/testutil"
	"github.com/custos-ledger/custos/node/nodetest"
	"github.com/custos-ledger/custos/resolver"
)

// resolve and history through the HTTP resolver give what they give
// through the node's ABCI queries.
func TestResolveThroughResolver(t *testing.T) {
	cliEnv(t)
	n := nodetest.Start(t, nodetest.Home(t))
	c := nodetest.Client(t, n)
	nodetest.WaitForHeight(t, c, 1, 30*time.Second)
	t.Setenv(commands.NodeEnv, n.Config().RPC.ListenAddress)
	cfg := resolver.DefaultConfig()
	cfg.ListenAddr = fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	srv, err := resolver.New(cfg, resolver.NewLocalSource(n.App().Store(), nil), nil)
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	t.Cleanup(func() { require.NoError(t, srv.Shutdown(context.Background())) })
	base := "http://" + cfg.ListenAddr

	ok(t, "keys", "add", "http-a")
	ok(t, "keys", "add", "http-b")
	did := tx(t, "did", "create", "--key", "http-a").DID
	tx(t, "did", "rotate", did, "--key-id", "key-1", "--new-key", "http-b")

	for _, args := range [][]string{{did}, {did, "--version-id", "1"}} {
		viaNode := ok(t, append(append([]string{"resolve"}, args...), "-o", "json")...)
		viaResolver := ok(t, append(append([]string{"resolve"}, args...), "-o", "json", "--resolver", base)...)
		require.JSONEq(t, viaNode, viaResolver, "resolve %v", args)
	}
	require.JSONEq(t, ok(t, "history", did, "-o", "json"), ok(t, "history", did, "-o", "json", "--resolver", base))

	// The environment sets it too; a DID it does not know is named.
	t.Setenv(commands.ResolverEnv, base)
	fails(t, []string{"resolve", "did:custos:1111111111111111"}, "did_not_found")
	fails(t, []string{"resolve", did, "--resolver", "ftp://x"}, "invalid --resolver")
}
