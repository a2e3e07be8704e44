package types

import (
	"crypto/sha256"
	"net/url"
	"unicode/utf8"
)

// maxServiceTypeLen bounds a service type.
const maxServiceTypeLen = 128

// Relationship names a verification relationship of DID Core.
type Relationship int

// The verification relationships, in the order documents render them.
const (
	Authentication Relationship = iota
	AssertionMethod
	KeyAgreement
	CapabilityInvocation
	CapabilityDelegation
	numRelationships
)

// Relationships lists every relationship in rendering order.
func Relationships() []Relationship {
	return []Relationship{Authentication, AssertionMethod, KeyAgreement, CapabilityInvocation, CapabilityDelegation}
}

// JSONName is the DID Core property name of the relationship.
func (r Relationship) JSONName() string {
	switch r {
	case Authentication:
		return "authentication"
	case AssertionMethod:
		return "assertionMethod"
	case KeyAgreement:
		return "keyAgreement"
	case CapabilityInvocation:
		return "capabilityInvocation"
	case CapabilityDelegation:
		return "capabilityDelegation"
	}
	return ""
}

// Refs returns the fragments the document lists under r.
func (d *Document) Refs(r Relationship) []string {
	switch r {
	case Authentication:
		return d.Authentication
	case AssertionMethod:
		return d.AssertionMethod
	case KeyAgreement:
		return d.KeyAgreement
	case CapabilityInvocation:
		return d.CapabilityInvocation
	case CapabilityDelegation:
		return d.CapabilityDelegation
	}
	return nil
}

// SetRefs replaces the fragments listed under r.
func (d *Document) SetRefs(r Relationship, refs []string) {
	switch r {
	case Authentication:
		d.Authentication = refs
	case AssertionMethod:
		d.AssertionMethod = refs
	case KeyAgreement:
		d.KeyAgreement = refs
	case CapabilityInvocation:
		d.CapabilityInvocation = refs
	case CapabilityDelegation:
		d.CapabilityDelegation = refs
	}
}

// Method returns the verification method with the given fragment.
func (d *Document) Method(fragment string) (VerificationMethod, bool) {
	for _, vm := range d.VerificationMethods {
		if vm.Id == fragment {
			return vm, true
		}
	}
	return VerificationMethod{}, false
}

// Has reports whether fragment is listed under r.
func (d *Document) Has(r Relationship, fragment string) bool {
	for _, f := range d.Refs(r) {
		if f == fragment {
			return true
		}
	}
	return false
}

// Keys is the parsed view of a validated document's verification methods,
// in document order.
type Keys struct {
	Fragments []string
	Keys      []PublicKey
}

// Get returns the key under fragment.
func (k Keys) Get(fragment string) (PublicKey, bool) {
	for i, f := range k.Fragments {
		if f == fragment {
			return k.Keys[i], true
		}
	}
	return PublicKey{}, false
}

// Contains reports whether the key material is listed under any fragment.
func (k Keys) Contains(pk PublicKey) bool {
	for _, have := range k.Keys {
		if have == pk {
			return true
		}
	}
	return false
}

