package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
	"github.com/custos-ledger/custos/x/network/upgrade"
)

// newUpgradeWorld is newNetWorld with the migrations ms known.
func newUpgradeWorld(t *testing.T, withGov bool, ms ...upgrade.Migration) *netWorld {
	cfg := app.DefaultConfig(t.TempDir())
	cfg.Migrations = ms
	a, err := app.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { a.Close() })
	w := &netWorld{t: t, a: a}
	if withGov {
		w.gov = didtest.MofN(netChain, "governance", 2, 3)
	}
	req := &abci.RequestInitChain{ChainId: netChain, AppStateBytes: govGenesis(t, w.gov, 0), InitialHeight: 1, Time: time.Unix(1_700_000_000, 0)}
	for i := range 4 {
		k := consensusKey(fmt.Sprint("genesis-", i))
		w.vals = append(w.vals, k)
		req.Validators = append(req.Validators, abci.Ed25519ValidatorUpdate(consPub(k), 10))
	}
	_, err = a.InitChain(context.Background(), req)
	require.NoError(t, err)
	w.block()
	return w
}

func (w *netWorld) schedule(name string, height int64, version uint64, fragments ...string) []byte {
	return w.sign(txbuild.ScheduleUpgrade(netChain, w.gov.ID, version, name, height), fragments...)
}

func (w *netWorld) cancel(name string, version uint64, fragments ...string) []byte {
	return w.sign(txbuild.CancelUpgrade(netChain, w.gov.ID, version, name), fragments...)
}

func (w *netWorld) plan() *types.UpgradePlan {
	p, err := keeper.UpgradePlan(w.a.Store())
	require.NoError(w.t, err)
	return p
}

// requireRefused sends tx through CheckTx and in a block: both give want,
// and the block changes no state.
func (w *netWorld) requireRefused(tx []byte, want *types.Error) {
	w.t.Helper()
	before := w.a.Store().LastCommit().AppHash
	require.Equal(w.t, want.Code, w.check(tx), "CheckTx: want %s", want.Name)
	res := w.block(tx)
	require.Equal(w.t, want.Code, res.TxResults[0].Code, "FinalizeBlock: want %s, got %s", want.Name, res.TxResults[0].Log)
	require.Equal(w.t, before, res.AppHash, "a refused operation changed the state")
}

