package resolver

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// resolve answers GET /1.0/identifiers/{did-url}: resolution of a DID, or
// dereferencing of one of its fragments, at the latest version or the one
// the options name.
func (s *Server) resolve(w http.ResponseWriter, r *http.Request, segment string) int {
	repr := negotiate(r.Header.Values("Accept"))
	target, aerr := parseIdentifier(segment, r.URL.RawQuery)
	// A DID URL with a fragment is dereferenced: its answers, errors too,
	// are dereferencing results.
	deref := target.fragment != "" || (aerr != nil && strings.Contains(strings.ToLower(segment), "%23"))
	fail := func(height int64, e *apiError) int { return writeResolutionError(w, repr, deref, height, e) }
	if segment == "" {
		return fail(0, badRequest(ErrInvalidDID, "give a DID: "+PathIdentifiers+"did:custos:..."))
	}
	if aerr != nil {
		return fail(0, aerr)
	}
	if repr == reprNone {
		return fail(0, &apiError{status: http.StatusNotAcceptable, keyword: ErrRepresentationNotSupported,
			msg: "Accept names no representation this resolver produces: " + MediaResolutionLD + ", " + MediaResolution + ", " + MediaDIDLD + ", " + MediaDIDJSON + " or " + MediaDID})
	}
	ctx, cancel := s.requestContext(r)
	defer cancel()
	var view View
	var proved ProvedView
	if target.opts.proof {
		ps, ok := s.src.(ProvingSource)
		switch {
		case deref:
			return fail(0, badRequest(ErrInvalidOptions, "proof=true is offered for DID resolution, not for dereferencing a fragment"))
		case !repr.isResult():
			return fail(0, badRequest(ErrInvalidOptions, "proofs come in the resolution result's metadata: ask for "+MediaResolution))
		case !ok:
			return fail(0, badRequest(ErrInvalidOptions, "this resolver's source cannot prove its answers"))
		}
		pv, err := ps.ProvedView(ctx)
		if err != nil {
			return fail(0, s.internal(r, err))
		}
		view, proved = pv, pv
	} else {
		v, err := s.src.View(ctx)
		if err != nil {
			return fail(0, s.internal(r, err))
		}
		view = v
	}
	defer view.Close()
	head, version, rec, aerr := pickVersion(view, target)
	height, err := view.Height()
	if err != nil {
		return fail(0, s.internal(r, err))
	}
	if aerr != nil {
		if aerr.status == http.StatusInternalServerError {
			return fail(height, s.internal(r, errors.New(aerr.msg)))
		}
		if proved != nil && aerr.status == http.StatusNotFound {
			// notFound comes with the non-inclusion proof of the head.
			pm, err := renderProofs(proved)
			if err != nil {
				return fail(height, s.internal(r, err))
			}
			meta := mustJSON(resolutionMetadata{Error: aerr.keyword, ErrorMessage: aerr.msg, Custos: pm})
			parts := resultParts(nil, emptyObject, meta)
			return write(w, aerr.status, repr.contentType(false), height, false, parts[:]...)
		}
		return fail(height, aerr)
	}
	doc, err := s.rendered(view, target.id, head, version, rec)
	if err != nil {
		return fail(height, s.internal(r, err))
	}
	meta := doc.metaLatest
	if version < head.Version {
		meta = doc.metaOlder
	}
	status := http.StatusOK
	if doc.deactivated {
		status = http.StatusGone
	}
	cacheable := target.opts.versionID != 0
	if deref && !doc.deactivated {
		node, ok := doc.nodes[target.id.String()+"#"+target.fragment]
		if !ok {
			return fail(height, &apiError{status: http.StatusNotFound, keyword: ErrNotFound,
				msg: "version " + strconv.FormatUint(version, 10) + " of " + target.id.String() + " has no verification method or service #" + target.fragment})
		}
		switch repr {
		case reprDocJSON:
			return write(w, status, repr.contentType(true), height, cacheable, node)
		case reprDocLD, reprDoc:
			return write(w, status, repr.contentType(true), height, cacheable, withContext(node))
		}
		parts := dereferencingParts(withContext(node), meta, successMeta)
		return write(w, status, repr.contentType(true), height, cacheable, parts[:]...)
	}
	switch repr {
	case reprDocJSON:
		return write(w, status, repr.contentType(false), height, cacheable, doc.plain)
	case reprDocLD, reprDoc:
		return write(w, status, repr.contentType(false), height, cacheable, doc.ld)
	}
	resMeta := successMeta
	if proved != nil {
		pm, err := renderProofs(proved)
		if err != nil {
			return fail(height, s.internal(r, err))
		}
		resMeta, cacheable = mustJSON(resolutionMetadata{ContentType: MediaDIDLD, Custos: pm}), false
	}
	parts := resultParts(doc.ld, meta, resMeta)
	return write(w, status, repr.contentType(false), height, cacheable, parts[:]...)
}