// ValidateDocument checks a document against the DID Core rules Custos
// enforces and the genesis limits, and returns its parsed keys. It does not
// check the document's id: callers know what it must be.
func ValidateDocument(d *Document, p Params) (Keys, error) {
	n := len(d.VerificationMethods)
	if n == 0 {
		return Keys{}, ErrInvalidDocument.Wrap("a document needs at least one verification method")
	}
	if n > int(p.MaxVerificationMethods) {
		return Keys{}, ErrLimitExceeded.Wrapf("%d verification methods, the limit is %d", n, p.MaxVerificationMethods)
	}
	keys := Keys{Fragments: make([]string, 0, n), Keys: make([]PublicKey, 0, n)}
	for i, vm := range d.VerificationMethods {
		if err := ValidateFragment(vm.Id); err != nil {
			return Keys{}, ErrInvalidDocument.Wrapf("verification method %d: %s", i, Detail(err))
		}
		pk, err := ParsePublicKey(vm.PublicKey)
		if err != nil {
			return Keys{}, wrapAs(err, "verification method %q: %s", vm.Id, Detail(err))
		}
		if _, dup := keys.Get(vm.Id); dup {
			return Keys{}, ErrInvalidDocument.Wrapf("verification method id %q is listed twice", vm.Id)
		}
		if keys.Contains(pk) {
			return Keys{}, ErrDuplicateKey.Wrapf("verification method %q repeats the material of another method", vm.Id)
		}
		keys.Fragments = append(keys.Fragments, vm.Id)
		keys.Keys = append(keys.Keys, pk)
	}
	for _, r := range Relationships() {
		refs := d.Refs(r)
		for i, f := range refs {
			pk, ok := keys.Get(f)
			if !ok {
				return Keys{}, ErrInvalidDocument.Wrapf("%s names %q, which is not a verification method of the document", r.JSONName(), f)
			}
			for _, g := range refs[:i] {
				if g == f {
					return Keys{}, ErrInvalidDocument.Wrapf("%s lists %q twice", r.JSONName(), f)
				}
			}
			if r == KeyAgreement && pk.Type() != KeyTypeX25519 {
				return Keys{}, ErrInvalidDocument.Wrapf("keyAgreement key %q must be X25519", f)
			}
			if r != KeyAgreement && !pk.Type().CanSign() {
				return Keys{}, ErrInvalidDocument.Wrapf("%s key %q must be a signing key, not %s", r.JSONName(), f, pk.Type())
			}
		}
	}
	inv := len(d.CapabilityInvocation)
	if inv == 0 {
		return Keys{}, ErrInvalidDocument.Wrap("capabilityInvocation needs at least one key: it controls the DID")
	}
	if d.Threshold == 0 || int(d.Threshold) > inv {
		return Keys{}, ErrInvalidDocument.Wrapf("threshold %d must be between 1 and the %d capabilityInvocation keys", d.Threshold, inv)
	}
	if err := validateServices(d, keys, p); err != nil {
		return Keys{}, err
	}
	if d.NextKeys != nil {
		if err := ValidateNextKeys(d.NextKeys, p); err != nil {
			return Keys{}, err
		}
	}
	return keys, nil
}

// ValidateNextKeys checks a pre-rotation commitment: 1 to
// max_verification_methods distinct SHA-256 digests and a threshold between
// 1 and their number.
func ValidateNextKeys(n *NextKeys, p Params) error {
	if len(n.Digests) == 0 || len(n.Digests) > int(p.MaxVerificationMethods) {
		return ErrInvalidDocument.Wrapf("next_keys needs 1 to %d digests, got %d", p.MaxVerificationMethods, len(n.Digests))
	}
	for i, d := range n.Digests {
		if len(d) != 32 {
			return ErrInvalidDocument.Wrapf("next_keys digest %d is %d bytes, not a SHA-256 digest", i, len(d))
		}
		for _, e := range n.Digests[:i] {
			if string(e) == string(d) {
				return ErrInvalidDocument.Wrapf("next_keys digest %d is listed twice", i)
			}
		}
	}
	if n.Threshold == 0 || int(n.Threshold) > len(n.Digests) {
		return ErrInvalidDocument.Wrapf("next_keys threshold %d must be between 1 and %d", n.Threshold, len(n.Digests))
	}
	return nil
}

// KeyDigest is the digest a pre-rotation commitment lists for a key:
// SHA-256 of its multicodec form.
func KeyDigest(pk PublicKey) []byte {
	h := sha256.Sum256(pk.Multicodec())
	return h[:]
}

func validateServices(d *Document, keys Keys, p Params) error {
	if len(d.Services) > int(p.MaxServices) {
		return ErrLimitExceeded.Wrapf("%d services, the limit is %d", len(d.Services), p.MaxServices)
	}
	for i, s := range d.Services {
		if err := ValidateFragment(s.Id); err != nil {
			return ErrInvalidDocument.Wrapf("service %d: %s", i, Detail(err))
		}
		if _, clash := keys.Get(s.Id); clash {
			return ErrInvalidDocument.Wrapf("service id %q is also a verification method id", s.Id)
		}
		for _, prev := range d.Services[:i] {
			if prev.Id == s.Id {
				return ErrInvalidDocument.Wrapf("service id %q is listed twice", s.Id)
			}
		}
		if s.Type == "" || len(s.Type) > maxServiceTypeLen || !printable(s.Type) {
			return ErrInvalidDocument.Wrapf("service %q: type must be 1 to %d characters, spaces allowed, with no controls, format or invisible characters", s.Id, maxServiceTypeLen)
		}
		if len(s.Endpoint) > int(p.MaxServiceEndpointBytes) {
			return ErrLimitExceeded.Wrapf("service %q: endpoint is %d bytes, the limit is %d", s.Id, len(s.Endpoint), p.MaxServiceEndpointBytes)
		}
		if err := validateEndpoint(s.Endpoint); err != nil {
			return ErrInvalidDocument.Wrapf("service %q: %v", s.Id, err)
		}
	}
	return nil
}

