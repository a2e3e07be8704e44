package keeper

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"slices"

	"github.com/custos-ledger/custos/x/did/types"
	"github.com/custos-ledger/custos/x/network/pop"
)

// The validator set's rules (docs/network.md). Each one stops a change
// that CometBFT v0.38 would meet in validator_updates and halt on, or that
// would let the set lose liveness or safety in one step:
//   - at most one validator change per block;
//   - one change moves less than a third of the total power;
//   - the set never drops below min_validators (and so never empties);
//   - no addition of a member, no change of a non-member;
//   - only Ed25519 keys of prime order, whose holder signed a proof of
//     possession (x/network/pop);
//   - power above 0, the total at most types.MaxTotalVotingPower.

// addValidator adds a validator to the set.
func (e *execution) addValidator(op *types.AddValidatorOp) (Outcome, error) {
	if err := e.checkConsensusKey(op.PubKey); err != nil {
		return Outcome{}, err
	}
	if err := checkPower(op.Power); err != nil {
		return Outcome{}, err
	}
	if err := checkMoniker(op.Moniker); err != nil {
		return Outcome{}, err
	}
	if err := pop.Verify(op.PubKey, op.ProofOfPossession); err != nil {
		return Outcome{}, types.ErrValidatorPossession.Wrapf("key %s: %v; make it on the validator's machine with custos validators pop --home NODE", b64(op.PubKey), err)
	}
	ev := types.HistoryEntry{Kind: types.EVENT_KIND_VALIDATOR_ADDED,
		Validator: &types.ValidatorChange{PubKey: op.PubKey, Power: op.Power, Moniker: op.Moniker}}
	return e.governed(ev, func() error {
		set, err := e.validatorSet()
		if err != nil {
			return err
		}
		if v, err := GetValidator(e.st, op.PubKey); err != nil {
			return err
		} else if v != nil {
			return types.ErrValidatorExists.Wrapf("key %s is already a validator (%q, power %d)", b64(op.PubKey), v.Moniker, v.Power)
		}
		if set.Count >= types.MaxValidators {
			return types.ErrLimitExceeded.Wrapf("the set has %d validators, the most it may hold", set.Count)
		}
		if err := e.checkChange(set, 0, op.Power); err != nil {
			return err
		}
		set.Count++
		return e.stageValidator(set, op.Power, &types.Validator{PubKey: op.PubKey, Power: op.Power, Moniker: op.Moniker, Added: e.blk.Height})
	})
}

// setValidatorPower changes a member's voting power.
func (e *execution) setValidatorPower(op *types.SetValidatorPowerOp) (Outcome, error) {
	if err := checkKeyLength(op.PubKey); err != nil {
		return Outcome{}, err
	}
	if err := checkPower(op.Power); err != nil {
		return Outcome{}, err
	}
	ev := types.HistoryEntry{Kind: types.EVENT_KIND_VALIDATOR_POWER_SET,
		Validator: &types.ValidatorChange{PubKey: op.PubKey, Power: op.Power}}
	return e.governed(ev, func() error {
		set, v, err := e.member(op.PubKey)
		if err != nil {
			return err
		}
		if v.Power == op.Power {
			return types.ErrInvalidOperation.Wrapf("validator %s already has power %d", b64(op.PubKey), op.Power)
		}
		if err := e.checkChange(set, v.Power, op.Power); err != nil {
			return err
		}
		ev.Validator.OldPower, ev.Validator.Moniker = v.Power, v.Moniker
		old := v.Power
		v.Power = op.Power
		return e.stageValidator(set, op.Power-old, v)
	})
}

// removeValidator removes a member from the set.
func (e *execution) removeValidator(op *types.RemoveValidatorOp) (Outcome, error) {
	if err := checkKeyLength(op.PubKey); err != nil {
		return Outcome{}, err
	}
	ev := types.HistoryEntry{Kind: types.EVENT_KIND_VALIDATOR_REMOVED, Validator: &types.ValidatorChange{PubKey: op.PubKey}}
	return e.governed(ev, func() error {
		set, v, err := e.member(op.PubKey)
		if err != nil {
			return err
		}
		if min := e.k.params.MinValidators; set.Count <= min {
			return types.ErrValidatorSetTooSmall.Wrapf("the set has %d validators and may not drop below %d", set.Count, min)
		}
		if err := e.checkChange(set, v.Power, 0); err != nil {
			return err
		}
		ev.Validator.OldPower, ev.Validator.Moniker = v.Power, v.Moniker
		set.Count--
		return e.stageValidator(set, -v.Power, &types.Validator{PubKey: op.PubKey})
	})
}

