package node

import (
	"math"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSetMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	tests := []struct {
		name        string
		env         string
		runtimeHas  int64 // what the runtime read from GOMEMLIMIT at start
		wantLimit   int64
		wantFromEnv bool
	}{
		{name: "unset: the default", runtimeHas: math.MaxInt64, wantLimit: DefaultMemoryLimit},
		{name: "set: kept", env: "2GiB", runtimeHas: 2 << 30, wantLimit: 2 << 30, wantFromEnv: true},
		{name: "off: kept", env: "off", runtimeHas: math.MaxInt64, wantLimit: math.MaxInt64, wantFromEnv: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetMemoryLimit(tc.runtimeHas)
			limit, fromEnv := SetMemoryLimit(func(k string) string {
				if k == "GOMEMLIMIT" {
					return tc.env
				}
				return ""
			})
			require.Equal(t, tc.wantLimit, limit)
			require.Equal(t, tc.wantFromEnv, fromEnv)
			require.Equal(t, tc.wantLimit, debug.SetMemoryLimit(-1), "the runtime's limit")
		})
	}
}
