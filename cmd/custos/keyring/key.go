package keyring

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/multiformats/go-multibase"

	"github.com/custos-ledger/custos/x/did/types"
)

// SeedSize is the size of every private key this package keeps: an Ed25519
// seed (RFC 8032) or an X25519 scalar (RFC 7748).
const SeedSize = 32

// Multicodec prefixes of private keys (unsigned varints of ed25519-priv
// 0x1300 and x25519-priv 0x1302), as in secretKeyMultibase.
const (
	prefixEd25519Secret = "\x80\x26"
	prefixX25519Secret  = "\x82\x26"
)

// ParseType parses a key type name: "ed25519" or "x25519".
func ParseType(s string) (types.KeyType, error) {
	switch strings.ToLower(s) {
	case "ed25519":
		return types.KeyTypeEd25519, nil
	case "x25519":
		return types.KeyTypeX25519, nil
	}
	return types.KeyTypeUnknown, fmt.Errorf("unknown key type %q: use ed25519 (signing) or x25519 (key agreement)", s)
}

// TypeName is the name ParseType accepts for t.
func TypeName(t types.KeyType) string { return strings.ToLower(t.String()) }

// Secret is a private key taken out of the keyring. It prints as
// "keyring.Secret(REDACTED)" with every fmt verb that uses String or
// GoString; only Multibase reveals it.
type Secret struct {
	typ  types.KeyType
	seed []byte
}

// Generate returns a new random key of type t.
func Generate(t types.KeyType) (*Secret, error) {
	seed := make([]byte, SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, fmt.Errorf("keyring: no randomness: %w", err)
	}
	return NewSecret(t, seed)
}

// NewSecret wraps a 32-byte Ed25519 seed or X25519 scalar.
func NewSecret(t types.KeyType, seed []byte) (*Secret, error) {
	if t != types.KeyTypeEd25519 && t != types.KeyTypeX25519 {
		return nil, fmt.Errorf("keyring: unsupported key type %s", t)
	}
	if len(seed) != SeedSize {
		return nil, fmt.Errorf("keyring: a %s private key is %d bytes, got %d", t, SeedSize, len(seed))
	}
	return &Secret{typ: t, seed: bytes.Clone(seed)}, nil
}

// ParseSecret parses a secretKeyMultibase: "z" + base58btc(multicodec
// prefix || 32-byte key), with the ed25519-priv or x25519-priv prefix.
func ParseSecret(s string) (*Secret, error) {
	s = strings.TrimSpace(s)
	const bad = "not a secretKeyMultibase (z + base58btc of an ed25519-priv or x25519-priv key)"
	if len(s) < 2 || s[0] != 'z' || len(s) > 128 {
		return nil, errors.New(bad)
	}
	enc, b, err := multibase.Decode(s)
	if err != nil || enc != multibase.Base58BTC {
		return nil, errors.New(bad)
	}
	raw := string(b)
	var t types.KeyType
	switch {
	case strings.HasPrefix(raw, prefixEd25519Secret):
		t, raw = types.KeyTypeEd25519, raw[len(prefixEd25519Secret):]
	case strings.HasPrefix(raw, prefixX25519Secret):
		t, raw = types.KeyTypeX25519, raw[len(prefixX25519Secret):]
	default:
		return nil, errors.New(bad)
	}
	if len(raw) != SeedSize {
		return nil, fmt.Errorf("a %s private key is %d bytes, this one is %d", t, SeedSize, len(raw))
	}
	return NewSecret(t, []byte(raw))
}

// Type returns the key type.
func (s *Secret) Type() types.KeyType { return s.typ }

// Public returns the public key.
func (s *Secret) Public() types.PublicKey {
	var pk types.PublicKey
	var err error
	switch s.typ {
	case types.KeyTypeEd25519:
		pk, err = types.NewEd25519(ed25519.NewKeyFromSeed(s.seed).Public().(ed25519.PublicKey))
	case types.KeyTypeX25519:
		var priv *ecdh.PrivateKey
		priv, err = ecdh.X25519().NewPrivateKey(s.seed)
		if err == nil {
			pk, err = types.NewX25519(priv.PublicKey().Bytes())
		}
	default:
		err = fmt.Errorf("unsupported key type %s", s.typ)
	}
	if err != nil {
		// NewSecret admits only 32-byte Ed25519 and X25519 keys.
		panic("keyring: public key of a checked secret: " + err.Error())
	}
	return pk
}

// Ed25519 returns the Ed25519 private key; X25519 keys do not sign.
func (s *Secret) Ed25519() (ed25519.PrivateKey, error) {
	if s.typ != types.KeyTypeEd25519 {
		return nil, fmt.Errorf("a %s key cannot sign; only Ed25519 keys sign", s.typ)
	}
	return ed25519.NewKeyFromSeed(s.seed), nil
}

// Multibase returns the secretKeyMultibase form of the private key. It is
// the only way a private key leaves this package.
func (s *Secret) Multibase() string {
	prefix := prefixEd25519Secret
	if s.typ == types.KeyTypeX25519 {
		prefix = prefixX25519Secret
	}
	out, err := multibase.Encode(multibase.Base58BTC, append([]byte(prefix), s.seed...))
	if err != nil {
		panic("keyring: base58btc encoding unavailable: " + err.Error())
	}
	return out
}

// String hides the key.
func (s Secret) String() string { return "keyring.Secret(REDACTED)" }

// GoString hides the key.
func (s Secret) GoString() string { return s.String() }
