package app

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestConfigRefusesPruning: nodes do not offer pruning yet (docs/state.md),
// so a Config that asks for it is refused, naming why; the default is valid.
func TestConfigRefusesPruning(t *testing.T) {
	c := DefaultConfig(t.TempDir())
	require.NoError(t, c.Validate())
	c.KeepRecent = 100
	require.ErrorContains(t, c.Validate(), "keep-recent > 0 (pruning) is not supported")
	c.KeepRecent = -1
	require.ErrorContains(t, c.Validate(), "must not be negative")
}
