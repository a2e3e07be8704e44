package commands_test

import (
	"bytes"
	"testing"

	"github.com/custos-ledger/custos/cmd/custos/commands"
)

// run executes custos in-process with args and returns its stdout.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := commands.NewRootCmd()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.Execute()
	return out.String(), err
}
