package resolver

import (
	"strconv"
	"strings"
)

// representation is what a resolution answer carries, chosen by Accept.
type representation int

const (
	reprNone     representation = iota
	reprResultLD                // resolution result, application/ld+json;profile=did-resolution (the default)
	reprResult                  // resolution result, application/did-resolution
	reprDocLD                   // the document alone, application/did+ld+json
	reprDocJSON                 // the document alone without @context, application/did+json
	reprDoc                     // the document alone, application/did
)

// Media types the resolver produces.
const (
	ProfileResolution    = "https://w3id.org/did-resolution"
	ProfileDereferencing = "https://w3id.org/did-url-dereferencing"

	MediaResolution      = "application/did-resolution"
	MediaResolutionLD    = `application/ld+json;profile="` + ProfileResolution + `"`
	MediaDereferencing   = "application/did-url-dereferencing"
	MediaDereferencingLD = `application/ld+json;profile="` + ProfileDereferencing + `"`
	MediaDIDLD           = "application/did+ld+json"
	MediaDIDJSON         = "application/did+json"
	MediaDID             = "application/did"
	MediaJSON            = "application/json"
)

// isResult reports whether r is a resolution (or dereferencing) result
// rather than the document alone.
func (r representation) isResult() bool { return r == reprResultLD || r == reprResult }

// contentType is the Content-Type of an answer in r; deref selects the
// dereferencing result's media types.
func (r representation) contentType(deref bool) string {
	switch r {
	case reprResultLD:
		if deref {
			return MediaDereferencingLD
		}
		return MediaResolutionLD
	case reprResult:
		if deref {
			return MediaDereferencing
		}
		return MediaResolution
	case reprDocLD:
		return MediaDIDLD
	case reprDocJSON:
		return MediaDIDJSON
	case reprDoc:
		return MediaDID
	}
	return ""
}

// offers are the representations of a resolution, in the server's order
// of preference for ties.
var offers = [...]struct {
	repr          representation
	typ, sub      string
	profiles      []string // for ld+json: the profile the range must name, if it names one
	alsoMediaType string   // a second media type meaning the same
}{
	{repr: reprResultLD, typ: "application", sub: "ld+json", profiles: []string{ProfileResolution, ProfileDereferencing}},
	{repr: reprResult, typ: "application", sub: "did-resolution", alsoMediaType: MediaDereferencing},
	{repr: reprDocLD, typ: "application", sub: "did+ld+json"},
	{repr: reprDocJSON, typ: "application", sub: "did+json"},
	{repr: reprDoc, typ: "application", sub: "did"},
}

// maxAcceptRanges bounds the media ranges read from Accept headers.
const maxAcceptRanges = 32

// mediaRange is one element of an Accept header.
type mediaRange struct {
	typ, sub string
	profile  string // the profile parameter, unquoted; "" if none
	q        float64
}

// parseAccept reads the media ranges of Accept header values. Elements it
// cannot read are skipped. An absent or empty header is "*/*".
func parseAccept(values []string) []mediaRange {
	var out []mediaRange
	given := false
	for _, v := range values {
		if strings.TrimSpace(v) == "" {
			continue
		}
		given = true
		for part := range strings.SplitSeq(v, ",") {
			if len(out) == maxAcceptRanges {
				return out
			}
			if mr, ok := parseRange(part); ok {
				out = append(out, mr)
			}
		}
	}
	if !given {
		out = append(out, mediaRange{typ: "*", sub: "*", q: 1})
	}
	return out
}

func parseRange(s string) (mediaRange, bool) {
	params := strings.Split(s, ";")
	mt := strings.ToLower(strings.TrimSpace(params[0]))
	typ, sub, ok := strings.Cut(mt, "/")
	if !ok || typ == "" || sub == "" || (typ == "*" && sub != "*") {
		return mediaRange{}, false
	}
	mr := mediaRange{typ: typ, sub: sub, q: 1}
	for _, p := range params[1:] {
		k, v, _ := strings.Cut(p, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		switch k {
		case "q":
			q, err := strconv.ParseFloat(v, 64)
			if err != nil || q < 0 || q > 1 {
				return mediaRange{}, false
			}
			mr.q = q
		case "profile":
			mr.profile = strings.Trim(v, `"`)
		}
	}
	return mr, true
}

// matches reports how specifically r matches the offer: 0 not at all, 1
// */*, 2 type/*, 3 the media type itself.
func (r mediaRange) matches(i int) int {
	o := offers[i]
	switch {
	case r.typ == "*":
		return 1
	case r.typ != o.typ:
		return 0
	case r.sub == "*":
		return 2
	case r.sub == o.sub:
		if o.profiles != nil && r.profile != "" && !hasProfile(r.profile, o.profiles) {
			return 0
		}
		return 3
	case o.alsoMediaType != "" && r.typ+"/"+r.sub == o.alsoMediaType:
		return 3
	}
	return 0
}

// hasProfile reports whether a profile parameter (a space-separated list of
// URIs) names one of want.
func hasProfile(param string, want []string) bool {
	for p := range strings.FieldsSeq(param) {
		for _, w := range want {
			if p == w {
				return true
			}
		}
	}
	return false
}

// negotiate picks the representation of a resolution for the Accept
// header values: the offer with the highest q, where each offer takes the
// q of the most specific range that matches it; ties go to the more
// specific match, then to the range listed first, then to the server's
// order. reprNone means nothing acceptable.
func negotiate(accept []string) representation {
	if len(accept) == 0 {
		return reprResultLD
	}
	ranges := parseAccept(accept)
	best, bestQ, bestSpec, bestPos := reprNone, 0.0, 0, 0
	for i := range offers {
		q, spec, pos := 0.0, 0, 0
		for j, r := range ranges {
			if m := r.matches(i); m > spec {
				q, spec, pos = r.q, m, j
			}
		}
		if q <= 0 {
			continue
		}
		if best == reprNone || q > bestQ || (q == bestQ && (spec > bestSpec || (spec == bestSpec && pos < bestPos))) {
			best, bestQ, bestSpec, bestPos = offers[i].repr, q, spec, pos
		}
	}
	return best
}

// acceptsJSON reports whether Accept admits application/json, the only
// representation of the history, key status and health answers.
func acceptsJSON(accept []string) bool {
	for _, r := range parseAccept(accept) {
		if r.q > 0 && (r.typ == "*" || (r.typ == "application" && (r.sub == "*" || r.sub == "json"))) {
			return true
		}
	}
	return false
}
