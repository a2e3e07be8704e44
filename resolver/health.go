package resolver

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/types"
)

// Health is the answer of GET /healthz.
type Health struct {
	Status    string `json:"status"` // ok or unavailable
	ChainID   string `json:"chainId,omitempty"`
	Height    int64  `json:"height,omitempty"`
	BlockTime string `json:"blockTime,omitempty"`
	Source    string `json:"source"`
	Error     string `json:"error,omitempty"`
	// WritePolicy is the chain's write policy (docs/write-policy.md), so
	// that writers can see what a create costs and how often a DID may
	// change.
	WritePolicy *WritePolicy `json:"writePolicy,omitempty"`
}

// WritePolicy is the write policy in force: fields 12-15 of the params in
// state, which a governance write-policy change rewrites.
type WritePolicy struct {
	Policy          string      `json:"policy"` // open or endorsed
	StampDifficulty uint32      `json:"stampDifficulty"`
	Endorsers       []string    `json:"endorsers,omitempty"`
	RateLimits      []RateLimit `json:"rateLimits,omitempty"`
}

// RateLimit is at most MaxOps counted operations on one DID per Period
// seconds of block time.
type RateLimit struct {
	PeriodSeconds int64  `json:"periodSeconds"`
	MaxOps        uint32 `json:"maxOps"`
}

// writePolicy reads the write policy from the params in v (nil when the
// state holds none).
func writePolicy(v View) (*WritePolicy, error) {
	raw, err := v.Get(types.ParamsKey())
	if err != nil || raw == nil {
		return nil, err
	}
	var p types.Params
	if err := p.Unmarshal(raw); err != nil {
		return nil, fmt.Errorf("resolver: params in state: %w", err)
	}
	out := &WritePolicy{Policy: "open", StampDifficulty: p.StampDifficulty, Endorsers: p.Endorsers}
	if p.WritePolicy == types.WRITE_POLICY_ENDORSED {
		out.Policy = "endorsed"
	}
	for _, l := range p.RateLimits {
		out.RateLimits = append(out.RateLimits, RateLimit{PeriodSeconds: l.Period, MaxOps: l.MaxOps})
	}
	return out, nil
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
	if out.WritePolicy, err = writePolicy(view); err != nil {
		return Health{}, err
	}
	bt, ok, err := view.BlockTime()
	if err != nil {
		return Health{}, err
	}
	if ok {
		out.BlockTime = didjson.FormatTime(bt)
	}
	return out, nil
}