func validateEndpoint(e string) error {
	for i := 0; i < len(e); i++ {
		if e[i] <= ' ' || e[i] >= 0x7f {
			return errString("endpoint must be a URI (RFC 3986): visible ASCII only, other characters percent-encoded")
		}
	}
	u, err := url.Parse(e)
	if err != nil || u.Scheme == "" {
		return errString("endpoint must be an absolute URI")
	}
	return nil
}

type errString string

func (e errString) Error() string { return string(e) }

// printable reports whether s is valid UTF-8 without characters that make
// text display as something it is not: controls (C0, DEL, C1), format and
// invisible characters (bidirectional controls, zero-width characters,
// variation selectors, tags), spaces other than U+0020, line and paragraph
// separators, private-use code points and noncharacters. The list is
// fixed here rather than read from Go's Unicode tables, whose categories
// change between Go versions: validity must be the same on every node.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return false
		}
		for _, bad := range hiddenRunes {
			if r >= bad[0] && r <= bad[1] {
				return false
			}
		}
		if r >= 0xfdd0 && r <= 0xfdef || r&0xfffe == 0xfffe {
			return false // noncharacters
		}
	}
	return true
}

// hiddenRunes are the ranges printable refuses besides controls and
// noncharacters. They cover every format character (general category Cf)
// of Unicode 15 (TestPrintableRefusesFormatCharacters checks it against
// Go's table).
var hiddenRunes = [][2]rune{
	{0x00a0, 0x00a0},    // no-break space
	{0x00ad, 0x00ad},    // soft hyphen
	{0x034f, 0x034f},    // combining grapheme joiner
	{0x0600, 0x0605},    // Arabic number signs (prepended format characters)
	{0x061c, 0x061c},    // Arabic letter mark
	{0x06dd, 0x06dd},    // Arabic end of ayah
	{0x070f, 0x070f},    // Syriac abbreviation mark
	{0x0890, 0x0891},    // Arabic pound and piastre marks above
	{0x08e2, 0x08e2},    // Arabic disputed end of ayah
	{0x115f, 0x1160},    // Hangul fillers
	{0x1680, 0x1680},    // Ogham space mark
	{0x17b4, 0x17b5},    // Khmer inherent vowels
	{0x180b, 0x180f},    // Mongolian variation selectors and vowel separator
	{0x2000, 0x200f},    // spaces, zero-width characters, LRM, RLM
	{0x2028, 0x202f},    // line and paragraph separators, bidirectional embeddings and overrides, narrow no-break space
	{0x205f, 0x206f},    // medium space, word joiner, invisible operators, bidirectional isolates
	{0x3000, 0x3000},    // ideographic space
	{0x3164, 0x3164},    // Hangul filler
	{0xe000, 0xf8ff},    // private use
	{0xfe00, 0xfe0f},    // variation selectors
	{0xfeff, 0xfeff},    // zero-width no-break space (BOM)
	{0xffa0, 0xffa0},    // halfwidth Hangul filler
	{0xfff0, 0xfffb},    // specials, interlinear annotation
	{0x110bd, 0x110bd},  // Kaithi number sign
	{0x110cd, 0x110cd},  // Kaithi number sign above
	{0x13430, 0x1343f},  // Egyptian hieroglyph format controls
	{0x1bca0, 0x1bca3},  // shorthand format controls
	{0x1d173, 0x1d17a},  // musical symbol format controls
	{0xe0000, 0xe0fff},  // tags, variation selectors supplement
	{0xf0000, 0x10ffff}, // supplementary private use
}

// wrapAs keeps err's registered error and replaces its detail.
func wrapAs(err error, format string, args ...any) error {
	if r := Registered(err); r != nil {
		return r.Wrapf(format, args...)
	}
	return ErrInvalidDocument.Wrapf(format, args...)
}

// KeysOf parses the keys of a stored (already validated) document.
func KeysOf(d *Document) (Keys, error) {
	keys := Keys{Fragments: make([]string, 0, len(d.VerificationMethods)), Keys: make([]PublicKey, 0, len(d.VerificationMethods))}
	for _, vm := range d.VerificationMethods {
		pk, err := ParsePublicKey(vm.PublicKey)
		if err != nil {
			return Keys{}, err
		}
		keys.Fragments = append(keys.Fragments, vm.Id)
		keys.Keys = append(keys.Keys, pk)
	}
	return keys, nil
}
