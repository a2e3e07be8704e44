package resolver

import (
	"context"
	"encoding/json"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// Paths of the resolver's endpoints.
const (
	PathIdentifiers = "/1.0/identifiers/"
	PathKeys        = "/1.0/keys/"
	// PathValidators and PathNetworkHistory serve the validator set and
	// the governance DID's history (docs/network.md).
	PathValidators     = "/1.0/network/validators"
	PathNetworkHistory = "/1.0/network/history"
	PathHealth         = "/healthz"
	PathMetrics        = "/metrics"

	suffixHistory = "/history"
	suffixStatus  = "/status"
)

// HeaderHeight names the response header that carries the committed
// height an answer was read at.
const HeaderHeight = "X-Custos-Height"

// ServeHTTP routes a request, records its metrics, and turns a panic into
// a 500 (a bug: it is logged with its stack).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	route, code := routeOther, 0
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.Error("resolver: panic serving a request", "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
			code = writeError(w, 0, &apiError{status: 500, keyword: ErrInternal, msg: "the resolver failed; see its log"})
		}
		s.metrics.observe(route, code, time.Since(start))
	}()
	route, code = s.route(w, r)
}

// route dispatches on the escaped path, so that %2F and %23 inside an
// identifier stay inside it.
func (s *Server) route(w http.ResponseWriter, r *http.Request) (string, int) {
	path := r.URL.EscapedPath()
	route, handle := routeOther, s.notFound
	var segment string
	switch {
	case path == PathHealth:
		route, handle = routeHealth, s.health
	case path == PathMetrics:
		route, handle = routeMetrics, s.serveMetrics
	case path == PathValidators:
		route, handle = routeNetwork, s.validators
	case path == PathNetworkHistory:
		route, handle = routeNetwork, s.networkHistory
	case path == PathUpgrade:
		route, handle = routeNetwork, s.upgrade
	case strings.HasPrefix(path, PathIdentifiers):
		segment = path[len(PathIdentifiers):]
		route, handle = routeResolve, s.resolve
		if rest, ok := strings.CutSuffix(segment, suffixHistory); ok {
			segment, route, handle = rest, routeHistory, s.history
		}
	case strings.HasPrefix(path, PathKeys):
		// "/1.0/keys/status" names no key: its segment is empty, and the
		// handler answers 400 like any other missing key.
		rest := path[len(PathKeys):]
		if rest == suffixStatus[1:] {
			route, handle = routeKeyStatus, s.keyStatus
		} else if seg, ok := strings.CutSuffix(rest, suffixStatus); ok {
			segment, route, handle = seg, routeKeyStatus, s.keyStatus
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		return route, writeError(w, 0, &apiError{status: http.StatusMethodNotAllowed, keyword: "methodNotAllowed", msg: "only GET and HEAD are served"})
	}
	if len(r.RequestURI) > s.cfg.MaxURLBytes {
		return route, writeError(w, 0, &apiError{status: http.StatusRequestURITooLong, keyword: ErrInvalidDID,
			msg: "the request target is longer than " + strconv.Itoa(s.cfg.MaxURLBytes) + " bytes"})
	}
	return route, handle(w, r, segment)
}

func (s *Server) notFound(w http.ResponseWriter, _ *http.Request, _ string) int {
	return writeError(w, 0, &apiError{status: http.StatusNotFound, keyword: ErrNotFound,
		msg: "no such endpoint: see " + PathIdentifiers + "{did}, " + PathIdentifiers + "{did}/history, " + PathKeys + "{did-url}/status, " + PathValidators + ", " + PathNetworkHistory + ", " + PathUpgrade + ", " + PathHealth + " and " + PathMetrics})
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request, _ string) int {
	if aerr := noParams(r); aerr != nil {
		return writeError(w, 0, aerr)
	}
	rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
	s.metrics.handler().ServeHTTP(rec, r)
	return rec.code
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// requestContext bounds the state reads of one request. Reads of a local
// store do not block on the network and take no deadline.
func (s *Server) requestContext(r *http.Request) (context.Context, context.CancelFunc) {
	if _, local := s.src.(*LocalSource); local {
		return r.Context(), func() {}
	}
	return context.WithTimeout(r.Context(), s.cfg.SourceTimeout)
}

// Preallocated header values of the hot path.
var (
	noCache      = []string{"no-cache"}
	immutable    = []string{"public, max-age=31536000, immutable"}
	varyAccept   = []string{"Accept"}
	contentTypes = func() map[string][]string {
		m := map[string][]string{}
		for _, t := range []string{MediaResolution, MediaResolutionLD, MediaDereferencing, MediaDereferencingLD, MediaDIDLD, MediaDIDJSON, MediaDID, MediaJSON} {
			m[t] = []string{t}
		}
		return m
	}()
)

// write sends a complete answer, the concatenation of body's parts.
// height 0 sends no height header.
func write(w http.ResponseWriter, status int, contentType string, height int64, cacheable bool, body ...[]byte) int {
	n := 0
	for _, b := range body {
		n += len(b)
	}
	h := w.Header()
	ct, ok := contentTypes[contentType]
	if !ok {
		ct = []string{contentType}
	}
	h["Content-Type"] = ct
	h["Content-Length"] = []string{strconv.Itoa(n)}
	h["Vary"] = varyAccept
	if cacheable {
		h["Cache-Control"] = immutable
	} else {
		h["Cache-Control"] = noCache
	}
	if height > 0 {
		h[HeaderHeight] = []string{strconv.FormatInt(height, 10)}
	}
	w.WriteHeader(status)
	for _, b := range body {
		if _, err := w.Write(b); err != nil {
			break // the client went away, or HEAD
		}
	}
	return status
}

// errorBody is the error answer of every endpoint but resolution.
type errorBody struct {
	Error        string `json:"error"`
	ErrorMessage string `json:"errorMessage,omitempty"`
}

// writeError sends a plain JSON error.
func writeError(w http.ResponseWriter, height int64, e *apiError) int {
	return write(w, e.status, MediaJSON, height, false, mustJSON(errorBody{Error: e.keyword, ErrorMessage: e.msg}))
}

// writeJSON sends v as JSON with status 200.
func writeJSON(w http.ResponseWriter, height int64, v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		return writeError(w, height, &apiError{status: 500, keyword: ErrInternal, msg: "cannot encode the answer"})
	}
	return write(w, http.StatusOK, MediaJSON, height, false, b)
}

// noParams refuses any query parameter.
func noParams(r *http.Request) *apiError {
	_, aerr := onlyParams(r.URL.RawQuery)
	return aerr
}

// internal logs a fault of the node or its store and returns the 500 the
// client gets.
func (s *Server) internal(r *http.Request, err error) *apiError {
	s.log.Error("resolver: cannot read state", "path", r.URL.Path, "err", err)
	return &apiError{status: http.StatusInternalServerError, keyword: ErrInternal, msg: "the resolver could not read the node's state; try again, and see the resolver's log"}
}
