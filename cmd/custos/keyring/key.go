package keyring

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/multiformats/go-multibase"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// SeedSize is the size of every private key this package keeps: an Ed25519
// seed (RFC 8032), an X25519 scalar (RFC 7748), or a P-256 or secp256k1
// scalar (SEC 1, big-endian).
const SeedSize = 32

// Multicodec prefixes of private keys (unsigned varints of ed25519-priv
// 0x1300, x25519-priv 0x1302, p256-priv 0x1306 and secp256k1-priv 0x1301),
// as in secretKeyMultibase.
const (
	prefixEd25519Secret   = "\x80\x26"
	prefixX25519Secret    = "\x82\x26"
	prefixP256Secret      = "\x86\x26"
	prefixSecp256k1Secret = "\x81\x26"
)

// secretPrefix returns the secretKeyMultibase prefix of t.
func secretPrefix(t types.KeyType) string {
	switch t {
	case types.KeyTypeEd25519:
		return prefixEd25519Secret
	case types.KeyTypeX25519:
		return prefixX25519Secret
	case types.KeyTypeP256:
		return prefixP256Secret
	case types.KeyTypeSecp256k1:
		return prefixSecp256k1Secret
	}
	return ""
}

// ParseType parses a key type name: "ed25519", "p256", "secp256k1" or
// "x25519".
func ParseType(s string) (types.KeyType, error) {
	switch strings.ToLower(s) {
	case "ed25519":
		return types.KeyTypeEd25519, nil
	case "p256", "p-256":
		return types.KeyTypeP256, nil
	case "secp256k1":
		return types.KeyTypeSecp256k1, nil
	case "x25519":
		return types.KeyTypeX25519, nil
	}
	return types.KeyTypeUnknown, fmt.Errorf("unknown key type %q: use ed25519, p256 or secp256k1 (signing) or x25519 (key agreement)", s)
}

// TypeName is the name ParseType accepts for t: ed25519, p256, secp256k1,
// x25519.
func TypeName(t types.KeyType) string {
	if t == types.KeyTypeP256 {
		return "p256"
	}
	return strings.ToLower(t.String())
}

// Secret is a private key taken out of the keyring. It prints as
// "keyring.Secret(REDACTED)" with every fmt verb that uses String or
// GoString; only Multibase reveals it.
type Secret struct {
	typ  types.KeyType
	seed []byte
}

// Generate returns a new random key of type t.
func Generate(t types.KeyType) (*Secret, error) {
	switch t {
	case types.KeyTypeP256:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("keyring: %w", err)
		}
		b, err := k.Bytes()
		if err != nil {
			return nil, fmt.Errorf("keyring: %w", err)
		}
		return NewSecret(t, b)
	case types.KeyTypeSecp256k1:
		k, err := secp256k1.GeneratePrivateKey()
		if err != nil {
			return nil, fmt.Errorf("keyring: %w", err)
		}
		return NewSecret(t, k.Serialize())
	}
	seed := make([]byte, SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, fmt.Errorf("keyring: no randomness: %w", err)
	}
	return NewSecret(t, seed)
}

// NewSecret wraps a 32-byte Ed25519 seed, X25519 scalar, or P-256 or
// secp256k1 scalar (which must be in [1, n-1]).
func NewSecret(t types.KeyType, seed []byte) (*Secret, error) {
	if secretPrefix(t) == "" {
		return nil, fmt.Errorf("keyring: unsupported key type %s", t)
	}
	if len(seed) != SeedSize {
		return nil, fmt.Errorf("keyring: a %s private key is %d bytes, got %d", t, SeedSize, len(seed))
	}
	switch t {
	case types.KeyTypeP256:
		if _, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), seed); err != nil {
			return nil, fmt.Errorf("keyring: not a P-256 private key: %v", err)
		}
	case types.KeyTypeSecp256k1:
		var sc secp256k1.ModNScalar
		if overflow := sc.SetByteSlice(seed); overflow || sc.IsZero() {
			return nil, errors.New("keyring: not a secp256k1 private key: the scalar is 0 or not below the group order")
		}
	}
	return &Secret{typ: t, seed: bytes.Clone(seed)}, nil
}

// ParseSecret parses a secretKeyMultibase: "z" + base58btc(multicodec
// prefix || 32-byte key), with the ed25519-priv or x25519-priv prefix.
func ParseSecret(s string) (*Secret, error) {
	s = strings.TrimSpace(s)
	const bad = "not a secretKeyMultibase (z + base58btc of an ed25519-priv, p256-priv, secp256k1-priv or x25519-priv key)"
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
	case strings.HasPrefix(raw, prefixP256Secret):
		t, raw = types.KeyTypeP256, raw[len(prefixP256Secret):]
	case strings.HasPrefix(raw, prefixSecp256k1Secret):
		t, raw = types.KeyTypeSecp256k1, raw[len(prefixSecp256k1Secret):]
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
	case types.KeyTypeP256, types.KeyTypeSecp256k1:
		var ks txbuild.KeySigner
		if ks, err = s.Signer(); err == nil {
			pk = ks.Public()
		}
	default:
		err = fmt.Errorf("unsupported key type %s", s.typ)
	}
	if err != nil {
		// NewSecret admits only valid 32-byte keys.
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

// Signer returns the key as a txbuild.KeySigner; X25519 keys do not sign.
func (s *Secret) Signer() (txbuild.KeySigner, error) {
	switch s.typ {
	case types.KeyTypeEd25519:
		return txbuild.Ed25519Key(ed25519.NewKeyFromSeed(s.seed)), nil
	case types.KeyTypeP256:
		k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), s.seed)
		if err != nil {
			return nil, err
		}
		return txbuild.P256Key{Key: k}, nil
	case types.KeyTypeSecp256k1:
		return txbuild.Secp256k1Key{Key: secp256k1.PrivKeyFromBytes(s.seed)}, nil
	}
	return nil, fmt.Errorf("a %s key cannot sign; Ed25519, P-256 and secp256k1 keys sign", s.typ)
}

// Multibase returns the secretKeyMultibase form of the private key. It is
// the only way a private key leaves this package.
func (s *Secret) Multibase() string {
	out, err := multibase.Encode(multibase.Base58BTC, append([]byte(secretPrefix(s.typ)), s.seed...))
	if err != nil {
		panic("keyring: base58btc encoding unavailable: " + err.Error())
	}
	return out
}

// String hides the key.
func (s Secret) String() string { return "keyring.Secret(REDACTED)" }

// GoString hides the key.
func (s Secret) GoString() string { return s.String() }
