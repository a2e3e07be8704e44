package keeper_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// Every operation is classified for the recheck shortcut: those of the
// target's controllers are decided by the head, the guardian and recovery
// operations are not. A new operation must be added here, with the reason
// its acceptance reads only the head (or not): DependsOnlyOnHead answers
// false for it until then, which only costs full rechecks.
func TestDependsOnlyOnHead(t *testing.T) {
	want := map[string]bool{
		"*types.TxBody_Create":            true,  // the target has no head (open policy; see below)
		"*types.TxBody_Update":            true,  // head, its version record, the tx
		"*types.TxBody_RotateKey":         true,  // the same; cancels pending recoveries, refused for none
		"*types.TxBody_RevokeKey":         true,  // the same; compromise time not after the block's
		"*types.TxBody_Deactivate":        true,  // the same as update
		"*types.TxBody_SetGuardians":      false, // guardian state, pending recoveries, the guardians' DIDs
		"*types.TxBody_RecoveryInitiate":  false, // guardian and recovery state, the guardian's keys
		"*types.TxBody_RecoveryApprove":   false,
		"*types.TxBody_RecoveryCancel":    false,
		"*types.TxBody_AddValidator":      false, // the validator set
		"*types.TxBody_SetValidatorPower": false,
		"*types.TxBody_RemoveValidator":   false,
		"*types.TxBody_ScheduleUpgrade":   false, // the standing plan and the applied upgrades
		"*types.TxBody_CancelUpgrade":     false, // the standing plan
		"*types.TxBody_SetWritePolicy":    false, // the params in state
	}
	for _, w := range (&types.TxBody{}).XXX_OneofWrappers() {
		name := reflect.TypeOf(w).String()
		t.Run(name, func(t *testing.T) {
			expect, listed := want[name]
			require.True(t, listed, "operation %s is not classified: say whether its acceptance depends only on its target's head", name)
			body := &types.TxBody{}
			reflect.ValueOf(body).Elem().FieldByName("Operation").Set(reflect.ValueOf(w))
			require.Equal(t, expect, keeper.DependsOnlyOnHead(types.DefaultParams(), body), fmt.Sprint(name))
		})
	}
	require.False(t, keeper.DependsOnlyOnHead(types.DefaultParams(), &types.TxBody{}), "a body with no operation")
	// Under the endorsed policy a create also reads its endorser's head.
	endorsed := types.DefaultParams()
	endorsed.WritePolicy = types.WRITE_POLICY_ENDORSED
	require.False(t, keeper.DependsOnlyOnHead(endorsed, &types.TxBody{Operation: &types.TxBody_Create{Create: &types.CreateOp{}}}))
}
