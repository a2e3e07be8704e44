package resolver

import (
	"net/http"
	"time"

	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/keeper"
)

// KeyStatus is the answer of GET /1.0/keys/{did-url}/status: the key's
// status at a time, read at Height.
type KeyStatus struct {
	didjson.KeyStatus
	Height int64 `json:"height"`
	// AtLatestState is true when no time was asked: the answer is the
	// status in the latest committed state, and At is the time of its
	// block (or the resolver's clock when the source cannot tell).
	AtLatestState bool `json:"atLatestState,omitempty"`
}

func (s *Server) keyStatus(w http.ResponseWriter, r *http.Request, segment string) int {
	if !acceptsJSON(r.Header.Values("Accept")) {
		return writeError(w, 0, &apiError{status: http.StatusNotAcceptable, keyword: ErrRepresentationNotSupported, msg: "key status is served as " + MediaJSON})
	}
	u, aerr := parseKeyURL(segment)
	if aerr != nil {
		return writeError(w, 0, aerr)
	}
	params, aerr := onlyParams(r.URL.RawQuery, "at")
	if aerr != nil {
		return writeError(w, 0, aerr)
	}
	atStr, hasAt := params["at"]
	var at int64
	if hasAt {
		if at, aerr = parseAt(atStr); aerr != nil {
			return writeError(w, 0, aerr)
		}
	}
	ctx, cancel := s.requestContext(r)
	defer cancel()
	view, err := s.src.View(ctx)
	if err != nil {
		return writeError(w, 0, s.internal(r, err))
	}
	defer view.Close()
	head, err := keeper.GetHead(view, u.ID)
	if err != nil {
		return writeError(w, 0, s.internal(r, err))
	}
	height, err := view.Height()
	if err != nil {
		return writeError(w, 0, s.internal(r, err))
	}
	if head == nil {
		return writeError(w, height, &apiError{status: http.StatusNotFound, keyword: ErrNotFound, msg: u.ID.String() + " is not registered"})
	}
	if !hasAt {
		// Every change of a key is at or before the DID's last update, so
		// any time from then on gives the latest state's answer.
		bt, ok, err := view.BlockTime()
		if err != nil {
			return writeError(w, height, s.internal(r, err))
		}
		if !ok {
			bt = time.Now().Unix()
		}
		at = max(bt, head.Updated)
	}
	// The head keeps the recent key records; older periods are read from
	// the history entries that archived them.
	rec, err := keeper.KeyRecordAt(view, u.ID, head, u.Fragment, at)
	if err != nil {
		return writeError(w, height, s.internal(r, err))
	}
	return writeJSON(w, height, KeyStatus{KeyStatus: didjson.RenderKeyStatus(u, rec, at), Height: height, AtLatestState: !hasAt})
}
