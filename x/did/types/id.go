package types

import (
	"crypto/sha256"
	"strings"

	"github.com/multiformats/go-multibase"
)

const (
	// Method is the DID method name.
	Method = "custos"
	// Prefix starts every Custos DID.
	Prefix = "did:" + Method + ":"
	// IDLen is the length in bytes of the method-specific id.
	IDLen = 16
	// maxIDChars bounds the base58 text of a 16-byte id (22 characters).
	maxIDChars = 24
)

// derivationDomain separates DID derivation from every other hash.
const derivationDomain = "custos/did/v1"

// ID is the method-specific identifier of a Custos DID: the first 16 bytes of
// SHA-256("custos/did/v1" || chain-id || 0x00 || inception).
type ID [IDLen]byte

// DeriveID returns the ID of the DID whose create operation has the given
// inception bytes (the canonical encoding of the initial document, id empty)
// on the given chain.
func DeriveID(chainID string, inception []byte) ID {
	h := sha256.New()
	h.Write([]byte(derivationDomain))
	h.Write([]byte(chainID))
	h.Write([]byte{0})
	h.Write(inception)
	var id ID
	copy(id[:], h.Sum(nil))
	return id
}

// ParseID parses a DID of the form did:custos:<base58btc id>. It accepts only
// the canonical text: re-encoding the id must give back the input.
func ParseID(s string) (ID, error) {
	rest, ok := strings.CutPrefix(s, Prefix)
	if !ok {
		if strings.HasPrefix(s, "did:") {
			return ID{}, ErrInvalidDID.Wrapf("%q: method must be %q", Truncate(s), Method)
		}
		return ID{}, ErrInvalidDID.Wrapf("%q: a DID starts with %q", Truncate(s), Prefix)
	}
	if rest == "" || len(rest) > maxIDChars {
		return ID{}, ErrInvalidDID.Wrapf("%q: the id must be 16 bytes in base58btc", Truncate(s))
	}
	enc, raw, err := multibase.Decode("z" + rest)
	if err != nil || enc != multibase.Base58BTC || len(raw) != IDLen {
		return ID{}, ErrInvalidDID.Wrapf("%q: the id must be 16 bytes in base58btc", Truncate(s))
	}
	var id ID
	copy(id[:], raw)
	if id.base58() != rest {
		return ID{}, ErrInvalidDID.Wrapf("%q: the id is not in canonical base58btc", Truncate(s))
	}
	return id, nil
}

// String returns the DID, did:custos:<id>.
func (id ID) String() string { return Prefix + id.base58() }

// IsZero reports whether id is the zero value.
func (id ID) IsZero() bool { return id == ID{} }

func (id ID) base58() string {
	s, err := multibase.Encode(multibase.Base58BTC, id[:])
	if err != nil {
		// Base58BTC is a fixed, supported encoding: Encode cannot fail for it.
		panic("types: base58btc encoding unavailable: " + err.Error())
	}
	return s[1:]
}

// Truncate shortens user input quoted in error messages.
func Truncate(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
