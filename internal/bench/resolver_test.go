package bench

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseResolverBench(t *testing.T) {
	out := `resolver bench: 10000 DIDs in state in 2.1s (in memory)
goos: linux
BenchmarkResolveHTTP/dids=10000/cache=on/client=raw/clients=1-2         	   43808	     69285 ns/op	        54.00 p50-µs	       204.0 p99-µs	     14433 req/s
BenchmarkResolveHTTP/dids=10000/cache=on/client=raw/clients=8-2         	   97244	     35696 ns/op	       213.0 p50-µs	      2853 p99-µs	     28015 req/s
BenchmarkResolveHTTP/dids=10000/cache=on/client=nethttp/clients=8-2     	   75135	     46040 ns/op	       290.0 p50-µs	      3566 p99-µs	     21720 req/s
BenchmarkResolveHTTP/dids=10000/cache=off/client=raw/clients=1-2        	   40252	     95707 ns/op	        76.00 p50-µs	       242.0 p99-µs	     10449 req/s
PASS`
	require.Equal(t, []ResolverFigure{
		{DIDs: 10000, Clients: 1, ReqPerS: 14433, P50us: 54, P99us: 204},
		{DIDs: 10000, Clients: 8, ReqPerS: 28015, P50us: 213, P99us: 2853},
	}, ParseResolverBench(out))
	require.Empty(t, ParseResolverBench("FAIL\n"))
	require.Contains(t, ResolverTable(ParseResolverBench(out)), "| 10000 | 8 | 28015 | 213 µs | 2853 µs |")
}