// member returns the set's summary and the member with key pub.
func (e *execution) member(pub []byte) (*types.ValidatorSetInfo, *types.Validator, error) {
	set, err := e.validatorSet()
	if err != nil {
		return nil, nil, err
	}
	v, err := GetValidator(e.st, pub)
	if err != nil {
		return nil, nil, err
	}
	if v == nil {
		return nil, nil, types.ErrValidatorNotFound.Wrapf("key %s is not a validator; custos validators list shows the set", b64(pub))
	}
	return set, v, nil
}

// validatorSet loads the set's summary and refuses a second change in the
// block.
func (e *execution) validatorSet() (*types.ValidatorSetInfo, error) {
	set, err := GetValidatorSet(e.st)
	if err != nil {
		return nil, err
	}
	if set.LastChange >= e.blk.Height {
		return nil, types.ErrValidatorChangeLimit.Wrapf("the validator set already changed at height %d", set.LastChange)
	}
	return set, nil
}

// checkChange refuses a change of one member's power from old to new
// that moves a third or more of the set's total power, or that takes the
// total past types.MaxTotalVotingPower.
func (e *execution) checkChange(set *types.ValidatorSetInfo, old, new int64) error {
	delta := new - old
	if delta < 0 {
		delta = -delta
	}
	// Both below MaxTotalVotingPower (int64 max / 8): no overflow.
	if 3*delta >= set.TotalPower {
		return types.ErrValidatorPowerChange.Wrapf("the change moves %d of the total power %d; it must stay below a third (%d at most)", delta, set.TotalPower, (set.TotalPower-1)/3)
	}
	if total := set.TotalPower - old + new; total > types.MaxTotalVotingPower {
		return types.ErrValidatorPower.Wrapf("the total power would be %d, above the maximum %d", total, types.MaxTotalVotingPower)
	}
	return nil
}

// stageValidator stages v (a removal when v.Power is 0) and the set's
// summary, whose total moves by delta.
func (e *execution) stageValidator(set *types.ValidatorSetInfo, delta int64, v *types.Validator) error {
	set.TotalPower += delta
	set.LastChange = e.blk.Height
	i, member := slices.BinarySearchFunc(set.Members, v.PubKey, bytes.Compare)
	switch {
	case v.Power == 0 && member:
		set.Members = slices.Delete(slices.Clone(set.Members), i, i+1)
	case v.Power != 0 && !member:
		set.Members = slices.Insert(slices.Clone(set.Members), i, v.PubKey)
	}
	if err := e.put(types.ValidatorSetKey(), set); err != nil {
		return err
	}
	if v.Power == 0 {
		if !e.dryRun {
			e.writes = append(e.writes, write{key: types.ValidatorKey(v.PubKey)})
		}
		return nil
	}
	v.Changed = e.blk.Height
	return e.put(types.ValidatorKey(v.PubKey), v)
}

// checkConsensusKey checks a new consensus key: 32 bytes, an Ed25519
// point of prime order (a key of small order could have its proof of
// possession forged).
func (e *execution) checkConsensusKey(pub []byte) error {
	if err := checkKeyLength(pub); err != nil {
		return err
	}
	pk, err := types.NewEd25519(pub)
	if err == nil {
		err = e.k.facts.CheckPrimeOrder(pk)
	}
	if err != nil {
		return types.ErrInvalidValidatorKey.Wrapf("key %s: %s", b64(pub), types.Detail(err))
	}
	return nil
}

func checkKeyLength(pub []byte) error {
	if len(pub) != 32 {
		return types.ErrInvalidValidatorKey.Wrapf("the key has %d bytes; an Ed25519 consensus key has 32", len(pub))
	}
	return nil
}

func checkPower(p int64) error {
	if p <= 0 || p > types.MaxTotalVotingPower {
		return types.ErrValidatorPower.Wrapf("power %d is not in [1, %d]", p, types.MaxTotalVotingPower)
	}
	return nil
}

