package resolver

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// History is the answer of GET /1.0/identifiers/{did}/history: the DID's
// key event log, oldest first, a page of at most MaxHistoryEvents events.
type History struct {
	ID          string          `json:"id"`
	Height      int64           `json:"height"`
	VersionID   string          `json:"versionId"`
	Deactivated bool            `json:"deactivated,omitempty"`
	Events      []didjson.Event `json:"events"`
	// Next is the sequence number of the first event of the next page,
	// absent on the last page.
	Next uint64 `json:"next,omitempty"`
}

func (s *Server) history(w http.ResponseWriter, r *http.Request, segment string) int {
	if !acceptsJSON(r.Header.Values("Accept")) {
		return writeError(w, 0, &apiError{status: http.StatusNotAcceptable, keyword: ErrRepresentationNotSupported, msg: "the history is served as " + MediaJSON})
	}
	id, aerr := parseDIDSegment(segment)
	if aerr != nil {
		return writeError(w, 0, aerr)
	}
	params, aerr := onlyParams(r.URL.RawQuery, "from", "limit")
	if aerr != nil {
		return writeError(w, 0, aerr)
	}
	from, limit := uint64(1), uint64(s.cfg.MaxHistoryEvents)
	if v, ok := params["from"]; ok {
		if from, ok = parseCount(v); !ok {
			return writeError(w, 0, badRequest(ErrInvalidOptions, "from must be an event sequence number: 1, 2, ..."))
		}
	}
	if v, ok := params["limit"]; ok {
		n, ok := parseCount(v)
		if !ok {
			return writeError(w, 0, badRequest(ErrInvalidOptions, "limit must be a positive number"))
		}
		limit = min(n, limit)
	}
	ctx, cancel := s.requestContext(r)
	defer cancel()
	view, err := s.src.View(ctx)
	if err != nil {
		return writeError(w, 0, s.internal(r, err))
	}
	defer view.Close()
	head, err := keeper.GetHead(view, id)
	if err != nil {
		return writeError(w, 0, s.internal(r, err))
	}
	height, err := view.Height()
	if err != nil {
		return writeError(w, 0, s.internal(r, err))
	}
	if head == nil {
		return writeError(w, height, &apiError{status: http.StatusNotFound, keyword: ErrNotFound, msg: id.String() + " is not registered"})
	}
	out := History{ID: id.String(), Height: height, VersionID: strconv.FormatUint(head.Version, 10), Deactivated: head.Deactivated, Events: []didjson.Event{}}
	for seq := from; seq <= head.Events && uint64(len(out.Events)) < limit; seq++ {
		ev, err := keeper.GetEvent(view, id, seq)
		if err == nil && ev == nil {
			err = errors.New("history entry " + strconv.FormatUint(seq, 10) + " of " + id.String() + " is missing from state")
		}
		if err != nil {
			return writeError(w, height, s.internal(r, err))
		}
		out.Events = append(out.Events, didjson.RenderEvent(id, ev))
	}
	if next := from + uint64(len(out.Events)); next <= head.Events {
		out.Next = next
	}
	return writeJSON(w, height, out)
}

// parseDIDSegment parses a path segment that must be a DID alone.
func parseDIDSegment(segment string) (types.ID, *apiError) {
	s, err := url.PathUnescape(segment)
	if err != nil {
		return types.ID{}, badRequest(ErrInvalidDID, "the DID in the path is not validly percent-encoded")
	}
	if s == "" {
		return types.ID{}, badRequest(ErrInvalidDID, "give a DID: did:custos:...")
	}
	id, err := types.ParseID(s)
	if err != nil {
		return types.ID{}, badRequest(ErrInvalidDID, types.Detail(err))
	}
	return id, nil
}
