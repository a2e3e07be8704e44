package resolver

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Routes, as the route label of the metrics.
const (
	routeResolve   = "resolve"
	routeHistory   = "history"
	routeKeyStatus = "key_status"
	routeHealth    = "healthz"
	routeMetrics   = "metrics"
	routeNetwork   = "network"
	routeOther     = "other"
)

// metrics are the resolver's Prometheus metrics, in a registry of its own.
type metrics struct {
	mu       sync.RWMutex
	counters map[routeCode]observers // few: routes × status codes
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	hits     prometheus.Counter
	misses   prometheus.Counter
}

func newMetrics(c *cache) *metrics {
	m := &metrics{
		counters: map[routeCode]observers{},
		reg:      prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "custos", Subsystem: "resolver", Name: "requests_total",
			Help: "HTTP requests answered, by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "custos", Subsystem: "resolver", Name: "request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		hits: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "custos", Subsystem: "resolver", Name: "cache_hits_total",
			Help: "Rendered documents served from the cache.",
		}),
		misses: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "custos", Subsystem: "resolver", Name: "cache_misses_total",
			Help: "Rendered documents not in the cache, rendered from state.",
		}),
	}
	entries := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: "custos", Subsystem: "resolver", Name: "cache_entries",
		Help: "Rendered documents in the cache.",
	}, func() float64 { return float64(c.len()) })
	m.reg.MustRegister(m.requests, m.latency, m.hits, m.misses, entries)
	return m
}

// observe records one answered request.
func (m *metrics) observe(route string, code int, d time.Duration) {
	k := routeCode{route, code}
	m.mu.RLock()
	c, ok := m.counters[k]
	m.mu.RUnlock()
	if !ok {
		c = observers{m.requests.WithLabelValues(route, strconv.Itoa(code)), m.latency.WithLabelValues(route)}
		m.mu.Lock()
		m.counters[k] = c
		m.mu.Unlock()
	}
	c.count.Inc()
	c.latency.Observe(d.Seconds())
}

type routeCode struct {
	route string
	code  int
}

// observers are the metrics of one route and status code, looked up once.
type observers struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}
