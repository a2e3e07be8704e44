package commands_test

import (
	"bytes"
	"context"
	be "encoding/binary"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	sm "github.com/cometbft/cometbft/state"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/cmd/custos/commands"
	"github.com/custos-ledger/custos/node"
	"github.com/custos-ledger/custos/node/nodetest"
	"github.com/custos-ledger/custos/resolver"
	"github.com/custos-ledger/custos/store"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// demoUpgrade is the upgrade the upgrade_test_v2 build knows, and the
// state entry its migration writes (app/migrations_upgrade_test_v2.go).
const (
	demoUpgrade    = "test-v2"
	demoUpgradeKey = "n/demo/test-v2"
)

// TestUpgradeSwitch runs a 4-validator network, built by the genesis
// ceremony with a governance key, through a coordinated upgrade: the
// governance DID schedules test-v2 at height H; the three nodes of the
// plain build commit H-1 and exit with status 3, logging "upgrade test-v2
// required at height H"; started again, the plain build refuses at once,
// with the same status; restarted with the upgrade_test_v2 build they run
// the migration at H and the chain goes on past H, with the fourth node,
// which ran that build from the start and never stopped.
func TestUpgradeSwitch(t *testing.T) {
	v1, v2 := custosBinary(t), custosBinaryV2(t)

	cliEnv(t)
	ok(t, "keys", "add", "gov-1")
	govKey := pubKey(t, "gov-1")
	ops := ceremonyNetwork(t, 4, "upgrade-net-1", func(genesis string) {
		ok(t, "genesis", "add-governance-key", govKey, "--genesis", genesis)
	})
	// Three operators run the plain build; the fourth installed the
	// release that knows test-v2 ahead of time.
	procs := make([]*proc, len(ops))
	for i, op := range ops[:3] {
		procs[i] = op.start(t, v1)
	}
	early := ops[3].start(t, v2)
	c := ops[0].client(t)
	nodetest.WaitForHeight(t, c, 2, 60*time.Second)
	t.Setenv(commands.NodeEnv, ops[1].rpc)

	st, err := c.Status(context.Background())
	require.NoError(t, err)
	height := st.SyncInfo.LatestBlockHeight + keeper.MinUpgradeDelay + 10
	out := ok(t, "upgrade", "schedule", "--name", demoUpgrade, "--height", itoa(height), "-o", "json")
	var scheduled struct {
		Operation string `json:"operation"`
		Height    int64  `json:"height"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &scheduled), out)
	require.Equal(t, "scheduleUpgrade", scheduled.Operation)
	shown := ok(t, "upgrade", "show")
	require.Contains(t, shown, "scheduled: "+demoUpgrade+" at height "+itoa(height))
	nodetest.WaitForHeight(t, ops[3].client(t), scheduled.Height, 30*time.Second)
	var served resolver.Upgrade
	getJSON(t, "http://"+ops[3].resolver+resolver.PathUpgrade, &served)
	require.Equal(t, &resolver.UpgradePlan{Name: demoUpgrade, Height: height, ScheduledAt: scheduled.Height}, served.Plan)

	// Every node of the old build stops having committed H-1, not H.
	want := "upgrade " + demoUpgrade + " required at height " + itoa(height)
	for i, p := range procs[:3] {
		require.Equal(t, commands.ExitUpgradeRequired, p.exitCode(t, 90*time.Second), "node %d", i)
		log, err := os.ReadFile(p.log)
		require.NoError(t, err)
		require.Contains(t, string(log), want, "node %d", i)
		require.NotContains(t, string(log), "height="+itoa(height)+" txs=", "node %d executed the upgrade's height", i)
	}

	// Started again, the old build refuses before it does anything.
	for i, op := range ops[:3] {
		cmd := exec.Command(v1, "start", "--home", op.home, "--rpc.laddr", op.rpc, "--p2p.laddr", op.p2p, "--resolver.laddr", "off")
		b, err := cmd.CombinedOutput()
		var exitErr *exec.ExitError
		require.ErrorAs(t, err, &exitErr, "node %d: %s", i, b)
		require.Equal(t, commands.ExitUpgradeRequired, exitErr.ExitCode(), "node %d: %s", i, b)
		require.Contains(t, string(b), want, "node %d", i)
	}

	// The new build runs the migration at H and goes on; the node that
	// ran it all along never stopped.
	for _, op := range ops[:3] {
		op.start(t, v2)
	}
	for _, op := range ops {
		nodetest.WaitForHeight(t, op.client(t), height+3, 90*time.Second)
	}
	shown = ok(t, "upgrade", "show", "-o", "json")
	var after struct {
		Plan    *struct{} `json:"plan"`
		Applied []struct {
			Name   string `json:"name"`
			Height int64  `json:"height"`
		} `json:"applied"`
	}
	require.NoError(t, json.Unmarshal([]byte(shown), &after), shown)
	require.Nil(t, after.Plan)
	require.Len(t, after.Applied, 1)
	require.Equal(t, demoUpgrade, after.Applied[0].Name)
	require.Equal(t, height, after.Applied[0].Height)
	for i, op := range ops {
		res, err := op.client(t).ABCIQuery(context.Background(), types.QueryPathState, []byte(demoUpgradeKey))
		require.NoError(t, err)
		require.Zero(t, res.Response.Code, res.Response.Log)
		require.Len(t, res.Response.Value, 8, "node %d: the migration's entry", i)
		require.Equal(t, uint64(height), be.BigEndian.Uint64(res.Response.Value), "node %d", i)
	}
	served = resolver.Upgrade{}
	getJSON(t, "http://"+ops[2].resolver+resolver.PathUpgrade, &served)
	require.Nil(t, served.Plan)
	require.Equal(t, []resolver.AppliedUpgrade{{Name: demoUpgrade, Height: height}}, served.Applied)
	select {
	case <-early.done:
		t.Fatalf("the node running the new release stopped: %v", early.err)
	default:
	}
	// The chain still takes transactions.
	ok(t, "keys", "add", "after")
	require.Equal(t, "1", tx(t, "did", "create", "--key", "after").VersionID)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.NoError(t, json.NewDecoder(res.Body).Decode(v))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestUpgradeHaltInBlocksync stops an old-release node that catches up by
// blocksync after the network passed the upgrade's height: three
// validators run the release that knows test-v2 and pass H while the
// fourth is down; started with the plain build, the fourth blocksyncs,
// commits H-1 (application and CometBFT state), logs "upgrade test-v2
// required at height H" and exits with status 3, not with CometBFT's
// blocksync panic. Started with the upgrade_test_v2 build, it runs the
// migration at H and catches up.
func TestUpgradeHaltInBlocksync(t *testing.T) {
	v1, v2 := custosBinary(t), custosBinaryV2(t)

	cliEnv(t)
	ok(t, "keys", "add", "gov-1")
	govKey := pubKey(t, "gov-1")
	ops := ceremonyNetwork(t, 4, "upgrade-net-2", func(genesis string) {
		ok(t, "genesis", "add-governance-key", govKey, "--genesis", genesis)
	})
	for _, op := range ops {
		// The fourth validator is down: the rounds it should propose
		// time out sooner.
		setConfig(t, op.home, `timeout_propose = "3s"`, `timeout_propose = "300ms"`)
	}
	for _, op := range ops[:3] {
		op.start(t, v2)
	}
	c := ops[0].client(t)
	nodetest.WaitForHeight(t, c, 2, 60*time.Second)
	t.Setenv(commands.NodeEnv, ops[0].rpc)
	st, err := c.Status(context.Background())
	require.NoError(t, err)
	height := st.SyncInfo.LatestBlockHeight + keeper.MinUpgradeDelay + 3
	ok(t, "upgrade", "schedule", "--name", demoUpgrade, "--height", itoa(height))
	// Far enough past H that the fourth node blocksyncs through it.
	nodetest.WaitForHeight(t, c, height+3, 60*time.Second)

	old := ops[3].start(t, v1)
	require.Equal(t, commands.ExitUpgradeRequired, old.exitCode(t, 60*time.Second))
	log, err := os.ReadFile(old.log)
	require.NoError(t, err)
	require.Contains(t, string(log), "upgrade "+demoUpgrade+" required at height "+itoa(height))
	require.NotContains(t, string(log), "height="+itoa(height)+" txs=", "the old release executed the upgrade's height")
	require.NotContains(t, string(log), "SwitchToConsensus", "the node left blocksync before the upgrade's height")
	appHeight, cmtHeight := committedHeights(t, ops[3].home)
	require.Equal(t, height-1, appHeight, "the application's last commit")
	require.Equal(t, height-1, cmtHeight, "CometBFT's state")

	// With the release that knows test-v2, it runs the migration at H.
	ops[3].start(t, v2)
	nodetest.WaitForHeight(t, ops[3].client(t), height+5, 60*time.Second)
	res, err := ops[3].client(t).ABCIQuery(context.Background(), types.QueryPathState, []byte(demoUpgradeKey))
	require.NoError(t, err)
	require.Zero(t, res.Response.Code, res.Response.Log)
	require.Len(t, res.Response.Value, 8, "the migration's entry")
	require.Equal(t, uint64(height), be.BigEndian.Uint64(res.Response.Value))
}

// setConfig replaces old with new in a home's config.toml.
func setConfig(t *testing.T, home, old, new string) {
	t.Helper()
	path := filepath.Join(home, "config", "config.toml")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(b), old)
	require.NoError(t, os.WriteFile(path, bytes.Replace(b, []byte(old), []byte(new), 1), 0o600))
}

// committedHeights reads, from a stopped node's home, the height of the
// application's last commit and of CometBFT's state.
func committedHeights(t *testing.T, home string) (appHeight, cmtHeight int64) {
	t.Helper()
	db, err := store.Open(node.AppDataDir(home), store.DefaultOptions())
	require.NoError(t, err)
	appHeight = db.LastCommit().Height
	require.NoError(t, db.Close())
	cfg, err := node.LoadConfig(home, node.Overrides{})
	require.NoError(t, err)
	sdb, err := dbm.NewDB("state", dbm.BackendType(cfg.DBBackend), cfg.DBDir())
	require.NoError(t, err)
	defer sdb.Close()
	state, err := sm.NewStore(sdb, sm.StoreOptions{}).Load()
	require.NoError(t, err)
	return appHeight, state.LastBlockHeight
}
