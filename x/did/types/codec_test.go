package types_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// Hand-made protobuf encoding, so that tests can build the byte strings a
// generated encoder never writes.

func tagOf(num, wireType int) []byte {
	return binary.AppendUvarint(nil, uint64(num)<<3|uint64(wireType))
}

func lenField(num int, payload []byte) []byte {
	b := tagOf(num, 2)
	b = binary.AppendUvarint(b, uint64(len(payload)))
	return append(b, payload...)
}

func varintField(num int, v uint64) []byte {
	return binary.AppendUvarint(tagOf(num, 0), v)
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func TestSignBytes(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want []byte
	}{
		{name: "nil body", body: nil, want: []byte("custos/tx/v1\x00")},
		{name: "empty body", body: []byte{}, want: []byte("custos/tx/v1\x00")},
		{name: "short body", body: []byte("abc"), want: []byte("custos/tx/v1\x00abc")},
		{name: "body starting with NUL", body: []byte{0, 1}, want: []byte("custos/tx/v1\x00\x00\x01")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := types.SignBytes(tc.body)
			require.Equal(t, tc.want, got)
			if len(tc.body) > 0 {
				got[len(got)-1] ^= 0xff
				require.NotEqual(t, got[len(got)-1], tc.body[len(tc.body)-1], "SignBytes copies the body")
			}
		})
	}
}

// testTx is a signed deactivate tx and its parts.
type testTx struct {
	body   []byte // encoded TxBody
	sig    []byte // encoded Signature
	tx     []byte // encoded Tx
	parsed types.TxBody
}

func newTestTx(t testing.TB) testTx {
	t.Helper()
	id := seqID(1)
	body := txbuild.Deactivate("custos-test", id, 1)
	body.Memo = "bye"
	bodyBytes, err := body.Marshal()
	require.NoError(t, err)
	signer := txbuild.NewSigner(id, "key-1", edPriv(1))
	txBytes, err := txbuild.SignBytes(bodyBytes, signer)
	require.NoError(t, err)
	var tx types.Tx
	require.NoError(t, tx.Unmarshal(txBytes))
	require.Len(t, tx.Signatures, 1)
	sig, err := tx.Signatures[0].Marshal()
	require.NoError(t, err)
	require.Equal(t, cat(lenField(1, bodyBytes), lenField(2, sig)), txBytes, "envelope layout")
	return testTx{body: bodyBytes, sig: sig, tx: txBytes, parsed: body}
}

