package commands_test

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/cmd/custos/commands"
)

// TestEveryCommandOfTheTreeHasExample walks the whole tree, subcommands
// included.
func TestEveryCommandOfTheTreeHasExample(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Name() == "help" || c.Name() == "completion" {
			return
		}
		require.NotEmpty(t, c.Example, "command %q has no Example", c.CommandPath())
		require.NotEmpty(t, c.Short, "command %q has no Short", c.CommandPath())
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(commands.NewRootCmd())
}

// TestFreshTrees checks that two trees share no flag state.
func TestFreshTrees(t *testing.T) {
	a, b := commands.NewRootCmd(), commands.NewRootCmd()
	a.SetArgs([]string{"keys", "list", "--keyring-backend", "test", "--home", t.TempDir()})
	a.SetOut(&strings.Builder{})
	require.NoError(t, a.Execute())
	keys, _, err := b.Find([]string{"keys"})
	require.NoError(t, err)
	require.Equal(t, "file", keys.PersistentFlags().Lookup("keyring-backend").Value.String())
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		out := ok(t, "completion", shell)
		require.Contains(t, out, "custos", shell)
	}
	// Cobra's hidden completion command lists the did subcommands.
	out := ok(t, "__complete", "did", "")
	for _, sub := range []string{"create", "update", "rotate", "revoke-key", "deactivate"} {
		require.Contains(t, out, sub)
	}
}

func TestHelpMentionsEveryGroup(t *testing.T) {
	out := ok(t, "--help")
	for _, c := range []string{"keys", "did", "resolve", "history"} {
		require.Contains(t, out, "\n  "+c+" ")
	}
	out = ok(t, "did", "create", "--help")
	require.Contains(t, out, "--key NAME[=FRAGMENT]")
	require.Contains(t, out, "key-1, key-2")
}
