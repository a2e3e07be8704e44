package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
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

// ResolverBench runs `go test ./resolver -bench BenchmarkResolveHTTP` with
// dids DIDs in state (CUSTOS_BENCH_DIDS), from the module root, copying its
// output to out, and returns the cache-on figures for 1 and 8 clients.
func ResolverBench(dids int, benchtime string, out io.Writer) ([]ResolverFigure, error) {
	pattern := fmt.Sprintf("BenchmarkResolveHTTP/dids=%d/cache=on/client=raw", dids)
	cmd := exec.Command("go", "test", "./resolver", "-run", "^$", "-bench", pattern,
		"-benchtime", benchtime, "-timeout", "90m")
	cmd.Env = append(os.Environ(), fmt.Sprintf("CUSTOS_BENCH_DIDS=%d", dids))
	var buf bytes.Buffer
	cmd.Stdout = io.MultiWriter(&buf, out)
	cmd.Stderr = out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("resolver benchmark with %d DIDs: %w", dids, err)
	}
	figs := ParseResolverBench(buf.String())
	if len(figs) == 0 {
		return nil, fmt.Errorf("resolver benchmark with %d DIDs printed no figures", dids)
	}
	return figs, nil
}

var benchLine = regexp.MustCompile(`^BenchmarkResolveHTTP/dids=(\d+)/cache=on/client=raw/clients=(\d+)\S*\s+\d+\s+\d+ ns/op(.*)$`)

// ParseResolverBench reads the cache-on, raw-client lines of the resolver
// benchmark's output.
func ParseResolverBench(s string) []ResolverFigure {
	var out []ResolverFigure
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		f := ResolverFigure{}
		f.DIDs, _ = strconv.Atoi(m[1])
		f.Clients, _ = strconv.Atoi(m[2])
		fields := strings.Fields(m[3])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			switch fields[i+1] {
			case "req/s":
				f.ReqPerS = v
			case "p50-µs":
				f.P50us = v
			case "p99-µs":
				f.P99us = v
			}
		}
		out = append(out, f)
	}
	return out
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
