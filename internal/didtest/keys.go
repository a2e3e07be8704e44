package didtest

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/sha256"

	"github.com/custos-ledger/custos/x/did/types"
)

// Key returns the Ed25519 private key named name: its seed is
// SHA-256("custos didtest " + name).
func Key(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("custos didtest " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// Pub returns the public key of an Ed25519 private key.
func Pub(k ed25519.PrivateKey) types.PublicKey {
	pk, err := types.NewEd25519(k.Public().(ed25519.PublicKey))
	if err != nil {
		panic("didtest: " + err.Error())
	}
	return pk
}

// PubOf returns the public key of the Ed25519 key named name.
func PubOf(name string) types.PublicKey { return Pub(Key(name)) }

// X25519 returns the public X25519 key named name (a keyAgreement key):
// its private scalar is SHA-256("custos didtest x25519 " + name).
func X25519(name string) types.PublicKey {
	seed := sha256.Sum256([]byte("custos didtest x25519 " + name))
	priv, err := ecdh.X25519().NewPrivateKey(seed[:])
	if err != nil {
		panic("didtest: " + err.Error())
	}
	pk, err := types.NewX25519(priv.PublicKey().Bytes())
	if err != nil {
		panic("didtest: " + err.Error())
	}
	return pk
}
