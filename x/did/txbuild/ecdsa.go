package txbuild

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"errors"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	k1ecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/custos-ledger/custos/x/did/types"
)

// P256Key is a P-256 private key as a KeySigner: ECDSA over SHA-256 of the
// message, the signature as r || s with s normalised to the low half.
type P256Key struct{ Key *ecdsa.PrivateKey }

// Public returns the public key, compressed.
func (k P256Key) Public() types.PublicKey {
	pk, err := types.NewP256(elliptic.MarshalCompressed(elliptic.P256(), k.Key.X, k.Key.Y))
	if err != nil {
		panic("txbuild: P-256 public key: " + err.Error())
	}
	return pk
}

// Sign signs SHA-256(msg).
func (k P256Key) Sign(msg []byte) ([]byte, error) {
	if k.Key == nil || k.Key.Curve != elliptic.P256() {
		return nil, errors.New("txbuild: signer key is not a P-256 private key")
	}
	h := sha256.Sum256(msg)
	r, s, err := ecdsa.Sign(rand.Reader, k.Key, h[:])
	if err != nil {
		return nil, err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return types.NormalizeLowS(types.KeyTypeP256, sig), nil
}

// Secp256k1Key is a secp256k1 private key as a KeySigner: deterministic
// ECDSA (RFC 6979) over SHA-256 of the message, r || s with a low s.
type Secp256k1Key struct{ Key *secp256k1.PrivateKey }

// Public returns the public key, compressed.
func (k Secp256k1Key) Public() types.PublicKey {
	pk, err := types.NewSecp256k1(k.Key.PubKey().SerializeCompressed())
	if err != nil {
		panic("txbuild: secp256k1 public key: " + err.Error())
	}
	return pk
}

// Sign signs SHA-256(msg).
func (k Secp256k1Key) Sign(msg []byte) ([]byte, error) {
	if k.Key == nil {
		return nil, errors.New("txbuild: no secp256k1 private key")
	}
	h := sha256.Sum256(msg)
	compact := k1ecdsa.SignCompact(k.Key, h[:], true) // recovery code || r || s, s low
	return types.NormalizeLowS(types.KeyTypeSecp256k1, compact[1:]), nil
}
