package app_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// Protobuf wire helpers for hand-made encodings.
func pbKey(field, wireType int) []byte { return binary.AppendUvarint(nil, uint64(field<<3|wireType)) }

func pbLen(field int, b []byte) []byte {
	out := binary.AppendUvarint(pbKey(field, 2), uint64(len(b)))
	return append(out, b...)
}

func pbVarint(field int, v uint64) []byte { return binary.AppendUvarint(pbKey(field, 0), v) }

func pbCat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// sigEntry encodes a Signature message.
func sigEntry(url string, sig []byte) []byte { return pbCat(pbLen(1, []byte(url)), pbLen(2, sig)) }

// withService returns d's inception document with one more service.
func withService(d *didtest.DID, id string) types.Document {
	doc := didtest.CloneDoc(d.Doc)
	doc.Services = append(doc.Services, types.Service{Id: id, Type: "LinkedDomains", Endpoint: "https://example.com/" + id})
	return doc
}

// serviceUpdate is an update of d (at version) adding a service, signed by
// its k1.
func serviceUpdate(d *didtest.DID, version uint64, svc string) types.TxBody {
	return txbuild.Update(advChain, d.ID, version, withService(d, svc))
}

// signedBody is a tx of hand-made body bytes, signed by d's k1.
func signedBody(d *didtest.DID, body []byte) []byte {
	return didtest.Envelope(body, didtest.SignatureBy(types.URL{ID: d.ID, Fragment: "k1"}, d.Keys["k1"], body))
}

func encodingFamilies() []advFamily {
	return []advFamily{
		{name: "encoding", build: buildEncoding},
		{name: "envelope", build: buildEnvelope},
		{name: "identifiers", build: buildIdentifiers},
	}
}

