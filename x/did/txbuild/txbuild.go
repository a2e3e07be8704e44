package txbuild

import (
	"crypto/ed25519"
	"errors"

	"github.com/custos-ledger/custos/x/did/types"
)

// KeySigner is a private key that signs Custos sign bytes: held in memory
// (Ed25519Key), in a keyring, or in a hardware token. Sign returns the
// signature in the form the ledger verifies: 64 bytes, Ed25519, or r || s
// with a low s for P-256 and secp256k1 (types.NormalizeLowS).
type KeySigner interface {
	Public() types.PublicKey
	Sign(msg []byte) ([]byte, error)
}

// Ed25519Key is an Ed25519 private key as a KeySigner.
type Ed25519Key ed25519.PrivateKey

// Public returns the public key.
func (k Ed25519Key) Public() types.PublicKey {
	pk, err := types.NewEd25519(ed25519.PrivateKey(k).Public().(ed25519.PublicKey))
	if err != nil {
		panic("txbuild: ed25519 public key of wrong size")
	}
	return pk
}

// Sign signs msg.
func (k Ed25519Key) Sign(msg []byte) ([]byte, error) {
	if len(k) != ed25519.PrivateKeySize {
		return nil, errors.New("txbuild: signer key is not an Ed25519 private key")
	}
	return ed25519.Sign(ed25519.PrivateKey(k), msg), nil
}

// Signer is a private key and the DID URL it signs as.
type Signer struct {
	URL types.URL
	Key KeySigner
}

// Public returns the signer's public key.
func (s Signer) Public() types.PublicKey { return s.Key.Public() }

// Sign encodes body and returns the signed tx envelope.
func Sign(body types.TxBody, signers ...Signer) ([]byte, error) {
	b, err := body.Marshal()
	if err != nil {
		return nil, err
	}
	return SignBytes(b, signers...)
}

// SignBytes signs already-encoded body bytes.
func SignBytes(body []byte, signers ...Signer) ([]byte, error) {
	msg := types.SignBytes(body)
	sigs := make([]types.Signature, 0, len(signers))
	for _, s := range signers {
		if s.Key == nil {
			return nil, errors.New("txbuild: signer without a key")
		}
		sig, err := s.Key.Sign(msg)
		if err != nil {
			return nil, err
		}
		sigs = append(sigs, types.Signature{VerificationMethod: s.URL.String(), Signature: sig})
	}
	return types.EncodeTx(body, sigs)
}

// DID returns the DID a create of doc derives on chainID.
func DID(chainID string, doc types.Document) (types.ID, error) {
	inc, err := types.Inception(doc)
	if err != nil {
		return types.ID{}, err
	}
	return types.DeriveID(chainID, inc), nil
}

// Create returns the body of a create of doc (its id is cleared) and the DID
// it derives.
func Create(chainID string, doc types.Document, memo string) (types.ID, types.TxBody, error) {
	doc.Id = ""
	id, err := DID(chainID, doc)
	if err != nil {
		return types.ID{}, types.TxBody{}, err
	}
	body := types.TxBody{
		ChainId: chainID, Did: id.String(), ExpectedVersion: 0, Memo: memo,
		Operation: &types.TxBody_Create{Create: &types.CreateOp{Document: doc}},
	}
	return id, body, nil
}

// Update returns the body of an update of id at version to doc.
func Update(chainID string, id types.ID, version uint64, doc types.Document) types.TxBody {
	doc.Id = ""
	return types.TxBody{ChainId: chainID, Did: id.String(), ExpectedVersion: version,
		Operation: &types.TxBody_Update{Update: &types.UpdateOp{Document: doc}}}
}

// Rotate returns the body of a rotation of id's key fragment to pk.
func Rotate(chainID string, id types.ID, version uint64, fragment string, pk types.PublicKey) types.TxBody {
	return types.TxBody{ChainId: chainID, Did: id.String(), ExpectedVersion: version,
		Operation: &types.TxBody_RotateKey{RotateKey: &types.RotateKeyOp{KeyId: fragment, NewPublicKey: pk.Multicodec()}}}
}

// Revoke returns the body of a revocation of id's key fragment.
func Revoke(chainID string, id types.ID, version uint64, fragment string, reason types.RevocationReason, compromisedSince int64) types.TxBody {
	return types.TxBody{ChainId: chainID, Did: id.String(), ExpectedVersion: version,
		Operation: &types.TxBody_RevokeKey{RevokeKey: &types.RevokeKeyOp{KeyId: fragment, Reason: reason, CompromisedSince: compromisedSince}}}
}

// Deactivate returns the body of a deactivation of id.
func Deactivate(chainID string, id types.ID, version uint64) types.TxBody {
	return types.TxBody{ChainId: chainID, Did: id.String(), ExpectedVersion: version,
		Operation: &types.TxBody_Deactivate{Deactivate: &types.DeactivateOp{}}}
}

// SimpleDocument returns a document whose one signing key, under fragment,
// is in authentication, assertionMethod and capabilityInvocation, with
// threshold 1.
func SimpleDocument(fragment string, pk types.PublicKey) types.Document {
	return types.Document{
		VerificationMethods:  []types.VerificationMethod{{Id: fragment, PublicKey: pk.Multicodec()}},
		Authentication:       []string{fragment},
		AssertionMethod:      []string{fragment},
		CapabilityInvocation: []string{fragment},
		Threshold:            1,
	}
}

// NewSigner returns a Signer for an Ed25519 key of the DID id under
// fragment.
func NewSigner(id types.ID, fragment string, key ed25519.PrivateKey) Signer {
	return Signer{URL: types.URL{ID: id, Fragment: fragment}, Key: Ed25519Key(key)}
}

// NewKeySigner returns a Signer for any key of the DID id under fragment.
func NewKeySigner(id types.ID, fragment string, key KeySigner) Signer {
	return Signer{URL: types.URL{ID: id, Fragment: fragment}, Key: key}
}
