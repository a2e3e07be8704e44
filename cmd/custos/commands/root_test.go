package commands_test

import (
	"encoding/json"
	"path/filepath"
	"runtime"
	"testing"

	cmtversion "github.com/cometbft/cometbft/version"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/cmd/custos/commands"
)

func TestOutputFlag(t *testing.T) {
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{name: "text", args: []string{"version", "--output", "text"}},
		{name: "json", args: []string{"version", "-o", "json"}},
		{name: "unknown", args: []string{"version", "--output", "yaml"}, err: `invalid --output "yaml": use text or json`},
		{name: "empty", args: []string{"version", "--output", ""}, err: `invalid --output "": use text or json`},
		{name: "checked before init writes", args: []string{"init", "--home", "/nonexistent/x", "-o", "xml"}, err: `invalid --output "xml": use text or json`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, tc.args...)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tc.err)
		})
	}
}

func TestVersionJSON(t *testing.T) {
	out, err := run(t, "version", "--output", "json")
	require.NoError(t, err)
	var got map[string]string
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Equal(t, map[string]string{
		"custos":   commands.Version,
		"cometbft": cmtversion.TMCoreSemVer,
		"abci":     cmtversion.ABCISemVer,
		"go":       runtime.Version(),
	}, got)
}

func TestVersionText(t *testing.T) {
	out, err := run(t, "version")
	require.NoError(t, err)
	require.Contains(t, out, "custos   "+commands.Version+"\n")
	require.Contains(t, out, "cometbft "+cmtversion.TMCoreSemVer+"\n")
}

// TestHomeResolution checks the precedence --home > CUSTOS_HOME > default
// and the expansion of "~", through the home init reports.
func TestHomeResolution(t *testing.T) {
	user := t.TempDir()
	env := filepath.Join(t.TempDir(), "env-home")
	flag := filepath.Join(t.TempDir(), "flag-home")
	tests := []struct {
		name string
		env  string
		args []string
		want string
	}{
		{name: "default", want: filepath.Join(user, ".custos")},
		{name: "env", env: env, want: env},
		{name: "flag beats env", env: env, args: []string{"--home", flag}, want: flag},
		{name: "tilde", args: []string{"--home", "~/nodes/a"}, want: filepath.Join(user, "nodes", "a")},
		{name: "tilde in env", env: "~/nodes/b", want: filepath.Join(user, "nodes", "b")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HOME", user)
			t.Setenv(commands.HomeEnv, tc.env)
			out, err := run(t, append([]string{"init", "-o", "json", "--overwrite"}, tc.args...)...)
			require.NoError(t, err)
			var res struct{ Home string }
			require.NoError(t, json.Unmarshal([]byte(out), &res))
			require.Equal(t, tc.want, res.Home)
			require.FileExists(t, filepath.Join(tc.want, "config", "genesis.json"))
		})
	}
}

func TestEveryCommandHasExample(t *testing.T) {
	root := commands.NewRootCmd()
	require.NotEmpty(t, root.Example)
	for _, c := range root.Commands() {
		if c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		require.NotEmpty(t, c.Example, "command %q has no Example", c.Name())
	}
}
