package types_test

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// The fuzz targets below check that every parser and decoder either refuses
// its input with a registered error or accepts exactly one text per value:
// what it accepts, it gives back byte for byte. Seed corpora also live in
// testdata/fuzz/<FuzzName>/.

func FuzzDecodeTx(f *testing.F) {
	kat, err := hex.DecodeString(katTx)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(kat)
	v := newTestTx(f)
	f.Add(v.tx)
	f.Add(lenField(1, v.body))
	f.Add(cat(v.tx, varintField(3, 1)))
	f.Add(cat(lenField(2, v.sig), lenField(1, v.body)))
	doc := txbuild.SimpleDocument("key-1", edKey(f, 1))
	id, body, err := txbuild.Create("custos-test", doc, "memo")
	if err != nil {
		f.Fatal(err)
	}
	create, err := txbuild.Sign(body, txbuild.NewSigner(id, "key-1", edPriv(1)))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(create)
	// A governance operation, numbered above the memo, with a memo: the
	// encoder puts it after the memo (txbody.go).
	addVal := txbuild.AddValidator("custos-test", id, 1, make([]byte, 32), 5, "v", make([]byte, 64))
	addVal.Memo = "memo"
	gov, err := txbuild.Sign(addVal, txbuild.NewSigner(id, "key-1", edPriv(1)))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(gov)
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x00})

	max := types.DefaultParams().MaxTxBytes
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, body, err := types.DecodeTx(b, max)
		if err != nil {
			switch types.Registered(err) {
			case types.ErrMalformedTx, types.ErrNonCanonical, types.ErrTxTooLarge:
			default:
				t.Fatalf("DecodeTx: unregistered or unexpected error %v", err)
			}
			if tx != nil || body != nil {
				t.Fatalf("DecodeTx returned values with error %v", err)
			}
			return
		}
		re, err := tx.Marshal()
		if err != nil {
			t.Fatalf("Marshal of an accepted tx: %v", err)
		}
		if !bytes.Equal(re, b) {
			t.Fatalf("tx round trip:\n in  %x\n out %x", b, re)
		}
		reBody, err := body.Marshal()
		if err != nil {
			t.Fatalf("Marshal of an accepted body: %v", err)
		}
		if !bytes.Equal(reBody, tx.Body) {
			t.Fatalf("body round trip:\n in  %x\n out %x", tx.Body, reBody)
		}
	})
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{
		katDID,
		"did:custos:" + idZero,
		"did:custos:" + idMax,
		"did:custos:" + idLeadingZero,
		"did:custos:" + id17Bytes,
		"did:custos:" + id2Pow128,
		"did:custos:1" + idCounting,
		"did:custos:",
		"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := types.ParseID(s)
		if err != nil {
			if types.Registered(err) != types.ErrInvalidDID {
				t.Fatalf("ParseID(%q): error %v is not invalid_did", s, err)
			}
			if !id.IsZero() {
				t.Fatalf("ParseID(%q) returned an id with an error", s)
			}
			return
		}
		if got := id.String(); got != s {
			t.Fatalf("ParseID(%q).String() = %q", s, got)
		}
		again, err := types.ParseID(id.String())
		if err != nil || again != id {
			t.Fatalf("ParseID(String()) of %q: %v, %v", s, again, err)
		}
	})
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		katDID + "#key-1",
		"did:custos:" + idCounting + "#AZaz09-._~",
		"did:custos:" + idCounting + "#",
		"did:custos:" + idCounting,
		"did:custos:" + idCounting + "/path#key-1",
		"did:custos:" + idCounting + "?versionId=1#key-1",
		"did:custos:" + idCounting + "#key#1",
		"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
		"#key-1",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := types.ParseURL(s)
		if err != nil {
			if types.Registered(err) != types.ErrInvalidDIDURL {
				t.Fatalf("ParseURL(%q): error %v is not invalid_did_url", s, err)
			}
			if u != (types.URL{}) {
				t.Fatalf("ParseURL(%q) returned a URL with an error", s)
			}
			return
		}
		if got := u.String(); got != s {
			t.Fatalf("ParseURL(%q).String() = %q", s, got)
		}
		if err := types.ValidateFragment(u.Fragment); err != nil {
			t.Fatalf("ParseURL(%q) accepted fragment %q: %v", s, u.Fragment, err)
		}
	})
}

func FuzzParseMultikey(f *testing.F) {
	for _, v := range didKeyVectors {
		f.Add(v.edMultikey)
		f.Add(v.xMultikey)
	}
	for _, s := range []string{
		rfc8032Multikey,
		"z1" + rfc8032Multikey[1:],
		"Z" + rfc8032Multikey[1:],
		"z",
		"",
	} {
		f.Add(s)
	}
	f.Add(multikey(f, codecSecp256k1, append([]byte{2}, bytes.Repeat([]byte{1}, 32)...)))
	f.Add(multikey(f, codecP256, append([]byte{3}, bytes.Repeat([]byte{1}, 32)...)))
	f.Add(rfc6979P256.multikey)
	f.Add(k1Generator.multikey)
	f.Fuzz(func(t *testing.T, s string) {
		pk, err := types.ParseMultikey(s)
		if err != nil {
			switch types.Registered(err) {
			case types.ErrInvalidPublicKey, types.ErrUnsupportedKeyType, types.ErrUncompressedKey:
			default:
				t.Fatalf("ParseMultikey(%q): unexpected error %v", s, err)
			}
			if !pk.IsZero() {
				t.Fatalf("ParseMultikey(%q) returned a key with an error", s)
			}
			return
		}
		if got := pk.Multibase(); got != s {
			t.Fatalf("ParseMultikey(%q).Multibase() = %q", s, got)
		}
		again, err := types.ParsePublicKey(pk.Multicodec())
		if err != nil || again != pk {
			t.Fatalf("ParsePublicKey(Multicodec()) of %q: %v", s, err)
		}
	})
}

func FuzzParsePublicKey(f *testing.F) {
	for _, v := range didKeyVectors {
		f.Add(append([]byte{0xed, 0x01}, unhex(f, v.edPub)...))
		f.Add(append([]byte{0xec, 0x01}, unhex(f, v.xPub)...))
	}
	f.Add([]byte{0xe7, 0x01, 0x02})
	f.Add([]byte{0x80, 0x24, 0x03})
	f.Add(append([]byte{0x80, 0x24, 0x03}, unhex(f, rfc6979P256.x)...))
	f.Add(append([]byte{0x80, 0x24, 0x04}, unhex(f, rfc6979P256.x+rfc6979P256.y)...))
	f.Add(append([]byte{0xe7, 0x01}, unhex(f, k1Generator.compressed)...))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		pk, err := types.ParsePublicKey(b)
		if err != nil {
			switch types.Registered(err) {
			case types.ErrInvalidPublicKey, types.ErrUnsupportedKeyType, types.ErrUncompressedKey:
			default:
				t.Fatalf("ParsePublicKey(%x): unexpected error %v", b, err)
			}
			return
		}
		if got := pk.Multicodec(); !bytes.Equal(got, b) {
			t.Fatalf("ParsePublicKey(%x).Multicodec() = %x", b, got)
		}
		// Verify never panics, whatever the key and signature.
		pk.Verify(b, b)
		pk.Verify(b, make([]byte, 64))
	})
}
