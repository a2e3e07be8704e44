package resolver

import (
	"context"
	"errors"
	"fmt"
	stdlog "log"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/cometbft/cometbft/libs/log"
)

// Server is the resolver's HTTP server. Build it with New, then Listen and
// Serve (or Start) once, and Shutdown.
type Server struct {
	cfg     Config
	src     Source
	log     log.Logger
	cache   *cache
	metrics *metrics
	http    *http.Server

	mu       sync.Mutex
	ln       net.Listener
	serveErr chan error
}

// New returns a server of cfg answering from src. A nil logger logs
// nothing.
func New(cfg Config, src Source, logger log.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if src == nil {
		return nil, errors.New("resolver: no state source")
	}
	if logger == nil {
		logger = log.NewNopLogger()
	}
	s := &Server{cfg: cfg, src: src, log: logger, cache: newCache(cfg.CacheEntries), serveErr: make(chan error, 1)}
	s.metrics = newMetrics(s.cache)
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          stdlog.New(logWriter{logger}, "", 0),
	}
	return s, nil
}

// logWriter sends the HTTP server's own error lines (bad TLS, accept
// errors) to the resolver's logger.
type logWriter struct{ l log.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.l.Info("resolver: http server", "msg", strings.TrimSpace(string(p)))
	return len(p), nil
}

// Listen binds the configured address, so that a busy port is reported
// before anything else starts.
func (s *Server) Listen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return errors.New("resolver: Listen called twice")
	}
	ln, err := net.Listen("tcp", s.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("resolver: listen on %s: %w", s.cfg.ListenAddr, err)
	}
	s.ln = ln
	return nil
}

// Serve answers requests on the bound address in the background until
// Shutdown. Errors of the server end up in Err.
func (s *Server) Serve() {
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	if ln == nil {
		s.serveErr <- errors.New("resolver: Serve before Listen")
		return
	}
	go func() {
		err := s.http.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.serveErr <- err
	}()
	s.log.Info("resolver serving", "addr", "http://"+ln.Addr().String(), "source", s.src.Name())
}

// Start is Listen then Serve.
func (s *Server) Start() error {
	if err := s.Listen(); err != nil {
		return err
	}
	s.Serve()
	return nil
}

// Addr returns the address the server listens on (nil before Listen).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Err returns a channel that receives the server's result when it stops
// serving: nil after Shutdown, an error if it failed.
func (s *Server) Err() <-chan error { return s.serveErr }

// Shutdown stops accepting requests and waits, up to the configured
// shutdown timeout or ctx, for those in flight; connections still open
// then are closed. Running out of time is not an error: the server is
// stopped either way.
func (s *Server) Shutdown(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownTimeout)
	defer cancel()
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	err := s.http.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		// Requests still running, or connections a client opened and never
		// used (net/http waits 5s for those): cut them.
		s.log.Info("resolver: closing connections still open at shutdown")
		err = s.http.Close()
	}
	if ln != nil {
		// Shutdown closes listeners handed to Serve; close one that never
		// served.
		if cerr := ln.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) && err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("resolver: shutdown: %w", err)
	}
	return nil
}
