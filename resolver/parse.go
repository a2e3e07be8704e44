package resolver

import (
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/types"
)

// Error keywords of didResolutionMetadata.error (W3C DID Core §7.1.2 and the
// DID Resolution spec).
const (
	ErrInvalidDID                 = "invalidDid"
	ErrInvalidDIDURL              = "invalidDidUrl"
	ErrNotFound                   = "notFound"
	ErrRepresentationNotSupported = "representationNotSupported"
	ErrInvalidOptions             = "invalidOptions"
	ErrMethodNotSupported         = "methodNotSupported"
	ErrInternal                   = "internalError"
)

// apiError is a refused request: its status, keyword and a message for
// people.
type apiError struct {
	status  int
	keyword string
	msg     string
}

func (e *apiError) Error() string { return e.keyword + ": " + e.msg }

func badRequest(keyword, msg string) *apiError {
	return &apiError{status: 400, keyword: keyword, msg: msg}
}

// Resolution options, as query parameters of the HTTP request or of the
// DID URL.
const (
	optVersionID   = "versionId"
	optVersionTime = "versionTime"
	optProof       = "proof"
)

// resolveOptions are the parsed options of a resolution.
type resolveOptions struct {
	versionID   uint64 // 0: not asked
	versionTime int64
	hasTime     bool
	proof       bool // answer at the latest provable height, with proofs
}

// identifier is the parsed target of GET /1.0/identifiers/{did-url}.
type identifier struct {
	id       types.ID
	fragment string // "" resolves the DID; otherwise dereference this fragment
	opts     resolveOptions
}

// parseIdentifier parses the escaped path segment after /1.0/identifiers/
// and the request's raw query. The segment is a DID or a DID URL with a
// query (?versionId=...) and/or a fragment (%23key-1), percent-encoded.
func parseIdentifier(segment, rawQuery string) (identifier, *apiError) {
	s, err := url.PathUnescape(segment)
	if err != nil {
		return identifier{}, badRequest(ErrInvalidDID, "the DID in the path is not validly percent-encoded")
	}
	didPart, frag, hasFrag := strings.Cut(s, "#")
	didPart, didQuery, hasQuery := strings.Cut(didPart, "?")
	if strings.HasPrefix(didPart, "did:") && !strings.HasPrefix(didPart, types.Prefix) {
		if method, _, ok := strings.Cut(didPart[len("did:"):], ":"); ok && validMethodName(method) {
			return identifier{}, &apiError{status: 400, keyword: ErrMethodNotSupported,
				msg: "this resolver serves did:" + types.Method + " only, not did:" + types.Truncate(method)}
		}
	}
	if i := strings.IndexByte(didPart, '/'); i >= 0 && strings.HasPrefix(didPart, types.Prefix) {
		return identifier{}, badRequest(ErrInvalidDIDURL, "did:custos DID URLs have no path; name a key or service with a fragment (%23fragment)")
	}
	id, err := types.ParseID(didPart)
	if err != nil {
		keyword := ErrInvalidDID
		if hasFrag || hasQuery {
			keyword = ErrInvalidDIDURL // the input is a DID URL
		}
		return identifier{}, badRequest(keyword, types.Detail(err))
	}
	out := identifier{id: id}
	if hasFrag {
		if err := types.ValidateFragment(frag); err != nil {
			return identifier{}, badRequest(ErrInvalidDIDURL, types.Detail(err))
		}
		out.fragment = frag
	}
	if !hasQuery && rawQuery == "" {
		return out, nil
	}
	params, aerr := mergeQueries(didQuery, hasQuery, rawQuery)
	if aerr != nil {
		return identifier{}, aerr
	}
	out.opts, aerr = parseResolveOptions(params)
	return out, aerr
}