// pickVersion reads the head of the target DID and picks the version the
// options ask for. rec is that version's record when picking it needed the
// record (versionTime), nil otherwise.
func pickVersion(view View, t identifier) (head *types.Head, version uint64, rec *types.VersionRecord, aerr *apiError) {
	head, err := keeper.GetHead(view, t.id)
	if err != nil {
		return nil, 0, nil, &apiError{status: http.StatusInternalServerError, keyword: ErrInternal, msg: err.Error()}
	}
	if head == nil {
		return nil, 0, nil, &apiError{status: http.StatusNotFound, keyword: ErrNotFound, msg: t.id.String() + " is not registered"}
	}
	switch {
	case t.opts.versionID != 0:
		if t.opts.versionID > head.Version {
			return nil, 0, nil, &apiError{status: http.StatusNotFound, keyword: ErrNotFound,
				msg: t.id.String() + " has no version " + strconv.FormatUint(t.opts.versionID, 10) + " (the latest is " + strconv.FormatUint(head.Version, 10) + ")"}
		}
		return head, t.opts.versionID, nil, nil
	case t.opts.hasTime:
		rec, err := versionAt(view, t.id, head, t.opts.versionTime)
		if err != nil {
			return nil, 0, nil, &apiError{status: http.StatusInternalServerError, keyword: ErrInternal, msg: err.Error()}
		}
		if rec == nil {
			return nil, 0, nil, &apiError{status: http.StatusNotFound, keyword: ErrNotFound,
				msg: t.id.String() + " did not exist at " + didjson.FormatTime(t.opts.versionTime) + " (created " + didjson.FormatTime(head.Created) + ")"}
		}
		return head, rec.Version, rec, nil
	}
	return head, head.Version, nil, nil
}

// getVersion reads a version that must exist.
func getVersion(view View, id types.ID, v uint64) (*types.VersionRecord, error) {
	rec, err := keeper.GetVersion(view, id, v)
	if err == nil && rec == nil {
		err = errors.New("version " + strconv.FormatUint(v, 10) + " of " + id.String() + " is missing from state")
	}
	return rec, err
}

// versionAt returns the version of id in force at time at: the last one
// whose block time is at or before at, found by binary search over the
// version records (their times never decrease). nil means id did not
// exist yet.
func versionAt(view View, id types.ID, head *types.Head, at int64) (*types.VersionRecord, error) {
	if at < head.Created {
		return nil, nil
	}
	get := func(v uint64) (*types.VersionRecord, error) { return getVersion(view, id, v) }
	if at >= head.Updated {
		return get(head.Version)
	}
	// Invariant: version lo is in force at or before at; hi is after it.
	lo, hi := uint64(1), head.Version
	var best *types.VersionRecord
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		rec, err := get(mid)
		if err != nil {
			return nil, err
		}
		if rec.Time <= at {
			lo, best = mid, rec
		} else {
			hi = mid - 1
		}
	}
	if best != nil && best.Version == lo {
		return best, nil
	}
	return get(lo)
}

// rendered returns the rendering of a version, from the cache, or made
// from rec (read from view when nil) and cached. A cache hit reads no
// version record.
func (s *Server) rendered(view View, id types.ID, head *types.Head, version uint64, rec *types.VersionRecord) (*rendered, error) {
	k := versionKey{id: id, version: version}
	if r, ok := s.cache.get(k); ok {
		s.metrics.hits.Inc()
		return r, nil
	}
	s.metrics.misses.Inc()
	if rec == nil {
		var err error
		if rec, err = getVersion(view, id, version); err != nil {
			return nil, err
		}
	}
	r, err := renderVersion(id, head.Created, rec)
	if err != nil {
		return nil, err
	}
	s.cache.put(k, r)
	return r, nil
}

// Empty metadata of a failed resolution.
var emptyObject = []byte("{}")

// writeResolutionError sends a failed resolution (or dereferencing) as a
// result with didDocument null, empty document metadata and the error
// keyword, in the negotiated result media type (application/did-resolution
// when the client asked for a document alone or for nothing we produce).
func writeResolutionError(w http.ResponseWriter, repr representation, deref bool, height int64, e *apiError) int {
	if !repr.isResult() {
		repr = reprResult
	}
	meta := mustJSON(resolutionMetadata{Error: e.keyword, ErrorMessage: e.msg})
	parts := resultParts(nil, emptyObject, meta)
	if deref {
		parts = dereferencingParts(nil, emptyObject, meta)
	}
	return write(w, e.status, repr.contentType(deref), height, false, parts[:]...)
}
