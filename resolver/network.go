package resolver

import (
	"encoding/base64"
	"net/http"
	"net/url"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/custos-ledger/custos/x/did/keeper"
)

// Validators is the answer of GET /1.0/network/validators: the validator
// set in the committed state at height, in consensus-key order, with the
// governance DID that changes it (absent: none, the set never changes).
type Validators struct {
	Height        int64       `json:"height"`
	Governance    string      `json:"governance,omitempty"`
	MinValidators uint32      `json:"minValidators"`
	TotalPower    int64       `json:"totalPower"`
	LastChange    int64       `json:"lastChangeHeight"`
	Validators    []Validator `json:"validators"`
}

// Validator is one member of the set: its consensus key (base64, as
// CometBFT writes it), its CometBFT address (hex), moniker, power and
// the heights it joined at and last changed at.
type Validator struct {
	PublicKey string `json:"publicKey"`
	Address   string `json:"address"`
	Moniker   string `json:"moniker,omitempty"`
	Power     int64  `json:"power"`
	Added     int64  `json:"addedHeight"`
	Changed   int64  `json:"changedHeight"`
}

func (s *Server) validators(w http.ResponseWriter, r *http.Request, _ string) int {
	if !acceptsJSON(r.Header.Values("Accept")) {
		return writeError(w, 0, &apiError{status: http.StatusNotAcceptable, keyword: ErrRepresentationNotSupported, msg: "the validator set is served as " + MediaJSON})
	}
	if aerr := noParams(r); aerr != nil {
		return writeError(w, 0, aerr)
	}
	ctx, cancel := s.requestContext(r)
	defer cancel()
	view, err := s.src.View(ctx)
	if err != nil {
		return writeError(w, 0, s.internal(r, err))
	}
	defer view.Close()
	height, err := view.Height()
	if err != nil {
		return writeError(w, 0, s.internal(r, err))
	}
	out := Validators{Height: height, Validators: []Validator{}}
	if gov, ok, err := keeper.GovernanceDID(view); err != nil {
		return writeError(w, height, s.internal(r, err))
	} else if ok {
		out.Governance = gov.String()
	}
	params, err := keeper.GetParams(view)
	if err != nil {
		return writeError(w, height, s.internal(r, err))
	}
	out.MinValidators = params.MinValidators
	set, vals, err := keeper.Validators(view)
	if err != nil {
		return writeError(w, height, s.internal(r, err))
	}
	out.TotalPower, out.LastChange = set.TotalPower, set.LastChange
	for _, v := range vals {
		out.Validators = append(out.Validators, Validator{
			PublicKey: base64.StdEncoding.EncodeToString(v.PubKey), Address: ed25519.PubKey(v.PubKey).Address().String(),
			Moniker: v.Moniker, Power: v.Power, Added: v.Added, Changed: v.Changed,
		})
	}
	return writeJSON(w, height, out)
}

// networkHistory answers GET /1.0/network/history: the governance DID's
// history (every validator change, and every change of the DID itself),
// as /1.0/identifiers/{governance DID}/history answers it, with its
// from and limit.
func (s *Server) networkHistory(w http.ResponseWriter, r *http.Request, _ string) int {
	ctx, cancel := s.requestContext(r)
	defer cancel()
	view, err := s.src.View(ctx)
	if err != nil {
		return writeError(w, 0, s.internal(r, err))
	}
	gov, ok, err := keeper.GovernanceDID(view)
	view.Close()
	if err != nil {
		return writeError(w, 0, s.internal(r, err))
	}
	if !ok {
		return writeError(w, 0, &apiError{status: http.StatusNotFound, keyword: ErrNotFound, msg: "this network's genesis names no governance DID: its validator set never changes"})
	}
	return s.history(w, r, url.PathEscape(gov.String()))
}