// checkMoniker allows a moniker of printable text up to
// types.MaxMonikerBytes (empty is allowed).
func checkMoniker(m string) error {
	if len(m) > types.MaxMonikerBytes {
		return types.ErrInvalidOperation.Wrapf("the moniker has %d bytes, the limit is %d", len(m), types.MaxMonikerBytes)
	}
	if err := types.ValidateMemo(m); err != nil {
		return types.ErrInvalidOperation.Wrapf("the moniker %q is not printable text", types.Truncate(m))
	}
	return nil
}

// GetValidator returns the member with consensus key pub (nil: none).
func GetValidator(st Reader, pub []byte) (*types.Validator, error) {
	b, err := st.Get(types.ValidatorKey(pub))
	if err != nil {
		return nil, fmt.Errorf("keeper: read: %w", err)
	}
	if b == nil {
		return nil, nil
	}
	var v types.Validator
	if err := v.Unmarshal(b); err != nil || !bytes.Equal(v.PubKey, pub) {
		return nil, fmt.Errorf("keeper: corrupt validator record %x", pub)
	}
	return &v, nil
}

// GetValidatorSet returns the validator set's summary (zero before
// InitValidators).
func GetValidatorSet(st Reader) (*types.ValidatorSetInfo, error) {
	b, err := st.Get(types.ValidatorSetKey())
	if err != nil {
		return nil, fmt.Errorf("keeper: read: %w", err)
	}
	var set types.ValidatorSetInfo
	if err := set.Unmarshal(b); err != nil {
		return nil, fmt.Errorf("keeper: corrupt validator set summary: %w", err)
	}
	return &set, nil
}

// Validators returns the set's summary and every member, in
// consensus-key order.
func Validators(st Reader) (*types.ValidatorSetInfo, []types.Validator, error) {
	set, err := GetValidatorSet(st)
	if err != nil {
		return nil, nil, err
	}
	out := make([]types.Validator, 0, len(set.Members))
	for _, pub := range set.Members {
		v, err := GetValidator(st, pub)
		if err != nil {
			return nil, nil, err
		}
		if v == nil {
			return nil, nil, fmt.Errorf("keeper: validator %x of the set has no record", pub)
		}
		out = append(out, *v)
	}
	return set, out, nil
}

// InitValidators records the genesis validator set at height (the
// chain's initial height). Each key must be a distinct 32-byte Ed25519 key
// with power above 0, the total at most types.MaxTotalVotingPower (a
// moniker that is no valid moniker is dropped); no
// proof of possession is asked for: the genesis file is the authority.
func InitValidators(st Store, height int64, vals []types.Validator) error {
	if len(vals) == 0 {
		return fmt.Errorf("keeper: no genesis validators")
	}
	set := types.ValidatorSetInfo{}
	for _, v := range vals {
		if err := checkKeyLength(v.PubKey); err != nil {
			return err
		}
		if err := checkPower(v.Power); err != nil {
			return err
		}
		if checkMoniker(v.Moniker) != nil {
			v.Moniker = "" // a genesis name is not a moniker this ledger keeps
		}
		if had, err := st.Get(types.ValidatorKey(v.PubKey)); err != nil || had != nil {
			if err == nil {
				err = types.ErrValidatorExists.Wrapf("key %s is listed twice", b64(v.PubKey))
			}
			return err
		}
		set.Count++
		set.TotalPower += v.Power
		set.Members = append(set.Members, v.PubKey)
		if set.TotalPower > types.MaxTotalVotingPower || set.Count > types.MaxValidators {
			return types.ErrValidatorPower.Wrap("the genesis validators exceed the total power or count CometBFT allows")
		}
		v.Added, v.Changed = height, height
		b, err := v.Marshal()
		if err != nil {
			return fmt.Errorf("keeper: encode: %w", err)
		}
		if err := st.Set(types.ValidatorKey(v.PubKey), b); err != nil {
			return fmt.Errorf("keeper: write: %w", err)
		}
	}
	slices.SortFunc(set.Members, bytes.Compare)
	b, err := set.Marshal()
	if err != nil {
		return fmt.Errorf("keeper: encode: %w", err)
	}
	return st.Set(types.ValidatorSetKey(), b)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// GetParams returns the consensus params in state.
func GetParams(st Reader) (types.Params, error) {
	b, err := st.Get(types.ParamsKey())
	if err != nil {
		return types.Params{}, fmt.Errorf("keeper: read: %w", err)
	}
	var p types.Params
	if err := p.Unmarshal(b); err != nil {
		return types.Params{}, fmt.Errorf("keeper: corrupt params: %w", err)
	}
	return p, nil
}