// buildEncoding: undecodable, truncated and non-canonical encodings of a
// valid update, and bodies that decode to nothing usable.
func buildEncoding(w *advWorld) []advCase {
	s := didtest.Single(advChain, "encoding")
	w.commitOK(s.Create())
	body := didtest.Marshal(serviceUpdate(s, 1, "svc"))
	valid := signedBody(s, body)
	sig := didtest.SigOver(s.Keys["k1"], body)
	url := types.URL{ID: s.ID, Fragment: "k1"}.String()
	maxTx := int(types.DefaultParams().MaxTxBytes)

	// A body with one field changed or added, signed as it is.
	signed := func(b []byte) []byte { return signedBody(s, b) }
	overlong := func(v uint64) []byte { // v as a 2-byte-longer varint
		b := binary.AppendUvarint(nil, v)
		b[len(b)-1] |= 0x80
		return append(b, 0x80, 0x00)
	}
	chainField := pbLen(1, []byte(advChain))
	didField := pbLen(2, []byte(s.ID.String()))
	rest := body[len(chainField)+len(didField):] // expected version, operation

	// The update's document encoded by hand, so that nested messages can
	// be bent; unbent, it is the canonical encoding (checked below).
	nested := func(p docParts) []byte {
		return signed(pbCat(chainField, didField, pbVarint(3, 1), pbLen(5, pbCat(pbLen(1, p.encode(s)), p.opExtra))))
	}
	if got, want := (docParts{}).encode(s), docBytes(withService(s, "svc")); !bytes.Equal(got, want) {
		panic(fmt.Sprintf("the hand-made document encoding differs from gogoproto's:\n%x\n%x", got, want))
	}
	if got, want := (docParts{next: true}).encode(s), docBytes(withNext(withService(s, "svc"))); !bytes.Equal(got, want) {
		panic(fmt.Sprintf("the hand-made document encoding with next keys differs from gogoproto's:\n%x\n%x", got, want))
	}

	cases := []advCase{
		{name: "empty", tx: nil, want: types.ErrMalformedTx},
		{name: "zero byte", tx: []byte{0}, want: types.ErrMalformedTx},
		{name: "all 0xff", tx: bytes.Repeat([]byte{0xff}, 32), want: types.ErrMalformedTx},
		{name: "truncated by one byte", tx: valid[:len(valid)-1], want: types.ErrMalformedTx},
		{name: "truncated in the body", tx: valid[:len(body)/2], want: types.ErrMalformedTx},
		{name: "tag only", tx: valid[:1], want: types.ErrMalformedTx},
		{name: "tag and length only", tx: valid[:3], want: types.ErrMalformedTx},
		{name: "trailing zero byte", tx: pbCat(valid, []byte{0}), want: types.ErrMalformedTx},
		{name: "trailing unknown field", tx: pbCat(valid, pbVarint(4, 1)), want: types.ErrNonCanonical},
		{name: "body field twice", tx: pbCat(valid, pbLen(1, body)), want: types.ErrNonCanonical},
		{name: "signatures before body", tx: pbCat(pbLen(2, sigEntry(url, sig)), pbLen(1, body)), want: types.ErrNonCanonical},
		{name: "overlong body length", tx: pbCat(pbKey(1, 2), overlong(uint64(len(body))), body, pbLen(2, sigEntry(url, sig))), want: types.ErrNonCanonical},
		{name: "overlong field tag", tx: pbCat([]byte{0x8a, 0x00}, binary.AppendUvarint(nil, uint64(len(body))), body, pbLen(2, sigEntry(url, sig))), want: types.ErrNonCanonical},
		{name: "length past the end", tx: pbCat(pbKey(1, 2), binary.AppendUvarint(nil, 1<<40), body), want: types.ErrMalformedTx},
		{name: "negative length", tx: pbCat(pbKey(1, 2), bytes.Repeat([]byte{0xff}, 9), []byte{0x01}, body), want: types.ErrMalformedTx},
		{name: "body as a varint", tx: pbCat(pbVarint(1, 7), pbLen(2, sigEntry(url, sig))), want: types.ErrMalformedTx},
		{name: "signature entry with unknown field", tx: pbCat(pbLen(1, body), pbLen(2, pbCat(sigEntry(url, sig), pbVarint(3, 1)))), want: types.ErrNonCanonical},
		{name: "signature bytes as a varint", tx: pbCat(pbLen(1, body), pbLen(2, pbCat(pbLen(1, []byte(url)), pbVarint(2, 1)))), want: types.ErrMalformedTx},
		{name: "signature entry truncated", tx: pbCat(pbLen(1, body), pbKey(2, 2), []byte{byte(len(url) + 70)}, pbLen(1, []byte(url))), want: types.ErrMalformedTx},
		{name: "body with unknown field", tx: signed(pbCat(body, pbVarint(14, 1))), want: types.ErrNonCanonical},
		{name: "body with empty memo sent", tx: signed(pbCat(body, pbLen(15, nil))), want: types.ErrNonCanonical},
		{name: "body with chain id twice", tx: signed(pbCat(body, chainField)), want: types.ErrNonCanonical},
		{name: "body fields out of order", tx: signed(pbCat(didField, chainField, rest)), want: types.ErrNonCanonical},
		{name: "body with unknown operation", tx: signed(pbCat(chainField, didField, pbVarint(3, 1), pbLen(13, nil))), want: types.ErrNonCanonical},
		{name: "body with two operations", tx: signed(pbCat(body, pbLen(8, nil))), want: types.ErrNonCanonical},
		{name: "body with explicit version 0", tx: signed(pbCat(chainField, didField, pbVarint(3, 0), pbLen(8, nil))), want: types.ErrNonCanonical},
		{name: "body chain id as a varint", tx: signed(pbCat(pbVarint(1, 1), didField, rest)), want: types.ErrMalformedTx},
		{name: "body garbage", tx: signed(bytes.Repeat([]byte{0xff}, 40)), want: types.ErrMalformedTx},
		{name: "body truncated", tx: signed(body[:len(body)-3]), want: types.ErrMalformedTx},
		{name: "document with unknown field", tx: signed(pbCat(chainField, didField, pbVarint(3, 1), pbLen(5, pbLen(1, pbCat(docBytes(withService(s, "svc")), pbVarint(11, 1)))))), want: types.ErrNonCanonical},
		{name: "method with unknown field", tx: nested(docParts{vmExtra: pbVarint(3, 1)}), want: types.ErrNonCanonical},
		{name: "method with its id sent empty", tx: nested(docParts{vmPrefix: pbLen(1, nil)}), want: types.ErrNonCanonical},
		{name: "method with its fields out of order", tx: nested(docParts{vmSwap: true}), want: types.ErrNonCanonical},
		{name: "service with unknown field", tx: nested(docParts{svcExtra: pbVarint(4, 1)}), want: types.ErrNonCanonical},
		{name: "service with its fields out of order", tx: nested(docParts{svcSwap: true}), want: types.ErrNonCanonical},
		{name: "document with its id sent empty", tx: nested(docParts{docPrefix: pbLen(1, nil)}), want: types.ErrNonCanonical},
		{name: "document with threshold twice", tx: nested(docParts{docExtra: pbVarint(9, 1)}), want: types.ErrNonCanonical},
		{name: "document with threshold as an overlong varint", tx: nested(docParts{threshold: pbCat(pbKey(9, 0), overlong(1))}), want: types.ErrNonCanonical},
		{name: "next keys with unknown field", tx: nested(docParts{next: true, nextExtra: pbVarint(3, 1)}), want: types.ErrNonCanonical},
		{name: "next keys with threshold sent as 0", tx: nested(docParts{next: true, nextThreshold: pbVarint(2, 0)}), want: types.ErrNonCanonical},
		{name: "update operation with unknown field", tx: nested(docParts{opExtra: pbVarint(2, 1)}), want: types.ErrNonCanonical},
		{name: "relationship as a varint", tx: nested(docParts{docExtra: pbVarint(3, 1)}), want: types.ErrMalformedTx},
		{name: "empty create operation", tx: signed(pbCat(chainField, didField, pbLen(4, nil))), want: types.ErrNonCanonical},
		{name: "envelope as the body", tx: signed(valid), want: types.ErrWrongChainID},
		{name: "empty body", tx: signed(nil), want: types.ErrWrongChainID},
		{name: "no body, only a signature", tx: pbLen(2, sigEntry(url, sig)), want: types.ErrWrongChainID},
		{name: "body without a DID", tx: signed(chainField), want: types.ErrInvalidDID},
		{name: "body without an operation", tx: signed(pbCat(chainField, didField, pbVarint(3, 1))), want: types.ErrNoOperation},
		{name: "garbage of the largest size", tx: bytes.Repeat([]byte{0xff}, maxTx), want: types.ErrMalformedTx},
		{name: "garbage one byte too large", tx: bytes.Repeat([]byte{0xff}, maxTx+1), want: types.ErrTxTooLarge},
		{name: "valid tx padded past the size limit", tx: pbCat(valid, pbLen(3, make([]byte, maxTx))), want: types.ErrTxTooLarge},
		{name: "control", tx: valid},
	}
	return cases
}

