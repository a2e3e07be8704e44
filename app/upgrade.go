package app

import (
	"bytes"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
	"github.com/custos-ledger/custos/x/network/upgrade"
)

// UpgradeRequiredError stops a node whose binary does not know the upgrade
// scheduled at the next height: it has committed Height - 1 and will not
// execute Height. The node exits with its own code (custos start: 3) and
// refuses to start again until it runs a binary that knows Name.
type UpgradeRequiredError struct {
	Name   string
	Height int64
}

func (e *UpgradeRequiredError) Error() string {
	return fmt.Sprintf("upgrade %s required at height %d: this binary does not know it; install the release that does, then start the node again", e.Name, e.Height)
}

// KnownMigrations returns the migrations this binary knows (builtinMigrations
// per build; none in a plain build).
func KnownMigrations() []upgrade.Migration { return builtinMigrations() }

// requiredUpgrade returns the error that stops the node before it executes
// height, if the standing plan is due by then and this binary does not
// know it.
func (a *App) requiredUpgrade(st keeper.Reader, height int64) (*types.UpgradePlan, error) {
	plan, err := keeper.UpgradePlan(st)
	if err != nil || plan == nil || plan.Height > height {
		return nil, err
	}
	if _, ok := a.upgrades.Lookup(plan.Name); !ok {
		return plan, &UpgradeRequiredError{Name: plan.Name, Height: plan.Height}
	}
	return plan, nil
}

// runUpgrade runs, at the start of block height, the migration of the plan
// due at height, if any, and records it as applied. It writes nothing when
// this binary does not know the plan: it returns UpgradeRequiredError.
func (a *App) runUpgrade(st upgrade.Store, height int64) ([]abci.Event, error) {
	plan, err := a.requiredUpgrade(st, height)
	if err != nil || plan == nil {
		return nil, err
	}
	if plan.Height != height {
		// A plan is scheduled at least MinUpgradeDelay ahead and run at its
		// height: one left behind means the state was not made by these
		// rules.
		return nil, fmt.Errorf("app: the upgrade %s of height %d was not applied at its height (now %d)", plan.Name, plan.Height, height)
	}
	m, _ := a.upgrades.Lookup(plan.Name)
	params, err := st.Get(types.ParamsKey())
	if err != nil {
		return nil, err
	}
	a.cfg.Logger.Info("running the upgrade's migration", "name", plan.Name, "height", height)
	if err := m.Migrate(st, height); err != nil {
		return nil, fmt.Errorf("app: upgrade %s at height %d: migration: %w", plan.Name, height, err)
	}
	after, err := st.Get(types.ParamsKey())
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(params, after) {
		return nil, fmt.Errorf("app: upgrade %s at height %d: the migration changed the params, which a migration must leave alone", plan.Name, height)
	}
	if err := keeper.CompleteUpgrade(st, plan, height); err != nil {
		return nil, err
	}
	return []abci.Event{{Type: "upgrade_applied", Attributes: []abci.EventAttribute{
		{Key: "name", Value: plan.Name, Index: true},
		{Key: "height", Value: fmt.Sprint(height)},
	}}}, nil
}

// haltIfUpgradeRequired stops the node after it committed the last height
// before an upgrade this binary does not know.
func (a *App) haltIfUpgradeRequired(committed int64) {
	if _, err := a.requiredUpgrade(a.db, committed+1); err != nil {
		a.halt(err)
	}
}

// halt records why the node must stop and tells the node (Halted).
func (a *App) halt(err error) {
	a.haltOnce.Do(func() {
		a.haltErr = err
		a.cfg.Logger.Error(err.Error())
		close(a.halted)
	})
}

// Halted is closed when the application asks the node to stop: the next
// height needs an upgrade this binary does not know (HaltErr says which).
func (a *App) Halted() <-chan struct{} { return a.halted }

// HaltErr returns why the application asked the node to stop, once Halted
// is closed (an *UpgradeRequiredError).
func (a *App) HaltErr() error {
	select {
	case <-a.halted:
		return a.haltErr
	default:
		return nil
	}
}
