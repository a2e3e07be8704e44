package resolver

import (
	"errors"
	"net/http"

	"github.com/custos-ledger/custos/x/did/didjson"
)

// Health is the answer of GET /healthz.
type Health struct {
	Status    string `json:"status"` // ok or unavailable
	ChainID   string `json:"chainId,omitempty"`
	Height    int64  `json:"height,omitempty"`
	BlockTime string `json:"blockTime,omitempty"`
	Source    string `json:"source"`
	Error     string `json:"error,omitempty"`
}

// health answers 200 when the source serves committed state, 503
// otherwise, for load balancers.
func (s *Server) health(w http.ResponseWriter, r *http.Request, _ string) int {
	if aerr := noParams(r); aerr != nil {
		return writeError(w, 0, aerr)
	}
	out, err := s.probe(r)
	if err != nil {
		s.log.Info("resolver: health check failed", "err", err)
		out = Health{Status: "unavailable", Source: s.src.Name(), Error: "no committed state to serve"}
		if !errors.Is(err, ErrNoState) {
			out.Error = "cannot read the node's state: " + err.Error()
		}
		return write(w, http.StatusServiceUnavailable, MediaJSON, 0, false, mustJSON(out))
	}
	return writeJSON(w, out.Height, out)
}

func (s *Server) probe(r *http.Request) (Health, error) {
	ctx, cancel := s.requestContext(r)
	defer cancel()
	view, err := s.src.View(ctx)
	if err != nil {
		return Health{}, err
	}
	defer view.Close()
	chain, err := chainID(view)
	if err != nil {
		return Health{}, err
	}
	height, err := view.Height()
	if err != nil {
		return Health{}, err
	}
	out := Health{Status: "ok", ChainID: chain, Height: height, Source: s.src.Name()}
	bt, ok, err := view.BlockTime()
	if err != nil {
		return Health{}, err
	}
	if ok {
		out.BlockTime = didjson.FormatTime(bt)
	}
	return out, nil
}
