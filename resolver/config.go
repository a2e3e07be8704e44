package resolver

import (
	"errors"
	"fmt"
	"net"
	"time"
)

// Config is the resolver's HTTP server configuration.
type Config struct {
	// ListenAddr is the host:port the server listens on, e.g.
	// "127.0.0.1:8080".
	ListenAddr string
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request.
	ReadTimeout time.Duration
	// WriteTimeout bounds the time from the end of the request headers to
	// the end of the response.
	WriteTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection waits for its
	// next request.
	IdleTimeout time.Duration
	// ShutdownTimeout bounds how long Shutdown waits for requests in flight.
	ShutdownTimeout time.Duration
	// SourceTimeout bounds the state reads of one request.
	SourceTimeout time.Duration
	// MaxHeaderBytes bounds the request line and headers.
	MaxHeaderBytes int
	// MaxURLBytes bounds the request target (path and query); longer ones
	// get 414.
	MaxURLBytes int
	// CacheEntries bounds the cache of rendered documents (0 disables it).
	CacheEntries int
	// MaxHistoryEvents bounds the events of one history answer; longer
	// logs are paged.
	MaxHistoryEvents int
}

// DefaultListenAddr is where `custos start` serves the resolver.
const DefaultListenAddr = "127.0.0.1:8080"

// DefaultConfig returns the configuration a node runs with.
func DefaultConfig() Config {
	return Config{
		ListenAddr:        DefaultListenAddr,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		ShutdownTimeout:   5 * time.Second,
		SourceTimeout:     10 * time.Second,
		MaxHeaderBytes:    16 << 10,
		MaxURLBytes:       4 << 10,
		CacheEntries:      50_000,
		MaxHistoryEvents:  1000,
	}
}

// Validate reports the first thing wrong with the Config.
func (c Config) Validate() error {
	if c.ListenAddr == "" {
		return errors.New("resolver config: empty listen address: give host:port, e.g. " + DefaultListenAddr)
	}
	if _, _, err := net.SplitHostPort(c.ListenAddr); err != nil {
		return fmt.Errorf("resolver config: listen address %q: %v: give host:port, e.g. %s", c.ListenAddr, err, DefaultListenAddr)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"read header timeout", c.ReadHeaderTimeout}, {"read timeout", c.ReadTimeout},
		{"write timeout", c.WriteTimeout}, {"idle timeout", c.IdleTimeout},
		{"shutdown timeout", c.ShutdownTimeout}, {"source timeout", c.SourceTimeout},
	} {
		if d.v <= 0 {
			return fmt.Errorf("resolver config: %s must be positive, got %v", d.name, d.v)
		}
	}
	switch {
	case c.MaxHeaderBytes < 1024:
		return fmt.Errorf("resolver config: max header bytes must be at least 1024, got %d", c.MaxHeaderBytes)
	case c.MaxURLBytes < 256:
		return fmt.Errorf("resolver config: max URL bytes must be at least 256, got %d", c.MaxURLBytes)
	case c.MaxURLBytes > c.MaxHeaderBytes:
		return fmt.Errorf("resolver config: max URL bytes (%d) must not exceed max header bytes (%d)", c.MaxURLBytes, c.MaxHeaderBytes)
	case c.CacheEntries < 0:
		return fmt.Errorf("resolver config: cache entries must not be negative, got %d", c.CacheEntries)
	case c.MaxHistoryEvents < 1:
		return fmt.Errorf("resolver config: max history events must be at least 1, got %d", c.MaxHistoryEvents)
	}
	return nil
}