func TestDecodeTx(t *testing.T) {
	v := newTestTx(t)
	max := types.DefaultParams().MaxTxBytes
	envelope := func(body []byte) []byte { return cat(lenField(1, body), lenField(2, v.sig)) }
	chain := lenField(1, []byte("custos-test"))
	did := lenField(2, []byte(seqID(1).String()))
	version := varintField(3, 1)
	deactivate := lenField(8, nil)
	memo := lenField(15, []byte("bye"))
	require.Equal(t, cat(chain, did, version, deactivate, memo), v.body, "body layout")

	require.Less(t, len(v.body), 0x80, "the body length fits one varint byte")
	nonMinimalLen := cat([]byte{0x0a, byte(len(v.body)) | 0x80, 0x00}, v.body, lenField(2, v.sig))

	create, err := (&types.CreateOp{}).Marshal()
	require.NoError(t, err)
	require.Equal(t, lenField(1, nil), create, "a create always carries its (non-nullable) document")

	tests := []struct {
		name      string
		in        []byte
		max       uint32 // 0: the default limit
		limitZero bool
		wantErr   error
	}{
		{name: "valid", in: v.tx},
		{name: "valid at the size limit", in: v.tx, max: uint32(len(v.tx))},
		{name: "no signatures", in: lenField(1, v.body)},
		{name: "same signature twice is a canonical list", in: cat(lenField(1, v.body), lenField(2, v.sig), lenField(2, v.sig))},
		{name: "body without operation", in: envelope(cat(chain, did, version))},
		{name: "signatures without body", in: lenField(2, v.sig)},

		{name: "nil", in: nil, wantErr: types.ErrMalformedTx},
		{name: "empty", in: []byte{}, wantErr: types.ErrMalformedTx},
		{name: "one byte over the limit", in: v.tx, max: uint32(len(v.tx) - 1), wantErr: types.ErrTxTooLarge},
		{name: "limit zero", in: v.tx, limitZero: true, wantErr: types.ErrTxTooLarge},
		{name: "oversize garbage is refused by size before decoding", in: bytes.Repeat([]byte{0xff}, int(max)+1), wantErr: types.ErrTxTooLarge},
		{name: "oversize non-canonical is refused by size", in: append(bytes.Repeat(lenField(1, v.body), 400), 0), wantErr: types.ErrTxTooLarge},

		{name: "garbage", in: []byte{0xff, 0xff, 0xff, 0xff}, wantErr: types.ErrMalformedTx},
		{name: "ASCII text", in: []byte("hello, custos"), wantErr: types.ErrMalformedTx},
		{name: "truncated", in: v.tx[:len(v.tx)-1], wantErr: types.ErrMalformedTx},
		{name: "length past the end", in: []byte{0x0a, 0x10, 0x01}, wantErr: types.ErrMalformedTx},
		{name: "field number zero", in: []byte{0x02, 0x00}, wantErr: types.ErrMalformedTx},
		{name: "wire type 7", in: []byte{0x0f, 0x00}, wantErr: types.ErrMalformedTx},
		{name: "body with varint wire type", in: varintField(1, 5), wantErr: types.ErrMalformedTx},
		{name: "unterminated varint", in: []byte{0x18, 0xff}, wantErr: types.ErrMalformedTx},
		{name: "body garbage", in: envelope([]byte{0xff, 0xff}), wantErr: types.ErrMalformedTx},
		{name: "body truncated", in: envelope(v.body[:len(v.body)-1]), wantErr: types.ErrMalformedTx},
		{name: "signature garbage", in: cat(lenField(1, v.body), lenField(2, []byte{0xff})), wantErr: types.ErrMalformedTx},

		{name: "unknown varint field appended", in: cat(v.tx, varintField(4, 1)), wantErr: types.ErrNonCanonical},
		{name: "unknown bytes field appended", in: cat(v.tx, lenField(9, []byte("x"))), wantErr: types.ErrNonCanonical},
		{name: "unknown field first", in: cat(varintField(4, 1), v.tx), wantErr: types.ErrNonCanonical},
		{name: "unknown field in body", in: envelope(cat(v.body, varintField(14, 1))), wantErr: types.ErrNonCanonical},
		{name: "unknown field in signature", in: cat(lenField(1, v.body), lenField(2, cat(v.sig, varintField(3, 1)))), wantErr: types.ErrNonCanonical},
		{name: "unknown field in operation", in: envelope(cat(chain, did, version, lenField(8, varintField(2, 1)), memo)), wantErr: types.ErrNonCanonical},
		{name: "unknown field in create document", in: envelope(cat(chain, did, lenField(4, lenField(1, varintField(99, 1))))), wantErr: types.ErrNonCanonical},
		{name: "signatures before body", in: cat(lenField(2, v.sig), lenField(1, v.body)), wantErr: types.ErrNonCanonical},
		{name: "body fields reordered", in: envelope(cat(did, chain, version, deactivate, memo)), wantErr: types.ErrNonCanonical},
		{name: "memo before operation", in: envelope(cat(chain, did, version, memo, deactivate)), wantErr: types.ErrNonCanonical},
		{name: "signature fields reordered", in: cat(lenField(1, v.body), lenField(2, cat(lenField(2, make([]byte, 64)), lenField(1, []byte("did:custos:"+idCounting+"#key-1"))))), wantErr: types.ErrNonCanonical},
		{name: "body duplicated", in: cat(lenField(1, v.body), lenField(1, v.body), lenField(2, v.sig)), wantErr: types.ErrNonCanonical},
		{name: "chain id duplicated", in: envelope(cat(chain, chain, did, version, deactivate, memo)), wantErr: types.ErrNonCanonical},
		{name: "expected version duplicated", in: envelope(cat(chain, did, version, version, deactivate, memo)), wantErr: types.ErrNonCanonical},
		{name: "operation duplicated", in: envelope(cat(chain, did, version, deactivate, deactivate, memo)), wantErr: types.ErrNonCanonical},
		{name: "two different operations", in: envelope(cat(chain, did, version, lenField(4, create), deactivate, memo)), wantErr: types.ErrNonCanonical},
		{name: "explicit zero expected version", in: envelope(cat(chain, did, varintField(3, 0), deactivate)), wantErr: types.ErrNonCanonical},
		{name: "explicit empty memo", in: envelope(cat(chain, did, version, deactivate, lenField(15, nil))), wantErr: types.ErrNonCanonical},
		{name: "explicit empty chain id", in: envelope(cat(lenField(1, nil), did, version, deactivate)), wantErr: types.ErrNonCanonical},
		{name: "explicit empty body", in: cat(lenField(1, nil), lenField(2, v.sig)), wantErr: types.ErrNonCanonical},
		{name: "create without its document field", in: envelope(cat(chain, did, lenField(4, nil))), wantErr: types.ErrNonCanonical},
		{name: "non-minimal length varint", in: nonMinimalLen, wantErr: types.ErrNonCanonical},
		{name: "non-minimal version varint", in: envelope(cat(chain, did, tagOf(3, 0), []byte{0x81, 0x00}, deactivate, memo)), wantErr: types.ErrNonCanonical},
		{name: "non-minimal tag varint", in: cat([]byte{0x8a, 0x00}, binary.AppendUvarint(nil, uint64(len(v.body))), v.body, lenField(2, v.sig)), wantErr: types.ErrNonCanonical},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			limit := tc.max
			if limit == 0 && !tc.limitZero {
				limit = max
			}
			tx, body, err := types.DecodeTx(tc.in, limit)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.Equal(t, tc.wantErr, types.Registered(err))
				require.Nil(t, tx)
				require.Nil(t, body)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, tx)
			require.NotNil(t, body)
			re, err := tx.Marshal()
			require.NoError(t, err)
			require.Equal(t, tc.in, re, "round trip of the envelope")
			reBody, err := body.Marshal()
			require.NoError(t, err)
			require.True(t, bytes.Equal(tx.Body, reBody), "round trip of the body: %x != %x", reBody, tx.Body)
		})
	}
}