// docParts bends the hand-made encoding of withService(d, "svc").
type docParts struct {
	vmPrefix, vmExtra, svcExtra, docPrefix, docExtra, threshold, opExtra []byte
	vmSwap, svcSwap                                                      bool
	// next adds the commitment of withNext; nextExtra and nextThreshold
	// bend it.
	next                     bool
	nextExtra, nextThreshold []byte
}

// nextDigest is the digest withNext commits to.
var nextDigest = types.KeyDigest(didtest.PubOf("encoding/next"))

func withNext(doc types.Document) types.Document {
	doc.NextKeys = &types.NextKeys{Digests: [][]byte{nextDigest}, Threshold: 1}
	return doc
}

func (p docParts) encode(d *didtest.DID) []byte {
	vm := d.Doc.VerificationMethods[0]
	id, key := pbLen(1, []byte(vm.Id)), pbLen(2, vm.PublicKey)
	vmb := pbCat(p.vmPrefix, id, key, p.vmExtra)
	if p.vmSwap {
		vmb = pbCat(key, id)
	}
	sv := withService(d, "svc").Services[0]
	sid, styp, sep := pbLen(1, []byte(sv.Id)), pbLen(2, []byte(sv.Type)), pbLen(3, []byte(sv.Endpoint))
	svb := pbCat(sid, styp, sep, p.svcExtra)
	if p.svcSwap {
		svb = pbCat(styp, sid, sep)
	}
	threshold := pbVarint(9, 1)
	if p.threshold != nil {
		threshold = p.threshold
	}
	var next []byte
	if p.next {
		nt := pbVarint(2, 1)
		if p.nextThreshold != nil {
			nt = p.nextThreshold
		}
		next = pbLen(10, pbCat(pbLen(1, nextDigest), nt, p.nextExtra))
	}
	k1 := []byte(vm.Id)
	return pbCat(p.docPrefix, pbLen(2, vmb), pbLen(3, k1), pbLen(4, k1), pbLen(6, k1), pbLen(8, svb), threshold, next, p.docExtra)
}

