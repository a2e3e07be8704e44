package commands

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/types"
)

// TestEveryErrorHasAHint requires a hint for every registered error code,
// and no hint for a name that is not registered.
func TestEveryErrorHasAHint(t *testing.T) {
	table := hints()
	names := map[string]bool{}
	for _, e := range types.AllErrors() {
		names[e.Name] = true
		h, ok := table[e.Name]
		require.True(t, ok, "no hint for %s (code %d): add one to hints() in hints.go", e.Name, e.Code)
		require.NotEmpty(t, h)
		require.Equal(t, strings.ToLower(h[:1]), h[:1], "hint for %s should start lowercase", e.Name)
		require.False(t, strings.HasSuffix(h, "."), "hint for %s should not end with a period", e.Name)
	}
	for name := range table {
		require.True(t, names[name], "hint for %q, which is not a registered error", name)
	}
}

func TestRefusalFromABCI(t *testing.T) {
	tests := []struct {
		name      string
		code      uint32
		codespace string
		log       string
		want      string
	}{
		{name: "registered", code: types.ErrStaleVersion.Code, codespace: types.Codespace,
			log: "stale_version: expected version 1, the DID is at version 2",
			want: "stale_version: expected version 1, the DID is at version 2\n" +
				"  meaning: the DID changed since the transaction was built: expected version differs\n" +
				"  hint:    the DID changed since it was read; run the command again (check the change with `custos history DID` first)"},
		{name: "log without name", code: types.ErrDeactivated.Code, codespace: types.Codespace, log: "gone",
			want: "deactivated: gone\n  meaning: the DID is deactivated; no operation can change it\n  hint:    a deactivated DID can never change again; create a new DID with `custos did create`"},
		{name: "other codespace", code: 3, codespace: "sdk", log: "out of gas",
			want: "refused: out of gas\n  hint:    the node refused it with code 3 in codespace \"sdk\", which is not a Custos error: check that --node is a Custos node"},
		{name: "unknown code", code: 999, codespace: types.Codespace, log: "new",
			want: "refused: new\n  hint:    the node refused it with code 999 in codespace \"custos\", which is not a Custos error: check that --node is a Custos node"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, fromABCI(tc.code, tc.codespace, tc.log).Error())
		})
	}
	r := fromABCI(types.ErrThresholdNotMet.Code, types.Codespace, "threshold_not_met: 1 of 2")
	r.TxHash, r.Height = "AB", 7
	require.Contains(t, r.Error(), "\n  tx:      AB (refused in block 7)")
}

func TestExplain(t *testing.T) {
	require.NoError(t, explain(nil))
	plain := errExample("plain")
	require.Equal(t, plain, explain(plain))
	_, err := types.ParseID("did:custos:x")
	got := explain(err)
	r, ok := got.(*refusal)
	require.True(t, ok)
	require.Equal(t, "invalid_did", r.Name)
	require.Equal(t, uint32(5), r.Code)
	require.Same(t, r, explain(r))
}

type errExample string

func (e errExample) Error() string { return string(e) }
