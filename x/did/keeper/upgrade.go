package keeper

import (
	"github.com/custos-ledger/custos/x/did/types"
)

// MinUpgradeDelay is how many blocks after the block that schedules it an
// upgrade's height must be, at least: every node then has the plan
// committed well before the height at which it stops or migrates.
// Governance picks a height that leaves operators time to install the
// release; this bound only refuses a height that is now or nearly.
const MinUpgradeDelay = 20

// scheduleUpgrade records an upgrade plan, signed by the governance DID.
// At most one plan stands; a name already applied is never reused.
func (e *execution) scheduleUpgrade(op *types.ScheduleUpgradeOp) (Outcome, error) {
	if !types.ValidUpgradeName(op.Name) {
		return Outcome{}, types.ErrInvalidUpgrade.Wrapf("name %q", types.Truncate(op.Name))
	}
	if earliest := e.blk.Height + MinUpgradeDelay; op.Height < earliest {
		return Outcome{}, types.ErrUpgradeTooSoon.Wrapf("height %d, and this block is %d: schedule it at %d or later", op.Height, e.blk.Height, earliest)
	}
	plan := &types.UpgradePlan{Name: op.Name, Height: op.Height, ScheduledAt: e.blk.Height}
	ev := types.HistoryEntry{Kind: types.EVENT_KIND_UPGRADE_SCHEDULED, Upgrade: plan}
	return e.governed(ev, func() error {
		cur, err := UpgradePlan(e.st)
		if err != nil {
			return err
		}
		if cur != nil {
			return types.ErrUpgradePending.Wrapf("%s is scheduled at height %d; cancel it first (custos upgrade cancel --name %s)", cur.Name, cur.Height, cur.Name)
		}
		hist, err := UpgradeHistory(e.st)
		if err != nil {
			return err
		}
		for _, a := range hist.Applied {
			if a.Name == op.Name {
				return types.ErrUpgradeNameUsed.Wrapf("%s was applied at height %d", a.Name, a.Height)
			}
		}
		return e.put(types.UpgradePlanKey(), plan)
	})
}

// cancelUpgrade removes the standing plan, which op names, signed by the
// governance DID. A plan is cancelled up to the block before its height
// (the block at its height runs it first).
func (e *execution) cancelUpgrade(op *types.CancelUpgradeOp) (Outcome, error) {
	if !types.ValidUpgradeName(op.Name) {
		return Outcome{}, types.ErrInvalidUpgrade.Wrapf("name %q", types.Truncate(op.Name))
	}
	cur, err := UpgradePlan(e.st)
	if err != nil {
		return Outcome{}, err
	}
	if cur == nil || cur.Name != op.Name {
		standing := "none is"
		if cur != nil {
			standing = cur.Name + " is"
		}
		return Outcome{}, types.ErrUpgradeNotScheduled.Wrapf("%s is not the standing plan (%s scheduled)", op.Name, standing)
	}
	ev := types.HistoryEntry{Kind: types.EVENT_KIND_UPGRADE_CANCELLED, Upgrade: cur}
	return e.governed(ev, func() error {
		if !e.dryRun {
			e.writes = append(e.writes, write{key: types.UpgradePlanKey()})
		}
		return nil
	})
}
