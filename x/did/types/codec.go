package types

import (
	"bytes"
)

// signDomain separates tx signatures from every other signature.
const signDomain = "custos/tx/v1"

// SignBytes returns the bytes a tx signature covers:
// "custos/tx/v1" || 0x00 || body.
func SignBytes(body []byte) []byte {
	out := make([]byte, 0, len(signDomain)+1+len(body))
	out = append(out, signDomain...)
	out = append(out, 0)
	return append(out, body...)
}

// canonical is a message that gogoproto can both decode and encode.
type canonical interface {
	Unmarshal([]byte) error
	Marshal() ([]byte, error)
}

// decodeStrict decodes b into m and requires that re-encoding m gives back b
// exactly: unknown fields, fields out of order, repeated scalars, non-minimal
// varints and default values sent explicitly are all refused. With it, every
// message has exactly one encoding.
func decodeStrict(b []byte, m canonical, what string) error {
	if err := m.Unmarshal(b); err != nil {
		return ErrMalformedTx.Wrapf("%s: %v", what, err)
	}
	re, err := m.Marshal()
	if err != nil {
		return ErrMalformedTx.Wrapf("%s: %v", what, err)
	}
	if !bytes.Equal(re, b) {
		return ErrNonCanonical.Wrapf("%s: the bytes are not the canonical encoding (unknown or repeated fields, field order, or explicit defaults)", what)
	}
	return nil
}

// DecodeTx decodes a tx envelope and its body strictly. It checks only the
// encoding and the size limit; Validate and the keeper check the rest.
func DecodeTx(b []byte, maxTxBytes uint32) (*Tx, *TxBody, error) {
	if len(b) == 0 {
		return nil, nil, ErrMalformedTx.Wrap("empty transaction")
	}
	if uint64(len(b)) > uint64(maxTxBytes) {
		return nil, nil, ErrTxTooLarge.Wrapf("%d bytes, the limit is %d", len(b), maxTxBytes)
	}
	var tx Tx
	if err := decodeStrict(b, &tx, "tx envelope"); err != nil {
		return nil, nil, err
	}
	var body TxBody
	if err := decodeStrict(tx.Body, &body, "tx body"); err != nil {
		return nil, nil, err
	}
	return &tx, &body, nil
}

// EncodeTx encodes a body and its signatures into a tx envelope.
func EncodeTx(body []byte, sigs []Signature) ([]byte, error) {
	tx := Tx{Body: body, Signatures: sigs}
	return tx.Marshal()
}

// Inception returns the canonical encoding of a create operation's
// document, the bytes a DID is derived from. The document's id must be empty.
func Inception(doc Document) ([]byte, error) {
	doc.Id = ""
	return doc.Marshal()
}

// DecodeRecord decodes a state record written by this package's encoders.
func DecodeRecord(b []byte, m canonical) error { return m.Unmarshal(b) }