// docBytes returns the encoding of a Document message.
func docBytes(d types.Document) []byte {
	b, err := d.Marshal()
	if err != nil {
		panic(err)
	}
	return b
}

// buildEnvelope: the chain id, the memo and the signature count.
func buildEnvelope(w *advWorld) []advCase {
	s := didtest.Single(advChain, "envelope")
	w.commitOK(s.Create())
	with := func(mut func(b *types.TxBody)) []byte {
		b := serviceUpdate(s, 1, "svc")
		mut(&b)
		return didtest.Sign(b, s.Signer("k1"))
	}
	chain := func(c string) []byte { return with(func(b *types.TxBody) { b.ChainId = c }) }
	memo := func(n int) []byte { return with(func(b *types.TxBody) { b.Memo = strings.Repeat("m", n) }) }
	text := func(m string) []byte { return with(func(b *types.TxBody) { b.Memo = m }) }
	k1 := s.Signer("k1")
	times := func(n int) []txbuild.Signer {
		out := make([]txbuild.Signer, n)
		for i := range out {
			out[i] = k1
		}
		return out
	}
	maxSigs := int(types.DefaultParams().MaxSignatures)
	maxMemo := int(types.DefaultParams().MaxMemoBytes)
	return []advCase{
		{name: "another chain", tx: chain("custos-other"), want: types.ErrWrongChainID},
		{name: "chain id with a trailing space", tx: chain(advChain + " "), want: types.ErrWrongChainID},
		{name: "chain id in upper case", tx: chain(strings.ToUpper(advChain)), want: types.ErrWrongChainID},
		{name: "chain id with a NUL", tx: chain(advChain + "\x00"), want: types.ErrWrongChainID},
		{name: "chain id prefix", tx: chain(advChain[:len(advChain)-1]), want: types.ErrWrongChainID},
		{name: "empty chain id", tx: chain(""), want: types.ErrWrongChainID},
		{name: "memo one byte over", tx: memo(maxMemo + 1), want: types.ErrMemoTooLarge},
		{name: "memo of 4 KiB", tx: memo(4096), want: types.ErrMemoTooLarge},
		{name: "memo not UTF-8", tx: text("caf\xe9"), want: types.ErrInvalidMemo},
		{name: "memo with a right-to-left override", tx: text("pay \u202eevil"), want: types.ErrInvalidMemo},
		{name: "memo with a bidirectional isolate", tx: text("a\u2066b\u2069"), want: types.ErrInvalidMemo},
		{name: "memo with a NUL", tx: text("a\x00b"), want: types.ErrInvalidMemo},
		{name: "memo with a line break", tx: text("line\nbreak"), want: types.ErrInvalidMemo},
		{name: "memo with an escape sequence", tx: text("\x1b[31mred"), want: types.ErrInvalidMemo},
		{name: "memo with a zero-width space", tx: text("zero\u200bwidth"), want: types.ErrInvalidMemo},
		{name: "memo with a byte order mark", tx: text("\ufeffbom"), want: types.ErrInvalidMemo},
		{name: "memo with a C1 control", tx: text("a\u0085b"), want: types.ErrInvalidMemo},
		{name: "memo of a surrogate half", tx: text("\xed\xa0\x80"), want: types.ErrInvalidMemo},
		{name: "memo with a private-use character", tx: text("a\ue000b"), want: types.ErrInvalidMemo},
		{name: "memo too large and not UTF-8", tx: text(strings.Repeat("\xff", maxMemo+1)), want: types.ErrMemoTooLarge},
		{name: "one signature too many", tx: didtest.Sign(serviceUpdate(s, 1, "svc"), times(maxSigs+1)...), want: types.ErrTooManySignatures},
		{name: "64 signatures", tx: didtest.Sign(serviceUpdate(s, 1, "svc"), times(64)...), want: types.ErrTooManySignatures},
		{name: "too many signatures with garbage names", tx: manyGarbageSignatures(s, maxSigs+1), want: types.ErrTooManySignatures},
		{name: "control: largest memo", tx: memo(maxMemo)},
		{name: "control: a memo in several scripts", tx: didtest.Sign(func() types.TxBody {
			b := serviceUpdate(s, 2, "svc3")
			b.Memo = "clé perdue · 鍵 · ключ"
			return b
		}(), s.Signer("k1"))},
		{name: "the same key signing up to the limit", tx: didtest.Sign(serviceUpdate(s, 1, "svc2"), times(maxSigs)...), want: types.ErrExcessSignatures},
		{name: "the same key signing twice", tx: didtest.Sign(serviceUpdate(s, 1, "svc2"), times(2)...), want: types.ErrExcessSignatures},
	}
}

