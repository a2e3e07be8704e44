package keeper

import (
	"fmt"

	"github.com/custos-ledger/custos/x/did/types"
)

// UpgradePlan returns the standing upgrade plan (nil: none).
func UpgradePlan(st Reader) (*types.UpgradePlan, error) {
	b, err := st.Get(types.UpgradePlanKey())
	if err != nil {
		return nil, fmt.Errorf("keeper: read: %w", err)
	}
	if b == nil {
		return nil, nil
	}
	var p types.UpgradePlan
	if err := p.Unmarshal(b); err != nil {
		return nil, fmt.Errorf("keeper: corrupt upgrade plan in state: %w", err)
	}
	return &p, nil
}

// UpgradeHistory returns the upgrades applied, oldest first.
func UpgradeHistory(st Reader) (types.UpgradeHistory, error) {
	var h types.UpgradeHistory
	b, err := st.Get(types.UpgradeHistoryKey())
	if err != nil {
		return h, fmt.Errorf("keeper: read: %w", err)
	}
	if b != nil {
		if err := h.Unmarshal(b); err != nil {
			return h, fmt.Errorf("keeper: corrupt upgrade history in state: %w", err)
		}
	}
	return h, nil
}

// CompleteUpgrade records the standing plan as applied at height and
// removes it: the block at the plan's height calls it once the plan's
// migration has run.
func CompleteUpgrade(st Store, plan *types.UpgradePlan, height int64) error {
	h, err := UpgradeHistory(st)
	if err != nil {
		return err
	}
	h.Applied = append(h.Applied, types.AppliedUpgrade{Name: plan.Name, Height: height})
	b, err := h.Marshal()
	if err != nil {
		return err
	}
	if err := st.Set(types.UpgradeHistoryKey(), b); err != nil {
		return fmt.Errorf("keeper: write: %w", err)
	}
	if err := st.Delete(types.UpgradePlanKey()); err != nil {
		return fmt.Errorf("keeper: write: %w", err)
	}
	return nil
}
