package didtest

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/sha256"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// KeyIn returns the Ed25519 private key named name in domain: its seed is
// SHA-256("custos " + domain + " " + name). A test package names its own
// domain ("golden", "e2e"), so that its keys, and the DIDs and app hashes
// they lead to, stay what they were when other packages name keys alike.
func KeyIn(domain, name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("custos " + domain + " " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// Key returns the Ed25519 private key named name in domain "didtest":
// its seed is SHA-256("custos didtest " + name).
func Key(name string) ed25519.PrivateKey { return KeyIn("didtest", name) }

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

// X25519KeyIn returns the X25519 private key (a keyAgreement key) named
// name in domain: its scalar is SHA-256("custos " + domain + " x25519 " +
// name).
func X25519KeyIn(domain, name string) *ecdh.PrivateKey {
	seed := sha256.Sum256([]byte("custos " + domain + " x25519 " + name))
	priv, err := ecdh.X25519().NewPrivateKey(seed[:])
	if err != nil {
		panic("didtest: " + err.Error())
	}
	return priv
}

// X25519 returns the public X25519 key named name in domain "didtest".
func X25519(name string) types.PublicKey {
	pk, err := types.NewX25519(X25519KeyIn("didtest", name).PublicKey().Bytes())
	if err != nil {
		panic("didtest: " + err.Error())
	}
	return pk
}

// OneKey returns the create of a DID whose only key is k (fragment
// "key-1", in authentication, assertionMethod and capabilityInvocation),
// signed by k, and the DID.
func OneKey(chain string, k ed25519.PrivateKey, memo string) (types.ID, []byte) {
	id, body, err := txbuild.Create(chain, txbuild.SimpleDocument("key-1", Pub(k)), memo)
	if err != nil {
		panic("didtest: " + err.Error())
	}
	return id, Sign(body, txbuild.NewSigner(id, "key-1", k))
}
