package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/custos-ledger/custos/internal/httpload"
	"github.com/custos-ledger/custos/resolver"
	"github.com/custos-ledger/custos/store"
	"github.com/custos-ledger/custos/x/did/types"
)

// ResolverFigure is one line of the resolver benchmark: HTTP resolution
// with the cache on, over raw keep-alive connections.
type ResolverFigure struct {
	DIDs    int     `json:"dids"`
	Clients int     `json:"clients"`
	ReqPerS float64 `json:"req_per_s"`
	P50us   float64 `json:"p50_us"`
	P99us   float64 `json:"p99_us"`
}

// inMemoryDIDs is the largest state ResolverBench keeps in memory; a
// larger one goes to a temporary folder.
const inMemoryDIDs = 200_000

// ResolverBench writes dids one-key DIDs into a fresh store, serves it
// with the HTTP resolver on 127.0.0.1 (cache on, large enough for every
// DID), and resolves random DIDs for dur with 1, then 8, concurrent
// raw keep-alive clients (package httpload), each after a short warm-up. It writes what it
// does and measures to out.
func ResolverBench(dids int, dur time.Duration, out io.Writer) ([]ResolverFigure, error) {
	if dids < 1 || dur <= 0 {
		return nil, fmt.Errorf("bench: resolver figures need DIDs and a duration, not %d and %v", dids, dur)
	}
	start := time.Now()
	opts := store.Options{InMemory: dids <= inMemoryDIDs, ReloadEvery: 64, OutOfTree: types.IsLogKey}
	dir := ""
	if !opts.InMemory {
		var err error
		if dir, err = os.MkdirTemp("", "custos-bench-resolver-"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
	}
	db, err := store.Open(dir, opts)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ids, err := fillResolvable(db, dids)
	if err != nil {
		return nil, err
	}
	if !opts.InMemory {
		// Right after a bulk fill, badger's pending compactions take the
		// CPUs for 15-20 s, and the first figure would be theirs. A node
		// that has run for a while is settled.
		if err := db.Flatten(); err != nil {
			return nil, err
		}
	}
	where := "in memory"
	if dir != "" {
		where = dir
	}
	fmt.Fprintf(out, "resolver: %d DIDs in state in %v (%s)\n", dids, time.Since(start).Round(time.Millisecond), where)

	cfg := resolver.DefaultConfig()
	cfg.ListenAddr = "127.0.0.1:0"
	cfg.CacheEntries = max(cfg.CacheEntries, dids)
	srv, err := resolver.New(cfg, resolver.NewLocalSource(db, nil), nil)
	if err != nil {
		return nil, err
	}
	if err := srv.Start(); err != nil {
		return nil, err
	}
	defer func() {
		srv.Shutdown(context.Background())
		<-srv.Err()
	}()
	paths := make([]string, len(ids))
	for i, id := range ids {
		paths[i] = resolver.PathIdentifiers + id.String()
	}
	var figs []ResolverFigure
	for _, n := range []int{1, 8} {
		f, err := resolveFor(srv.Addr().String(), paths, n, dur)
		if err != nil {
			return nil, fmt.Errorf("bench: resolver with %d DIDs, %d clients: %w", dids, n, err)
		}
		fig := ResolverFigure{DIDs: dids, Clients: n, ReqPerS: f.PerSecond(),
			P50us: float64(f.P50.Microseconds()), P99us: float64(f.P99.Microseconds())}
		fmt.Fprintf(out, "resolver: %d DIDs, %d clients: %d resolutions in %v: %.0f/s, p50 %.0f µs, p99 %.0f µs\n",
			dids, n, f.Requests, f.Elapsed.Round(time.Millisecond), fig.ReqPerS, fig.P50us, fig.P99us)
		figs = append(figs, fig)
	}
	return figs, nil
}

// resolveFor runs n raw clients of paths against addr for dur, after a
// warm-up of up to a second that is not measured (as go test's runs that
// size a benchmark are not).
func resolveFor(addr string, paths []string, n int, dur time.Duration) (httpload.Figures, error) {
	clients := make([]httpload.Client, 0, n)
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	for i := range n {
		c, err := httpload.Raw(addr, paths, uint64(i))
		if err != nil {
			return httpload.Figures{}, err
		}
		clients = append(clients, c)
	}
	if _, err := httpload.Run(clients, 0, min(dur, time.Second)); err != nil {
		return httpload.Figures{}, err
	}
	return httpload.Run(clients, 0, dur)
}

// ResolverTable renders resolver figures as markdown.
func ResolverTable(figs []ResolverFigure) string {
	var b strings.Builder
	b.WriteString("\n| DIDs in state | concurrent clients | resolutions/s | p50 | p99 |\n|---|---|---|---|---|\n")
	for _, f := range figs {
		fmt.Fprintf(&b, "| %d | %d | %.0f | %.0f µs | %.0f µs |\n", f.DIDs, f.Clients, f.ReqPerS, f.P50us, f.P99us)
	}
	return b.String()
}
