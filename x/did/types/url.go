package types

import "strings"

// MaxFragmentLen bounds a key or service fragment.
const MaxFragmentLen = 64

// URL is a DID URL that names a verification method or service of a Custos
// DID: did:custos:<id>#<fragment>. Custos accepts no path or query in the
// DID URLs it stores.
type URL struct {
	ID       ID
	Fragment string
}

// ParseURL parses did:custos:<id>#<fragment>.
func ParseURL(s string) (URL, error) {
	did, frag, ok := strings.Cut(s, "#")
	if !ok {
		return URL{}, ErrInvalidDIDURL.Wrapf("%q: a key reference needs a #fragment", Truncate(s))
	}
	id, err := ParseID(did)
	if err != nil {
		return URL{}, ErrInvalidDIDURL.Wrapf("%q: %s", Truncate(s), Detail(err))
	}
	if err := ValidateFragment(frag); err != nil {
		return URL{}, ErrInvalidDIDURL.Wrapf("%q: %s", Truncate(s), Detail(err))
	}
	return URL{ID: id, Fragment: frag}, nil
}

// String returns the absolute DID URL.
func (u URL) String() string { return u.ID.String() + "#" + u.Fragment }

// ValidateFragment checks a fragment: 1 to 64 characters from
// A-Z a-z 0-9 - . _ ~ (RFC 3986 unreserved characters).
func ValidateFragment(f string) error {
	if f == "" || len(f) > MaxFragmentLen {
		return ErrInvalidFragment.Wrapf("%q: a fragment has 1 to %d characters", Truncate(f), MaxFragmentLen)
	}
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
		default:
			return ErrInvalidFragment.Wrapf("%q: only A-Z a-z 0-9 - . _ ~ are allowed", Truncate(f))
		}
	}
	return nil
}
