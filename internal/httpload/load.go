// Package httpload makes HTTP GET load from lean keep-alive clients on
// 127.0.0.1 and reports throughput and the latency a client sees. The
// resolver's Go benchmarks and the bench harness measure with it.
//
// The clients share the machine's cores with the server they load, so
// Raw is lean: one goroutine per connection writing a request and reading
// the answer, as wrk does.
package httpload

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// A Client makes requests on one connection: Do sends one request and
// reads its answer whole.
type Client interface {
	Do() error
	Close() error
}

// Raw returns a minimal HTTP/1.1 keep-alive client, on one connection to
// addr, of paths picked at random (the order fixed by seed). An answer
// other than 200 is an error.
func Raw(addr string, paths []string, seed uint64) (Client, error) {
	if len(paths) == 0 {
		return nil, errors.New("httpload: no paths")
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &raw{conn: conn, br: bufio.NewReader(conn), paths: paths, rng: rand.New(rand.NewPCG(seed, 42))}, nil
}

type raw struct {
	conn  net.Conn
	br    *bufio.Reader
	paths []string
	rng   *rand.Rand
	req   []byte
}

func (c *raw) Do() error {
	p := c.paths[c.rng.IntN(len(c.paths))]
	c.req = append(append(append(c.req[:0], "GET "...), p...), " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"...)
	if _, err := c.conn.Write(c.req); err != nil {
		return err
	}
	res, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return err
	}
	return drain(res, p)
}

func (c *raw) Close() error { return c.conn.Close() }

// NetHTTP returns a client of Go's net/http, with one idle connection, of
// paths picked at random below base (http://host:port), the order fixed by
// seed. With two goroutines per connection it costs the machine more than
// Raw does; it is measured for reference.
func NetHTTP(base string, paths []string, seed uint64) (Client, error) {
	if len(paths) == 0 {
		return nil, errors.New("httpload: no paths")
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}
	return &netHTTP{tr: tr, hc: &http.Client{Transport: tr, Timeout: 10 * time.Second}, base: base, paths: paths,
		rng: rand.New(rand.NewPCG(seed, 42))}, nil
}

type netHTTP struct {
	tr    *http.Transport
	hc    *http.Client
	base  string
	paths []string
	rng   *rand.Rand
}

func (c *netHTTP) Do() error {
	p := c.paths[c.rng.IntN(len(c.paths))]
	res, err := c.hc.Get(c.base + p)
	if err != nil {
		return err
	}
	return drain(res, p)
}

func (c *netHTTP) Close() error {
	c.tr.CloseIdleConnections()
	return nil
}

// drain reads the answer to path p whole; an answer other than 200 is an
// error.
func drain(res *http.Response, p string) error {
	_, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: status %d", p, res.StatusCode)
	}
	return err
}

// Figures are what a load run measured.
type Figures struct {
	Requests int
	Elapsed  time.Duration
	// P50 and P99 are percentiles of the requests' round trips.
	P50, P99 time.Duration
}

// PerSecond is the requests answered per second.
func (f Figures) PerSecond() float64 {
	if f.Elapsed <= 0 {
		return 0
	}
	return float64(f.Requests) / f.Elapsed.Seconds()
}

// Run makes requests on every client at once, each client one request at
// a time: n requests in all when n > 0, otherwise as many as fit in dur.
// It stops at the first error and returns it.
func Run(clients []Client, n int, dur time.Duration) (Figures, error) {
	if len(clients) == 0 {
		return Figures{}, errors.New("httpload: no clients")
	}
	if n <= 0 && dur <= 0 {
		return Figures{}, errors.New("httpload: neither a request count nor a duration")
	}
	lat := make([][]time.Duration, len(clients))
	errs := make(chan error, len(clients))
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(dur)
	for c, cl := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; n <= 0 || i < n; i += len(clients) {
				t0 := time.Now()
				if n <= 0 && !t0.Before(deadline) {
					return
				}
				if err := cl.Do(); err != nil {
					errs <- err
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	f := Figures{Elapsed: time.Since(start)}
	select {
	case err := <-errs:
		return f, err
	default:
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	f.Requests = len(all)
	if len(all) > 0 {
		pct := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
		f.P50, f.P99 = pct(0.50), pct(0.99)
	}
	return f, nil
}
