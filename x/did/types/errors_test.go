package types_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/types"
)

var update = flag.Bool("update", false, "rewrite golden files (docs/errors.md) from the code")

// errorTablePath is the checked-in error table, relative to this package.
const errorTablePath = "../../../docs/errors.md"

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

func TestErrorCodes(t *testing.T) {
	all := types.AllErrors()
	require.NotEmpty(t, all)
	names := map[string]bool{}
	for i, e := range all {
		t.Run(e.Name, func(t *testing.T) {
			require.NotZero(t, e.Code)
			if i > 0 {
				require.Greater(t, e.Code, all[i-1].Code, "codes ascend, each used once")
			}
			require.Regexp(t, snakeCase, e.Name)
			require.False(t, names[e.Name], "name %q is used twice", e.Name)
			names[e.Name] = true
			require.NotEmpty(t, strings.TrimSpace(e.Description))
			require.Equal(t, e, types.ErrorByCode(e.Code))
			require.Equal(t, e.Name+": "+e.Description, e.Error())
		})
	}
	require.Nil(t, types.ErrorByCode(0))
	require.Nil(t, types.ErrorByCode(all[len(all)-1].Code+1))
	require.Equal(t, "custos", types.Codespace)
}

// TestErrorCodesStable pins the codes other programs already rely on: a
// change here is a consensus break. New errors are appended; this list may
// grow, never change.
func TestErrorCodesStable(t *testing.T) {
	pinned := []struct {
		err  *types.Error
		code uint32
		name string
	}{
		{types.ErrMalformedTx, 1, "malformed_tx"},
		{types.ErrNonCanonical, 2, "non_canonical_encoding"},
		{types.ErrTxTooLarge, 3, "tx_too_large"},
		{types.ErrWrongChainID, 4, "wrong_chain_id"},
		{types.ErrInvalidDID, 5, "invalid_did"},
		{types.ErrInvalidDIDURL, 6, "invalid_did_url"},
		{types.ErrInvalidFragment, 7, "invalid_fragment"},
		{types.ErrInvalidPublicKey, 8, "invalid_public_key"},
		{types.ErrUnsupportedKeyType, 9, "unsupported_key_type"},
		{types.ErrInvalidDocument, 10, "invalid_document"},
		{types.ErrLimitExceeded, 11, "limit_exceeded"},
		{types.ErrNoOperation, 12, "no_operation"},
		{types.ErrInvalidOperation, 13, "invalid_operation"},
		{types.ErrDIDMismatch, 14, "did_mismatch"},
		{types.ErrDIDExists, 15, "did_exists"},
		{types.ErrDIDNotFound, 16, "did_not_found"},
		{types.ErrStaleVersion, 17, "stale_version"},
		{types.ErrDeactivated, 18, "deactivated"},
		{types.ErrBadSignature, 19, "bad_signature"},
		{types.ErrUnknownSigner, 20, "unknown_signer"},
		{types.ErrTooManySignatures, 21, "too_many_signatures"},
		{types.ErrThresholdNotMet, 22, "threshold_not_met"},
		{types.ErrMissingPossession, 23, "missing_proof_of_possession"},
		{types.ErrWouldLoseControl, 24, "would_lose_control"},
		{types.ErrKeyNotFound, 25, "key_not_found"},
		{types.ErrKeyTypeMismatch, 26, "key_type_mismatch"},
		{types.ErrDuplicateKey, 27, "duplicate_key"},
		{types.ErrMemoTooLarge, 28, "memo_too_large"},
		{types.ErrInvalidTime, 29, "invalid_time"},
		{types.ErrNodeUnavailable, 30, "node_unavailable"},
		{types.ErrBlockWriteLimit, 60, "block_write_limit"},
	}
	for _, p := range pinned {
		t.Run(p.name, func(t *testing.T) {
			require.Equal(t, p.code, p.err.Code)
			require.Equal(t, p.name, p.err.Name)
		})
	}
}

func TestRegisteredAndDetail(t *testing.T) {
	wrapped := types.ErrInvalidDID.Wrap("bad id")
	tests := []struct {
		name       string
		err        error
		registered *types.Error
		detail     string
		text       string
	}{
		{name: "wrapped", err: wrapped, registered: types.ErrInvalidDID, detail: "bad id", text: "invalid_did: bad id"},
		{name: "wrapf", err: types.ErrStaleVersion.Wrapf("expected %d, at %d", 2, 3), registered: types.ErrStaleVersion, detail: "expected 2, at 3", text: "stale_version: expected 2, at 3"},
		{name: "bare registered", err: types.ErrDeactivated, registered: types.ErrDeactivated, detail: types.ErrDeactivated.Description, text: types.ErrDeactivated.Error()},
		{name: "wrapped by fmt", err: fmt.Errorf("keeper: %w", wrapped), registered: types.ErrInvalidDID, detail: "bad id", text: "keeper: invalid_did: bad id"},
		{name: "plain error is a node fault", err: errors.New("disk on fire"), registered: nil, detail: "disk on fire", text: "disk on fire"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.registered, types.Registered(tc.err))
			require.Equal(t, tc.detail, types.Detail(tc.err))
			require.Equal(t, tc.text, tc.err.Error())
			if tc.registered != nil {
				require.ErrorIs(t, tc.err, tc.registered)
			}
		})
	}
	require.Nil(t, types.Registered(nil))
	require.False(t, errors.Is(wrapped, types.ErrInvalidDIDURL))
}

// markdownEscaper keeps a description literal in a Markdown table cell:
// '|' would end the cell and "<id>" would be taken for an HTML tag.
var markdownEscaper = strings.NewReplacer("|", `\|`, "<", `\<`, ">", `\>`)

// renderErrorTable renders the Markdown table of every registered error.
func renderErrorTable(all []*types.Error) string {
	var b strings.Builder
	b.WriteString("# Custos error codes\n\n")
	b.WriteString("A transaction that the ledger refuses gets one of these codes, in codespace\n")
	b.WriteString("`" + types.Codespace + "`. The codes are consensus-visible: every node gives the same\n")
	b.WriteString("code for the same transaction, so the list is append-only and a code is never\n")
	b.WriteString("renumbered or reused. The code appears in ABCI results (CheckTx, FinalizeBlock)\n")
	b.WriteString("and the CLI shows the name with a hint when the ledger refuses a transaction.\n\n")
	b.WriteString("This file is generated from `x/did/types/errors.go` by\n")
	b.WriteString("`go test ./x/did/types -run TestErrorTableGolden -update`; do not edit it by hand.\n\n")
	b.WriteString("| code | name | meaning |\n")
	b.WriteString("|---:|---|---|\n")
	for _, e := range all {
		fmt.Fprintf(&b, "| %d | `%s` | %s |\n", e.Code, e.Name, markdownEscaper.Replace(e.Description))
	}
	return b.String()
}

func TestErrorTableGolden(t *testing.T) {
	got := renderErrorTable(types.AllErrors())
	if *update {
		require.NoError(t, os.WriteFile(errorTablePath, []byte(got), 0o644))
	}
	want, err := os.ReadFile(errorTablePath)
	require.NoError(t, err, "run `go test ./x/did/types -run TestErrorTableGolden -update` to create it")
	require.Equal(t, string(want), got, "docs/errors.md is stale: run `go test ./x/did/types -run TestErrorTableGolden -update`")
}