func manyGarbageSignatures(s *didtest.DID, n int) []byte {
	body := didtest.Marshal(serviceUpdate(s, 1, "svc"))
	sigs := make([]types.Signature, n)
	for i := range sigs {
		sigs[i] = types.Signature{VerificationMethod: "not a url", Signature: []byte{1}}
	}
	return didtest.Envelope(body, sigs...)
}

// buildIdentifiers: the target DID and the signatures' key URLs.
func buildIdentifiers(w *advWorld) []advCase {
	s := didtest.Single(advChain, "identifiers")
	w.commitOK(s.Create())
	id := s.ID.String()
	idPart := strings.TrimPrefix(id, types.Prefix)
	target := func(did string) []byte {
		b := serviceUpdate(s, 1, "svc")
		b.Did = did
		return didtest.Sign(b, s.Signer("k1"))
	}
	body := didtest.Marshal(serviceUpdate(s, 1, "svc"))
	signedAs := func(url string) []byte {
		return didtest.Envelope(body, types.Signature{VerificationMethod: url, Signature: didtest.SigOver(s.Keys["k1"], body)})
	}
	cases := []advCase{
		{name: "target empty", tx: target(""), want: types.ErrInvalidDID},
		{name: "target prefix only", tx: target(types.Prefix), want: types.ErrInvalidDID},
		{name: "target of another method", tx: target("did:web:example.com"), want: types.ErrInvalidDID},
		{name: "target not base58", tx: target(types.Prefix + "0OIl0OIl0OIl0OIl0OIl0O"), want: types.ErrInvalidDID},
		{name: "target of 15 bytes", tx: target(types.Prefix + "11111111111111"), want: types.ErrInvalidDID},
		{name: "target id too long", tx: target(id + "zzzz"), want: types.ErrInvalidDID},
		{name: "target with a leading 1", tx: target(types.Prefix + "1" + idPart), want: types.ErrInvalidDID},
		{name: "target in upper case", tx: target("DID:CUSTOS:" + idPart), want: types.ErrInvalidDID},
		{name: "target with a trailing space", tx: target(id + " "), want: types.ErrInvalidDID},
		{name: "target with a fragment", tx: target(id + "#k1"), want: types.ErrInvalidDID},
		{name: "target with a query", tx: target(id + "?versionId=1"), want: types.ErrInvalidDID},
		{name: "target with a path", tx: target(id + "/history"), want: types.ErrInvalidDID},
		{name: "key URL without fragment", tx: signedAs(id), want: types.ErrInvalidDIDURL},
		{name: "key URL with empty fragment", tx: signedAs(id + "#"), want: types.ErrInvalidDIDURL},
		{name: "key URL fragment with a slash", tx: signedAs(id + "#k/1"), want: types.ErrInvalidDIDURL},
		{name: "key URL fragment of 65 characters", tx: signedAs(id + "#" + strings.Repeat("k", 65)), want: types.ErrInvalidDIDURL},
		{name: "key URL fragment not ASCII", tx: signedAs(id + "#kä"), want: types.ErrInvalidDIDURL},
		{name: "key URL fragment with a space", tx: signedAs(id + "#k 1"), want: types.ErrInvalidDIDURL},
		{name: "key URL fragment percent-encoded", tx: signedAs(id + "#k%31"), want: types.ErrInvalidDIDURL},
		{name: "key URL with two fragments", tx: signedAs(id + "#k1#k1"), want: types.ErrInvalidDIDURL},
		{name: "key URL of another method", tx: signedAs("did:key:z6Mk#k1"), want: types.ErrInvalidDIDURL},
		{name: "key URL relative", tx: signedAs("#k1"), want: types.ErrInvalidDIDURL},
		{name: "key URL with a query", tx: signedAs(id + "?versionId=1#k1"), want: types.ErrInvalidDIDURL},
		{name: "control", tx: signedAs(id + "#k1")},
	}
	return cases
}
