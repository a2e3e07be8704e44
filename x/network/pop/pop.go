// Package pop proves that a validator's operator holds its consensus key.
//
// A proof of possession is the consensus key's Ed25519 signature over
// Message(pub): the domain "custos/validator-pop/v1", a zero byte, and the
// 32-byte public key. The operator makes it on the machine that holds the
// key (custos validator-info, custos validators pop); a genesis coordinator
// and the ledger check it before the key may join the validator set, so
// that nobody can add a key that no one controls, or claim another
// operator's key as their own.
package pop

import (
	"crypto/ed25519"
	"errors"
)

// Domain separates proofs of possession from every other signature a
// consensus key makes (CometBFT votes and proposals are protobuf, never
// starting with this text).
const Domain = "custos/validator-pop/v1"

// ErrInvalid is returned by Verify for a proof that does not verify, or a
// key or signature of the wrong length.
var ErrInvalid = errors.New("the proof of possession does not verify for this consensus key")

// Message returns the bytes a proof of possession signs.
func Message(pub ed25519.PublicKey) []byte {
	m := make([]byte, 0, len(Domain)+1+len(pub))
	m = append(m, Domain...)
	m = append(m, 0)
	return append(m, pub...)
}

// Sign returns the proof of possession of priv's public key.
func Sign(priv ed25519.PrivateKey) []byte {
	return ed25519.Sign(priv, Message(priv.Public().(ed25519.PublicKey)))
}

// Verify checks a proof of possession of the Ed25519 consensus key pub.
func Verify(pub, sig []byte) error {
	if len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		return ErrInvalid
	}
	if !ed25519.Verify(ed25519.PublicKey(pub), Message(pub), sig) {
		return ErrInvalid
	}
	return nil
}
