package node

import (
	"runtime/debug"
)

// DefaultMemoryLimit is the soft limit on the Go runtime's memory (heap,
// stacks, runtime structures) that `custos start` sets unless GOMEMLIMIT
// is set: the garbage collector works harder as the heap nears it, and
// returns memory above it to the system. Without it the collector lets the
// heap grow to twice what is live, and badger's memtable arenas (about 166
// MiB each, at most two) make that most of the node's memory. It does not
// count the files badger maps into memory (docs/operators.md, "Memory").
const DefaultMemoryLimit = 768 << 20

// SetMemoryLimit applies DefaultMemoryLimit unless the environment's
// GOMEMLIMIT (which the Go runtime reads itself: a size such as 2GiB, or
// off) is set, and returns the limit in force and whether it came from the
// environment.
func SetMemoryLimit(getenv func(string) string) (limit int64, fromEnv bool) {
	if getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1), true
	}
	debug.SetMemoryLimit(DefaultMemoryLimit)
	return DefaultMemoryLimit, false
}
