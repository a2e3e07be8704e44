package testutil

import (
	"net"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFreePorts(t *testing.T) {
	ports := FreePorts(t, 20)
	seen := map[int]bool{}
	for _, p := range ports {
		require.GreaterOrEqual(t, p, MinPort)
		require.Less(t, p, MaxPort)
		require.False(t, seen[p], "port %d returned twice", p)
		seen[p] = true
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])))
	require.NoError(t, err)
	require.NoError(t, l.Close())
}

func TestFreePortSkipsBusyPort(t *testing.T) {
	p := FreePort(t)
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	require.NoError(t, err)
	defer l.Close()
	require.False(t, isFree(p))
	for range 50 {
		require.NotEqual(t, p, FreePort(t))
	}
}
