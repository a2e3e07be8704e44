package testutil

import (
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"testing"
)

const (
	// MinPort is the smallest port FreePort returns.
	MinPort = 20000
	// MaxPort is one more than the largest port FreePort returns. It stays
	// below Linux's ephemeral range (32768+), which the kernel hands out to
	// outgoing connections.
	MaxPort = 32000
)

// FreePort returns a port in [MinPort, MaxPort) that is free on 127.0.0.1
// at the time of the call. Ports are probed in random order, so parallel
// test processes rarely pick the same one.
func FreePort(t testing.TB) int {
	t.Helper()
	return FreePorts(t, 1)[0]
}

// FreePorts returns n distinct ports as FreePort does.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	for attempt := 0; len(ports) < n; attempt++ {
		if attempt == 1000 {
			t.Fatalf("testutil: found only %d of %d free ports in [%d, %d) on 127.0.0.1", len(ports), n, MinPort, MaxPort)
		}
		p := MinPort + rand.IntN(MaxPort-MinPort)
		if slices.Contains(ports, p) || !isFree(p) {
			continue
		}
		ports = append(ports, p)
	}
	return ports
}

// isFree reports whether a TCP listener can bind 127.0.0.1:port.
func isFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	return l.Close() == nil
}

// FreeRange returns a base such that the n ports base, base+1, ...,
// base+n-1 are all free on 127.0.0.1 at the time of the call, for commands
// that take a base port and number ports from it.
func FreeRange(t testing.TB, n int) int {
	t.Helper()
	for attempt := 0; attempt < 1000; attempt++ {
		base := MinPort + rand.IntN(MaxPort-MinPort-n)
		free := true
		for p := base; p < base+n && free; p++ {
			free = isFree(p)
		}
		if free {
			return base
		}
	}
	t.Fatalf("testutil: found no %d free consecutive ports in [%d, %d) on 127.0.0.1", n, MinPort, MaxPort)
	return 0
}
