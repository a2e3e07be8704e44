package commands_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStartRefusals covers the errors start reports before it runs a node.
func TestStartRefusals(t *testing.T) {
	tests := []struct {
		name string
		init bool
		args []string
		err  string
	}{
		{name: "home not initialized", err: "config.toml: run `custos init --home %s` first"},
		{name: "bad log level", init: true, args: []string{"--log_level", "loud"}, err: `invalid log level "loud"`},
		{name: "negative timeout", init: true, args: []string{"--consensus.timeout_commit", "-1s"}, err: "timeout_commit can't be negative"},
		{name: "bad duration", init: true, args: []string{"--consensus.timeout_commit", "soon"}, err: `invalid argument "soon"`},
		{name: "extra argument", init: true, args: []string{"now"}, err: `unknown command "now"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			if tc.init {
				initHome(t, home)
			}
			_, err := run(t, append([]string{"start", "--home", home}, tc.args...)...)
			require.ErrorContains(t, err, replaceHome(tc.err, home))
		})
	}
}
