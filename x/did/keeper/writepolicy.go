package keeper

import (
	"slices"

	"github.com/custos-ledger/custos/x/did/types"
)

// setWritePolicy replaces the write policy in the params in state
// (types.ParamsKey), signed by the governance DID: op's policy, stamp
// difficulty, endorsers and rate limits replace the params' fields 12-15
// as a whole, and the result must pass types.ValidateParams, as genesis
// params do. The keeper executing the block keeps the params it was made
// with: the new ones govern from the next block on, once the application
// has committed the block and made a keeper of them (docs/write-policy.md,
// "Changing the policy").
func (e *execution) setWritePolicy(op *types.SetWritePolicyOp) (Outcome, error) {
	p, err := GetParams(e.st)
	if err != nil {
		return Outcome{}, err
	}
	p.WritePolicy = op.Policy
	p.StampDifficulty = op.StampDifficulty
	p.Endorsers = slices.Clone(op.Endorsers)
	p.RateLimits = slices.Clone(op.RateLimits)
	if err := types.ValidateParams(p); err != nil {
		return Outcome{}, types.ErrInvalidOperation.Wrapf("the write policy: %s", types.Detail(err))
	}
	ev := types.HistoryEntry{Kind: types.EVENT_KIND_WRITE_POLICY_SET, Params: &p}
	return e.governed(ev, func() error {
		return e.put(types.ParamsKey(), &p)
	})
}
