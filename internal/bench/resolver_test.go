package bench

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// ResolverBench fills a state, serves it over HTTP and takes a figure for
// 1 and 8 clients, in this process.
func TestResolverBench(t *testing.T) {
	var out bytes.Buffer
	figs, err := ResolverBench(300, 100*time.Millisecond, &out)
	require.NoError(t, err)
	require.Len(t, figs, 2)
	for i, clients := range []int{1, 8} {
		f := figs[i]
		require.Equal(t, 300, f.DIDs)
		require.Equal(t, clients, f.Clients)
		require.Positive(t, f.ReqPerS)
		require.Positive(t, f.P50us+f.P99us)
		require.GreaterOrEqual(t, f.P99us, f.P50us)
	}
	require.Contains(t, out.String(), "resolver: 300 DIDs in state in ")
	require.Contains(t, out.String(), "resolver: 300 DIDs, 8 clients: ")

	_, err = ResolverBench(0, time.Second, &out)
	require.ErrorContains(t, err, "need DIDs and a duration")
	_, err = ResolverBench(10, 0, &out)
	require.ErrorContains(t, err, "need DIDs and a duration")
}

func TestResolverTable(t *testing.T) {
	table := ResolverTable([]ResolverFigure{
		{DIDs: 10000, Clients: 1, ReqPerS: 14433, P50us: 54, P99us: 204},
		{DIDs: 10000, Clients: 8, ReqPerS: 28015, P50us: 213, P99us: 2853},
	})
	require.Contains(t, table, "| 10000 | 1 | 14433 | 54 µs | 204 µs |")
	require.Contains(t, table, "| 10000 | 8 | 28015 | 213 µs | 2853 µs |")
}