// validMethodName reports whether s is a DID method name (DID Core §3.1).
func validMethodName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// mergeQueries joins the DID URL's query and the HTTP query; a parameter
// may be given once in all.
func mergeQueries(didQuery string, hasDIDQuery bool, rawQuery string) (map[string]string, *apiError) {
	out := map[string]string{}
	add := func(raw string, where string) *apiError {
		vals, err := url.ParseQuery(raw)
		if err != nil {
			return badRequest(ErrInvalidOptions, "the "+where+" query is not validly encoded")
		}
		for k, vs := range vals {
			if _, dup := out[k]; dup || len(vs) > 1 {
				return badRequest(ErrInvalidOptions, "option "+strconv.Quote(types.Truncate(k))+" is given more than once")
			}
			out[k] = vs[0]
		}
		return nil
	}
	if hasDIDQuery {
		if err := add(didQuery, "DID URL"); err != nil {
			return nil, err
		}
	}
	if err := add(rawQuery, "request"); err != nil {
		return nil, err
	}
	return out, nil
}

func parseResolveOptions(params map[string]string) (resolveOptions, *apiError) {
	var o resolveOptions
	for _, k := range slices.Sorted(maps.Keys(params)) {
		v := params[k]
		switch k {
		case optVersionID:
			n, ok := parseCount(v)
			if !ok {
				return o, badRequest(ErrInvalidOptions, "versionId must be a version number: 1, 2, ...")
			}
			o.versionID = n
		case optVersionTime:
			t, err := time.Parse(didjson.TimeFormat, v)
			if err != nil || didjson.FormatTime(t.Unix()) != v {
				return o, badRequest(ErrInvalidOptions, "versionTime must be a whole-second UTC time such as 2024-05-01T12:00:00Z")
			}
			o.versionTime, o.hasTime = t.Unix(), true
		case optProof:
			switch v {
			case "false":
			case "true":
				o.proof = true
			default:
				return o, badRequest(ErrInvalidOptions, "proof must be true or false")
			}
		default:
			return o, badRequest(ErrInvalidOptions, "unknown option "+strconv.Quote(types.Truncate(k))+": the resolver takes versionId, versionTime and proof")
		}
	}
	if o.versionID != 0 && o.hasTime {
		return o, badRequest(ErrInvalidOptions, "give versionId or versionTime, not both")
	}
	return o, nil
}

// parseCount parses a canonical decimal number ≥ 1 (no sign, no leading
// zero).
func parseCount(s string) (uint64, bool) {
	if s == "" || s[0] == '0' || len(s) > 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// parseKeyURL parses the escaped path segment of /1.0/keys/{did-url}/status:
// a DID URL naming a key by fragment, with "#" percent-encoded (%23).
func parseKeyURL(segment string) (types.URL, *apiError) {
	s, err := url.PathUnescape(segment)
	if err != nil {
		return types.URL{}, badRequest(ErrInvalidDIDURL, "the DID URL in the path is not validly percent-encoded")
	}
	if s == "" {
		return types.URL{}, badRequest(ErrInvalidDIDURL, "no key named: ask for /1.0/keys/{did-url}/status, e.g. /1.0/keys/did:custos:...%23key-1/status")
	}
	if !strings.Contains(s, "#") {
		return types.URL{}, badRequest(ErrInvalidDIDURL, "name the key with a fragment, the # percent-encoded: /1.0/keys/did:custos:...%23key-1/status")
	}
	u, err := types.ParseURL(s)
	if err != nil {
		return types.URL{}, badRequest(ErrInvalidDIDURL, types.Detail(err))
	}
	return u, nil
}

// parseAt parses the at option of a key status: an RFC 3339 time, any
// offset; fractions of a second are dropped (block times are whole
// seconds).
func parseAt(s string) (int64, *apiError) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, badRequest(ErrInvalidOptions, "at must be an RFC 3339 time such as 2024-05-01T12:00:00Z")
	}
	return t.Unix(), nil
}

// onlyParams checks that the query has no parameter but the allowed ones,
// each at most once, and returns them.
func onlyParams(rawQuery string, allowed ...string) (map[string]string, *apiError) {
	params, aerr := mergeQueries("", false, rawQuery)
	if aerr != nil {
		return nil, aerr
	}
	for _, k := range slices.Sorted(maps.Keys(params)) {
		if !slices.Contains(allowed, k) {
			takes := "no options"
			if len(allowed) > 0 {
				takes = strings.Join(allowed, ", ")
			}
			return nil, badRequest(ErrInvalidOptions, "unknown option "+strconv.Quote(types.Truncate(k))+": this endpoint takes "+takes)
		}
	}
	return params, nil
}
