package didtest

import (
	"crypto/ed25519"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// Sign encodes body and signs it with each signer; it panics on an
// encoding error.
func Sign(body types.TxBody, signers ...txbuild.Signer) []byte {
	tx, err := txbuild.Sign(body, signers...)
	if err != nil {
		panic("didtest: " + err.Error())
	}
	return tx
}

// Marshal returns the canonical encoding of body.
func Marshal(body types.TxBody) []byte {
	b, err := body.Marshal()
	if err != nil {
		panic("didtest: " + err.Error())
	}
	return b
}

// SigOver returns the signature of key over the sign bytes of body bytes.
func SigOver(key ed25519.PrivateKey, body []byte) []byte {
	return ed25519.Sign(key, types.SignBytes(body))
}

// Envelope returns the tx envelope of body bytes and signatures as given,
// signed or not.
func Envelope(body []byte, sigs ...types.Signature) []byte {
	tx, err := types.EncodeTx(body, sigs)
	if err != nil {
		panic("didtest: " + err.Error())
	}
	return tx
}

// SignatureBy returns the signature entry naming url whose bytes are key's
// signature over body (key need not be url's key).
func SignatureBy(url types.URL, key ed25519.PrivateKey, body []byte) types.Signature {
	return types.Signature{VerificationMethod: url.String(), Signature: SigOver(key, body)}
}
