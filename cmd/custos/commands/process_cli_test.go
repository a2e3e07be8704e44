package commands_test

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestProcessRefusal runs the binary: a refusal exits 1 and prints the
// error once on stderr, its name first, with its hint.
func TestProcessRefusal(t *testing.T) {
	bin := custosBinary(t)
	cmd := exec.Command(bin, "resolve", "did:custos:0OIl", "--node", "127.0.0.1:1")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	require.True(t, errors.As(err, &exitErr), "want an exit error, got %v", err)
	require.Equal(t, 1, exitErr.ExitCode())
	require.Empty(t, stdout.String())
	require.True(t, strings.HasPrefix(stderr.String(), "Error: invalid_did: "), stderr.String())
	require.Contains(t, stderr.String(), "\n  hint:    a DID is did:custos: followed by")
	require.Equal(t, 1, strings.Count(stderr.String(), "Error:"))
}