// TestUpgradeOps schedules and cancels upgrades through the governance DID:
// each refusal has its named code and changes nothing; a schedule and a
// cancel bump the governance DID's version and land in its history.
func TestUpgradeOps(t *testing.T) {
	w := newUpgradeWorld(t, true, marking("v2"))
	v := w.govVersion()
	other := didtest.Single(netChain, "not-governance")
	require.Zero(t, w.block(other.Create()).TxResults[0].Code)
	// One block short of the earliest height for a tx in the next block,
	// and so for any later one.
	soon := w.height + keeper.MinUpgradeDelay

	for _, tc := range []struct {
		name string
		tx   []byte
		want *types.Error
	}{
		{"one signature of a 2-of-3 governance", w.schedule("v2", soon+100, v, "k1"), types.ErrThresholdNotMet},
		{"a height too soon", w.schedule("v2", soon, v, "k1", "k2"), types.ErrUpgradeTooSoon},
		{"a height in the past", w.schedule("v2", 1, v, "k1", "k2"), types.ErrUpgradeTooSoon},
		{"an upper-case name", w.schedule("V2", soon+100, v, "k1", "k2"), types.ErrInvalidUpgrade},
		{"an empty name", w.schedule("", soon+100, v, "k1", "k2"), types.ErrInvalidUpgrade},
		{"a name too long", w.schedule(string(make([]byte, 65)), soon+100, v, "k1", "k2"), types.ErrInvalidUpgrade},
		{"a cancel with nothing scheduled", w.cancel("v2", v, "k1", "k2"), types.ErrUpgradeNotScheduled},
		{"a stale governance version", w.schedule("v2", soon+100, v+1, "k1", "k2"), types.ErrStaleVersion},
		{"another DID scheduling", didtest.Sign(txbuild.ScheduleUpgrade(netChain, other.ID, 1, "v2", soon+100), other.Signer("k1")), types.ErrNotGovernance},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.requireRefused(tc.tx, tc.want)
			require.Nil(t, w.plan())
			require.Equal(t, v, w.govVersion())
		})
	}

	at := w.height + 40
	res := w.block(w.schedule("v2", at, v, "k1", "k3"))
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	require.Equal(t, &types.UpgradePlan{Name: "v2", Height: at, ScheduledAt: w.height}, w.plan())
	require.Equal(t, v+1, w.govVersion())
	v++

	w.requireRefused(w.schedule("v3", at+10, v, "k1", "k2"), types.ErrUpgradePending)
	w.requireRefused(w.cancel("v3", v, "k1", "k2"), types.ErrUpgradeNotScheduled)
	w.requireRefused(w.cancel("v2", v, "k2"), types.ErrThresholdNotMet)

	res = w.block(w.cancel("v2", v, "k2", "k3"))
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	require.Nil(t, w.plan())
	v++

	// Scheduled again, it runs at its height; its name is then used up.
	at = w.height + 1 + keeper.MinUpgradeDelay
	require.Zero(t, w.block(w.schedule("v2", at, v, "k1", "k2")).TxResults[0].Code)
	v++
	for w.height < at {
		w.block()
	}
	require.False(t, halted(w.a))
	mark, err := w.a.Store().Get(markKey)
	require.NoError(t, err)
	require.Equal(t, []byte{byte(at)}, mark)
	w.requireRefused(w.schedule("v2", w.height+100, v, "k1", "k2"), types.ErrUpgradeNameUsed)

	hist, err := keeper.GetHistory(w.a.Store(), w.gov.ID)
	require.NoError(t, err)
	var kinds []types.EventKind
	for _, e := range hist {
		kinds = append(kinds, e.Kind)
	}
	require.Equal(t, []types.EventKind{types.EVENT_KIND_CREATED, types.EVENT_KIND_UPGRADE_SCHEDULED,
		types.EVENT_KIND_UPGRADE_CANCELLED, types.EVENT_KIND_UPGRADE_SCHEDULED}, kinds)
	require.Equal(t, "v2", hist[2].Upgrade.Name)
}

// TestUpgradeWithoutGovernance: a network whose genesis names no
// governance cannot schedule an upgrade.
func TestUpgradeWithoutGovernance(t *testing.T) {
	w := newUpgradeWorld(t, false)
	g := didtest.MofN(netChain, "governance", 2, 3)
	tx := didtest.Sign(txbuild.ScheduleUpgrade(netChain, g.ID, 1, "v2", 100), g.Signers("k1", "k2")...)
	w.requireRefused(tx, types.ErrNoGovernance)
}

// goldenUpgradeAppHash changes only when a rule or the encoding of the
// upgrade operations, the plan, the applied upgrades or the run of a
// migration changes (a consensus break).
const goldenUpgradeAppHash = "94f22cdb35af776ae1c264eadda7ef68aec3b08dcdfffa37a1c8e97bf9d1161f" // AppVersion 5

// TestGoldenUpgradeAppHash runs fixed blocks (a schedule, a cancel, a
// schedule again, the blocks up to its height, its migration) on the fixed
// governance genesis and pins the app hash.
func TestGoldenUpgradeAppHash(t *testing.T) {
	w := newUpgradeWorld(t, true, marking("v2"))
	v := w.govVersion()
	require.Zero(t, w.block(w.schedule("v2", 100, v, "k1", "k2")).TxResults[0].Code)
	require.Zero(t, w.block(w.cancel("v2", v+1, "k2", "k3")).TxResults[0].Code)
	at := w.height + 1 + keeper.MinUpgradeDelay
	require.Zero(t, w.block(w.schedule("v2", at, v+2, "k1", "k3")).TxResults[0].Code)
	var res *abci.ResponseFinalizeBlock
	for w.height < at {
		res = w.block()
	}
	require.Equal(t, "upgrade_applied", res.Events[0].Type)
	require.Equal(t, goldenUpgradeAppHash, fmt.Sprintf("%x", res.AppHash), "the golden upgrade app hash changed: a consensus break")
}