func TestDecodeTxFields(t *testing.T) {
	v := newTestTx(t)
	tx, body, err := types.DecodeTx(v.tx, types.DefaultParams().MaxTxBytes)
	require.NoError(t, err)
	require.Equal(t, v.body, tx.Body, "the body bytes are kept exactly as sent")
	require.Equal(t, "custos-test", body.ChainId)
	require.Equal(t, seqID(1).String(), body.Did)
	require.Equal(t, uint64(1), body.ExpectedVersion)
	require.Equal(t, "bye", body.Memo)
	require.NotNil(t, body.GetDeactivate())
	require.Equal(t, v.parsed, *body)

	require.Len(t, tx.Signatures, 1)
	require.Equal(t, "did:custos:"+idCounting+"#key-1", tx.Signatures[0].VerificationMethod)
	require.True(t, edKey(t, 1).Verify(types.SignBytes(tx.Body), tx.Signatures[0].Signature))
}

func TestEncodeTx(t *testing.T) {
	v := newTestTx(t)
	var sig types.Signature
	require.NoError(t, sig.Unmarshal(v.sig))
	tests := []struct {
		name string
		body []byte
		sigs []types.Signature
	}{
		{name: "one signature", body: v.body, sigs: []types.Signature{sig}},
		{name: "two signatures", body: v.body, sigs: []types.Signature{sig, sig}},
		{name: "no signatures", body: v.body},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := types.EncodeTx(tc.body, tc.sigs)
			require.NoError(t, err)
			tx, _, err := types.DecodeTx(b, types.DefaultParams().MaxTxBytes)
			require.NoError(t, err)
			require.Equal(t, tc.body, tx.Body)
			require.Len(t, tx.Signatures, len(tc.sigs))
		})
	}
}

func TestCreateRoundTrip(t *testing.T) {
	doc := txbuild.SimpleDocument("key-1", edKey(t, 1))
	id, body, err := txbuild.Create("custos-test", doc, "hello")
	require.NoError(t, err)
	signer := txbuild.NewSigner(id, "key-1", edPriv(1))
	b, err := txbuild.Sign(body, signer)
	require.NoError(t, err)

	tx, got, err := types.DecodeTx(b, types.DefaultParams().MaxTxBytes)
	require.NoError(t, err)
	require.Equal(t, body, *got)
	create := got.GetCreate()
	require.NotNil(t, create)
	inc, err := types.Inception(create.Document)
	require.NoError(t, err)
	require.Equal(t, id, types.DeriveID(got.ChainId, inc))
	require.Equal(t, id.String(), got.Did)
	_, err = types.ValidateDocument(&create.Document, types.DefaultParams())
	require.NoError(t, err)
	require.True(t, edKey(t, 1).Verify(types.SignBytes(tx.Body), tx.Signatures[0].Signature))
}

func TestInception(t *testing.T) {
	doc := txbuild.SimpleDocument("key-1", edKey(t, 1))
	withID := doc
	withID.Id = seqID(1).String()
	tests := []struct {
		name string
		doc  types.Document
	}{
		{name: "id empty", doc: doc},
		{name: "id set is cleared", doc: withID},
	}
	want, err := doc.Marshal()
	require.NoError(t, err)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.doc.Id
			got, err := types.Inception(tc.doc)
			require.NoError(t, err)
			require.Equal(t, want, got)
			require.Equal(t, before, tc.doc.Id, "Inception does not change its argument")
		})
	}
	other := txbuild.SimpleDocument("key-1", edKey(t, 2))
	otherInc, err := types.Inception(other)
	require.NoError(t, err)
	require.NotEqual(t, want, otherInc)
}

func TestDecodeRecord(t *testing.T) {
	head := types.Head{Version: 3, Created: 1700000000, Updated: 1700000100, Events: 4}
	b, err := head.Marshal()
	require.NoError(t, err)
	var got types.Head
	require.NoError(t, types.DecodeRecord(b, &got))
	require.Equal(t, head, got)
	require.Error(t, types.DecodeRecord([]byte{0xff}, &got))
}
