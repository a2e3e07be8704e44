package resolver_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/resolver"
)

// TestKeyStatusWithoutKey asks for the key status endpoint with no DID URL
// (or an empty one) between /1.0/keys/ and /status: a clear 400 naming the
// expected form, never a 500.
func TestKeyStatusWithoutKey(t *testing.T) {
	s := newScenario(t)
	ts := startServer(t, resolver.NewLocalSource(s.l.db, nil))
	for _, tc := range []struct {
		path    string
		status  int
		keyword string
	}{
		{"/1.0/keys/status", 400, resolver.ErrInvalidDIDURL},
		{"/1.0/keys/status?at=2024-05-01T12:00:00Z", 400, resolver.ErrInvalidDIDURL},
		{"/1.0/keys//status", 400, resolver.ErrInvalidDIDURL},
		{"/1.0/keys/%23key-1/status", 400, resolver.ErrInvalidDIDURL},
		{"/1.0/keys/", 404, resolver.ErrNotFound},
		{"/1.0/keys", 404, resolver.ErrNotFound},
		{"/1.0/keys/status/status", 400, resolver.ErrInvalidDIDURL},
		{"/1.0/identifiers/", 400, resolver.ErrInvalidDID},
		{"/1.0/identifiers/history", 400, resolver.ErrInvalidDID},
		{"/1.0/identifiers//history", 400, resolver.ErrInvalidDID},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := ts.get(tc.path)
			require.Equal(t, tc.status, r.status, "%s", r.body)
			m := r.json(t)
			kw, _ := m["error"].(string)
			if kw == "" {
				kw, _ = path(m, "didResolutionMetadata", "error").(string)
			}
			require.Equal(t, tc.keyword, kw, "%s", r.body)
		})
	}
}
