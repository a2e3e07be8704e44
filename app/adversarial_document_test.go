package app_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"fmt"
	"maps"
	"math/big"
	"strings"
	"testing"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

func documentFamilies() []advFamily {
	return []advFamily{
		{name: "document", build: buildDocument},
		{name: "create", build: buildCreate},
		{name: "keys", build: buildKeys},
		{name: "compromised", build: buildCompromised},
		{name: "large", build: buildLarge},
	}
}

// createOf returns the create of a DID whose document is a one-key
// document (fragment k1, key named name) changed by mut, signed by every
// method mut left a private key for in keys.
func createOf(name string, mut func(doc *types.Document, keys map[string]ed25519.PrivateKey)) []byte {
	base := didtest.Single(advChain, name)
	doc := didtest.CloneDoc(base.Doc)
	keys := maps.Clone(base.Keys)
	mut(&doc, keys)
	d := didtest.New(advChain, doc, keys)
	return didtest.Sign(d.CreateBody(), signersOf(d, doc, keys)...)
}

func signersOf(d *didtest.DID, doc types.Document, keys map[string]ed25519.PrivateKey) []txbuild.Signer {
	var out []txbuild.Signer
	for _, vm := range doc.VerificationMethods {
		if k, ok := keys[vm.Id]; ok {
			out = append(out, txbuild.NewSigner(d.ID, vm.Id, k))
		}
	}
	return out
}

func xMethod(f, name string) types.VerificationMethod {
	return types.VerificationMethod{Id: f, PublicKey: didtest.X25519(name).Multicodec()}
}

func svcOf(id, typ, endpoint string) types.Service {
	return types.Service{Id: id, Type: typ, Endpoint: endpoint}
}

// buildDocument: every document rule, broken once, in a create.
func buildDocument(w *advWorld) []advCase {
	n := 0
	doc := func(mut func(d *types.Document, keys map[string]ed25519.PrivateKey)) []byte {
		n++
		return createOf(fmt.Sprintf("document-%d", n), mut)
	}
	fragment := func(f string) []byte {
		return doc(func(d *types.Document, _ map[string]ed25519.PrivateKey) { d.VerificationMethods[0].Id = f })
	}
	svc := func(s types.Service) []byte {
		return doc(func(d *types.Document, _ map[string]ed25519.PrivateKey) { d.Services = append(d.Services, s) })
	}
	ep := func(e string) []byte { return svc(svcOf("svc", "LinkedDomains", e)) }
	typ := func(t string) []byte { return svc(svcOf("svc", t, "https://example.com")) }
	rel := func(mut func(d *types.Document)) []byte {
		return doc(func(d *types.Document, _ map[string]ed25519.PrivateKey) {
			d.VerificationMethods = append(d.VerificationMethods, xMethod("enc", fmt.Sprintf("document-enc-%d", n)))
			mut(d)
		})
	}
	next := func(nk *types.NextKeys) []byte {
		return doc(func(d *types.Document, _ map[string]ed25519.PrivateKey) { d.NextKeys = nk })
	}
	digest := func(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }
	digests := func(k int) [][]byte {
		out := make([][]byte, k)
		for i := range out {
			out[i] = digest(fmt.Sprint(i))
		}
		return out
	}
	maxVMs := int(types.DefaultParams().MaxVerificationMethods)
	maxSvcs := int(types.DefaultParams().MaxServices)
	maxEP := int(types.DefaultParams().MaxServiceEndpointBytes)
	long := "https://example.com/" + strings.Repeat("e", maxEP-len("https://example.com/")+1)
	return []advCase{
		{name: "no verification method", tx: doc(func(d *types.Document, _ map[string]ed25519.PrivateKey) {
			*d = types.Document{Threshold: 1}
		}), want: types.ErrInvalidDocument},
		{name: "empty fragment", tx: fragment(""), want: types.ErrInvalidDocument},
		{name: "fragment with a space", tx: fragment("k 1"), want: types.ErrInvalidDocument},
		{name: "fragment with a hash", tx: fragment("k#1"), want: types.ErrInvalidDocument},
		{name: "fragment of 65 characters", tx: fragment(strings.Repeat("k", 65)), want: types.ErrInvalidDocument},
		{name: "fragment not ASCII", tx: fragment("ké"), want: types.ErrInvalidDocument},
		{name: "fragment with a slash", tx: fragment("k/1"), want: types.ErrInvalidDocument},
		{name: "fragment listed twice", tx: doc(func(d *types.Document, _ map[string]ed25519.PrivateKey) {
			d.VerificationMethods = append(d.VerificationMethods, xMethod("k1", "document-dup-fragment"))
		}), want: types.ErrInvalidDocument},
		{name: "same Ed25519 material twice", tx: doc(func(d *types.Document, keys map[string]ed25519.PrivateKey) {
			d.VerificationMethods = append(d.VerificationMethods, types.VerificationMethod{Id: "k2", PublicKey: d.VerificationMethods[0].PublicKey})
			keys["k2"] = keys["k1"]
		}), want: types.ErrDuplicateKey},
		{name: "same X25519 material twice", tx: doc(func(d *types.Document, _ map[string]ed25519.PrivateKey) {
			d.VerificationMethods = append(d.VerificationMethods, xMethod("x1", "document-same-x"), xMethod("x2", "document-same-x"))
		}), want: types.ErrDuplicateKey},
		{name: "authentication names an unknown key", tx: rel(func(d *types.Document) { d.Authentication = append(d.Authentication, "nope") }), want: types.ErrInvalidDocument},
		{name: "capabilityInvocation names an unknown key", tx: rel(func(d *types.Document) { d.CapabilityInvocation = append(d.CapabilityInvocation, "nope") }), want: types.ErrInvalidDocument},
		{name: "relationship names a service", tx: doc(func(d *types.Document, _ map[string]ed25519.PrivateKey) {
			d.Services = []types.Service{svcOf("svc", "LinkedDomains", "https://example.com")}
			d.AssertionMethod = append(d.AssertionMethod, "svc")
		}), want: types.ErrInvalidDocument},
		{name: "assertionMethod lists a key twice", tx: rel(func(d *types.Document) { d.AssertionMethod = append(d.AssertionMethod, "k1") }), want: types.ErrInvalidDocument},
		{name: "capabilityInvocation lists a key twice", tx: rel(func(d *types.Document) { d.CapabilityInvocation = append(d.CapabilityInvocation, "k1") }), want: types.ErrInvalidDocument},
		{name: "keyAgreement names an Ed25519 key", tx: rel(func(d *types.Document) { d.KeyAgreement = []string{"k1"} }), want: types.ErrInvalidDocument},
		{name: "authentication names an X25519 key", tx: rel(func(d *types.Document) { d.Authentication = append(d.Authentication, "enc") }), want: types.ErrInvalidDocument},
		{name: "capabilityInvocation names an X25519 key", tx: rel(func(d *types.Document) { d.CapabilityInvocation = append(d.CapabilityInvocation, "enc") }), want: types.ErrInvalidDocument},
		{name: "capabilityDelegation names an X25519 key", tx: rel(func(d *types.Document) { d.CapabilityDelegation = []string{"enc"} }), want: types.ErrInvalidDocument},
		{name: "no capabilityInvocation key", tx: rel(func(d *types.Document) { d.CapabilityInvocation = nil }), want: types.ErrInvalidDocument},
		{name: "threshold 0", tx: rel(func(d *types.Document) { d.Threshold = 0 }), want: types.ErrInvalidDocument},
		{name: "threshold above the keys", tx: rel(func(d *types.Document) { d.Threshold = 2 }), want: types.ErrInvalidDocument},
		{name: "one verification method too many", tx: doc(func(d *types.Document, _ map[string]ed25519.PrivateKey) {
			for i := 0; i < maxVMs; i++ {
				d.VerificationMethods = append(d.VerificationMethods, xMethod(fmt.Sprintf("x%d", i), fmt.Sprintf("document-many-%d", i)))
			}
		}), want: types.ErrLimitExceeded},
		{name: "one service too many", tx: doc(func(d *types.Document, _ map[string]ed25519.PrivateKey) {
			for i := 0; i <= maxSvcs; i++ {
				d.Services = append(d.Services, svcOf(fmt.Sprintf("s%d", i), "LinkedDomains", "https://example.com"))
			}
		}), want: types.ErrLimitExceeded},
		{name: "endpoint one byte over", tx: ep(long), want: types.ErrLimitExceeded},
		{name: "service id empty", tx: svc(svcOf("", "LinkedDomains", "https://example.com")), want: types.ErrInvalidDocument},
		{name: "service id with a space", tx: svc(svcOf("s 1", "LinkedDomains", "https://example.com")), want: types.ErrInvalidDocument},
		{name: "service id is a key's", tx: svc(svcOf("k1", "LinkedDomains", "https://example.com")), want: types.ErrInvalidDocument},
		{name: "service listed twice", tx: doc(func(d *types.Document, _ map[string]ed25519.PrivateKey) {
			d.Services = []types.Service{svcOf("s", "LinkedDomains", "https://a.example"), svcOf("s", "LinkedDomains", "https://b.example")}
		}), want: types.ErrInvalidDocument},
		{name: "service type empty", tx: typ(""), want: types.ErrInvalidDocument},
		{name: "service type with a right-to-left override", tx: typ("Linked\u202eDomains"), want: types.ErrInvalidDocument},
		{name: "service type with a zero-width space", tx: typ("Linked\u200bDomains"), want: types.ErrInvalidDocument},
		{name: "service type with a newline", tx: typ("Linked\nDomains"), want: types.ErrInvalidDocument},
		{name: "service type not UTF-8", tx: typ("Linked\xffDomains"), want: types.ErrInvalidDocument},
		{name: "service type of 129 characters", tx: typ(strings.Repeat("t", 129)), want: types.ErrInvalidDocument},
		{name: "endpoint relative", tx: ep("/relative/path"), want: types.ErrInvalidDocument},
		{name: "endpoint without scheme", tx: ep("example.com"), want: types.ErrInvalidDocument},
		{name: "endpoint empty", tx: ep(""), want: types.ErrInvalidDocument},
		{name: "endpoint with a space", tx: ep("https://example.com/a b"), want: types.ErrInvalidDocument},
		{name: "endpoint with a tab", tx: ep("https://example.com/a\tb"), want: types.ErrInvalidDocument},
		{name: "endpoint not ASCII", tx: ep("https://exämple.com"), want: types.ErrInvalidDocument},
		{name: "endpoint unparsable", tx: ep("http://[::1"), want: types.ErrInvalidDocument},
		{name: "next keys without digests", tx: next(&types.NextKeys{Threshold: 1}), want: types.ErrInvalidDocument},
		{name: "next key digest of 31 bytes", tx: next(&types.NextKeys{Digests: [][]byte{digest("a")[:31]}, Threshold: 1}), want: types.ErrInvalidDocument},
		{name: "next key digest of 33 bytes", tx: next(&types.NextKeys{Digests: [][]byte{append(digest("a"), 0)}, Threshold: 1}), want: types.ErrInvalidDocument},
		{name: "next key digest twice", tx: next(&types.NextKeys{Digests: [][]byte{digest("a"), digest("a")}, Threshold: 1}), want: types.ErrInvalidDocument},
		{name: "next keys threshold 0", tx: next(&types.NextKeys{Digests: digests(2), Threshold: 0}), want: types.ErrInvalidDocument},
		{name: "next keys threshold above the digests", tx: next(&types.NextKeys{Digests: digests(2), Threshold: 3}), want: types.ErrInvalidDocument},
		{name: "one next key digest too many", tx: next(&types.NextKeys{Digests: digests(maxVMs + 1), Threshold: 1}), want: types.ErrInvalidDocument},
		{name: "control", tx: doc(func(d *types.Document, _ map[string]ed25519.PrivateKey) {
			d.VerificationMethods = append(d.VerificationMethods, xMethod("enc", "document-control"))
			d.KeyAgreement = []string{"enc"}
			d.Services = []types.Service{svcOf("svc", "LinkedDomains", "https://example.com")}
			d.NextKeys = txbuild.Commitment(1, didtest.PubOf("document-control-next"))
		})},
	}
}

// buildCreate: the create operation's own rules (derivation, version,
// existence, proof of possession).
func buildCreate(w *advWorld) []advCase {
	two := func(name string) *didtest.DID { return didtest.MofN(advChain, name, 1, 2) }
	// A body for d, changed by mut, signed by signers.
	body := func(d *didtest.DID, mut func(b *types.TxBody), signers ...txbuild.Signer) []byte {
		b := d.CreateBody()
		mut(&b)
		return didtest.Sign(b, signers...)
	}
	none := func(*types.TxBody) {}
	d1, d2, d3, d4, d5, d6, d7, d8, d9 := two("create-1"), two("create-2"), two("create-3"), two("create-4"), two("create-5"), two("create-6"), two("create-7"), two("create-8"), two("create-9")
	other := didtest.New("custos-other", d5.Doc, d5.Keys)
	x := didtest.New(advChain, withX25519(d7.Doc, "enc", "create-7-enc"), d7.Keys)
	bad := didtest.New(advChain, withMethod(d8.Doc, "k3", didtest.NotOnCurveEd25519()), d8.Keys)
	g1 := w.guardians[0]
	control := two("create-control")
	return []advCase{
		{name: "document id set", tx: body(d1, func(b *types.TxBody) { b.GetCreate().Document.Id = d1.ID.String() }, d1.Signers("k1", "k2")...), want: types.ErrInvalidOperation},
		{name: "expected version 1", tx: body(d2, func(b *types.TxBody) { b.ExpectedVersion = 1 }, d2.Signers("k1", "k2")...), want: types.ErrStaleVersion},
		{name: "names a registered DID", tx: body(d3, func(b *types.TxBody) { b.Did = g1.ID.String() }, d3.Signers("k1", "k2")...), want: types.ErrDIDMismatch},
		{name: "names an unregistered DID", tx: body(d4, func(b *types.TxBody) { b.Did = d9.ID.String() }, d4.Signers("k1", "k2")...), want: types.ErrDIDMismatch},
		{name: "DID derived on another chain", tx: body(other, func(b *types.TxBody) { b.ChainId = advChain }, other.Signers("k1", "k2")...), want: types.ErrDIDMismatch},
		{name: "one key does not sign", tx: body(d6, none, d6.Signer("k1")), want: types.ErrMissingPossession},
		{name: "no signature", tx: body(d6, none), want: types.ErrMissingPossession},
		{name: "a key signs twice, the other not", tx: body(d6, none, d6.Signer("k1"), d6.Signer("k1")), want: types.ErrMissingPossession},
		{name: "a key's signature made by the other key", tx: body(d6, none, d6.Signer("k1"), txbuild.NewSigner(d6.ID, "k2", d6.Keys["k1"])), want: types.ErrBadSignature},
		{name: "an outsider signs too", tx: body(d6, none, append(d6.Signers("k1", "k2"), g1.Signer("k1"))...), want: types.ErrUnknownSigner},
		{name: "signature names the keyAgreement key", tx: body(x, none, append(x.Signers("k1", "k2"), txbuild.NewSigner(x.ID, "enc", x.Keys["k1"]))...), want: types.ErrUnknownSigner},
		{name: "signature names a fragment not in the document", tx: body(d6, none, append(d6.Signers("k1", "k2"), txbuild.NewSigner(d6.ID, "k3", d6.Keys["k1"]))...), want: types.ErrUnknownSigner},
		{name: "a key is no curve point", tx: body(bad, none, append(bad.Signers("k1", "k2"), txbuild.NewSigner(bad.ID, "k3", d8.Keys["k1"]))...), want: types.ErrInvalidPublicKey},
		{name: "an existing DID again", tx: g1.Create(), want: types.ErrDIDExists},
		{name: "a deactivated DID again", tx: w.dead.Create(), want: types.ErrDIDExists},
		{name: "the large document again", tx: w.big.Create(), want: types.ErrDIDExists},
		{name: "control", tx: control.Create(), check: func(t *testing.T, w *advWorld) { requireVersion(t, w, control.ID, 1) }},
	}
}

func withX25519(doc types.Document, f, name string) types.Document {
	doc = didtest.CloneDoc(doc)
	doc.VerificationMethods = append(doc.VerificationMethods, xMethod(f, name))
	doc.KeyAgreement = append(doc.KeyAgreement, f)
	return doc
}

// withMethod adds an Ed25519 method of raw key bytes under f, in
// authentication.
func withMethod(doc types.Document, f string, raw []byte) types.Document {
	doc = didtest.CloneDoc(doc)
	doc.VerificationMethods = append(doc.VerificationMethods, types.VerificationMethod{Id: f, PublicKey: append([]byte{0xed, 0x01}, raw...)})
	doc.Authentication = append(doc.Authentication, f)
	return doc
}

// buildKeys: key material (types, sizes, weak and non-canonical points)
// in a create's signing key, and weak keyAgreement keys in an update.
func buildKeys(w *advWorld) []advCase {
	n := 0
	key := func(material []byte) []byte {
		n++
		return createOf(fmt.Sprintf("keys-%d", n), func(d *types.Document, _ map[string]ed25519.PrivateKey) {
			d.VerificationMethods[0].PublicKey = material
		})
	}
	ed := func(raw []byte) []byte { return append([]byte{0xed, 0x01}, raw...) }
	x := func(raw []byte) []byte { return append([]byte{0xec, 0x01}, raw...) }
	raw32 := didtest.PubOf("keys-raw").Raw()
	cases := []advCase{
		{name: "unknown multicodec", tx: key(append([]byte{0x00, 0x01}, raw32...)), want: types.ErrUnsupportedKeyType},
		{name: "secp256k1 off the curve (x = 0)", tx: key(append([]byte{0xe7, 0x01, 0x02}, make([]byte, 32)...)), want: types.ErrInvalidPublicKey},
		{name: "P-256 off the curve (x = 1)", tx: key(append(append([]byte{0x80, 0x24, 0x02}, make([]byte, 31)...), 1)), want: types.ErrInvalidPublicKey},
		{name: "P-256 uncompressed", tx: key(append([]byte{0x80, 0x24, 0x04}, append(raw32, raw32...)...)), want: types.ErrUncompressedKey},
		{name: "P-256 of 32 bytes", tx: key(append([]byte{0x80, 0x24}, raw32...)), want: types.ErrInvalidPublicKey},
		{name: "P-256 signed high-S", tx: highSCreate(), want: types.ErrHighS},
		{name: "empty key", tx: key(nil), want: types.ErrUnsupportedKeyType},
		{name: "one byte", tx: key([]byte{0xed}), want: types.ErrUnsupportedKeyType},
		{name: "multicodec as an overlong varint", tx: key(append([]byte{0xed, 0x81, 0x00}, raw32...)), want: types.ErrUnsupportedKeyType},
		{name: "Ed25519 prefix only", tx: key(ed(nil)), want: types.ErrInvalidPublicKey},
		{name: "Ed25519 of 31 bytes", tx: key(ed(raw32[:31])), want: types.ErrInvalidPublicKey},
		{name: "Ed25519 of 33 bytes", tx: key(ed(append(raw32, 0))), want: types.ErrInvalidPublicKey},
		{name: "Ed25519 of 64 bytes", tx: key(ed(append(raw32, raw32...))), want: types.ErrInvalidPublicKey},
		{name: "Ed25519 no curve point", tx: key(ed(didtest.NotOnCurveEd25519())), want: types.ErrInvalidPublicKey},
		{name: "X25519 as the controller", tx: key(x(didtest.X25519("keys-x").Raw())), want: types.ErrInvalidDocument},
	}
	for i, raw := range didtest.SmallOrderEd25519() {
		cases = append(cases, advCase{name: fmt.Sprintf("Ed25519 of small order %d", i), tx: key(ed(raw)), want: types.ErrInvalidPublicKey})
	}
	for i, raw := range didtest.NonCanonicalEd25519() {
		cases = append(cases, advCase{name: fmt.Sprintf("Ed25519 not canonical %d", i), tx: key(ed(raw)), want: types.ErrInvalidPublicKey})
	}
	s := didtest.Single(advChain, "keys-owner")
	w.commitOK(s.Create())
	agree := func(material []byte) []byte {
		doc := didtest.CloneDoc(s.Doc)
		doc.VerificationMethods = append(doc.VerificationMethods, types.VerificationMethod{Id: "enc", PublicKey: material})
		doc.KeyAgreement = []string{"enc"}
		return didtest.Sign(txbuild.Update(advChain, s.ID, 1, doc), s.Signer("k1"))
	}
	for i, raw := range didtest.X25519SmallOrder() {
		cases = append(cases, advCase{name: fmt.Sprintf("X25519 of small order %d", i), tx: agree(x(raw)), want: types.ErrInvalidPublicKey})
	}
	cases = append(cases,
		advCase{name: "X25519 of 31 bytes", tx: agree(x(raw32[:31])), want: types.ErrInvalidPublicKey},
		advCase{name: "X25519 of 33 bytes", tx: agree(x(append(raw32, 1))), want: types.ErrInvalidPublicKey},
		advCase{name: "keyAgreement secp256k1", tx: agree(append([]byte{0xe7, 0x01}, secp256k1G...)), want: types.ErrInvalidDocument},
		advCase{name: "keyAgreement P-256", tx: agree(p256Key("keys-agree").Public().Multicodec()), want: types.ErrInvalidDocument},
	)
	// One secret signs for A and for A + T (T of order 8) under ZIP-215:
	// two "distinct" controller keys held by one party.
	a := didtest.Key("keys-mixed/k1")
	mixed := didtest.MixedOrderEd25519(a)
	twin := append(append(ed25519.PrivateKey(nil), a.Seed()...), mixed...)
	mdoc := withMethod(didtest.Single(advChain, "keys-mixed").Doc, "k2", mixed)
	mdoc.CapabilityInvocation = []string{"k1", "k2"}
	mdoc.Threshold = 2
	md := didtest.New(advChain, mdoc, map[string]ed25519.PrivateKey{"k1": a, "k2": twin})
	cases = append(cases,
		advCase{name: "mixed-order twin of a key", tx: md.Create(), want: types.ErrInvalidPublicKey},
		advCase{name: "control", tx: agree(x(didtest.X25519("keys-owner-enc").Raw()))},
	)
	return cases
}

// buildCompromised: a key material recorded as compromised for a DID,
// brought back to it under any fragment, by any operation.
func buildCompromised(w *advWorld) []advCase {
	c := ownerWithExtras("compromised")
	w.commitOK(c.Create())
	w.commitOK(didtest.Sign(txbuild.Revoke(advChain, c.ID, 1, "k2", types.REVOCATION_REASON_COMPROMISED, 1_600_000_000), c.Signer("k1")))
	stolen := c.Keys["k2"]
	cur := w.document(c.ID)
	readd := func(f string, capability bool) []byte {
		doc := didtest.CloneDoc(cur)
		doc.VerificationMethods = append(doc.VerificationMethods, types.VerificationMethod{Id: f, PublicKey: didtest.Pub(stolen).Multicodec()})
		doc.Authentication = append(doc.Authentication, f)
		if capability {
			doc.CapabilityInvocation = append(doc.CapabilityInvocation, f)
		}
		return didtest.Sign(txbuild.Update(advChain, c.ID, 2, doc), c.Signer("k1"), txbuild.NewSigner(c.ID, f, stolen))
	}
	fresh := didtest.Key("compromised/fresh")
	return []advCase{
		{name: "re-added under its fragment", tx: readd("k2", false), want: types.ErrKeyCompromised},
		{name: "re-added under another fragment", tx: readd("k3", false), want: types.ErrKeyCompromised},
		{name: "re-added as a controller key", tx: readd("k4", true), want: types.ErrKeyCompromised},
		{name: "rotated in", tx: didtest.Sign(txbuild.Rotate(advChain, c.ID, 2, "k1", didtest.Pub(stolen)), c.Signer("k1"), txbuild.NewSigner(c.ID, "k1", stolen)), want: types.ErrKeyCompromised},
		{name: "control: a fresh key rotated in", tx: didtest.Sign(txbuild.Rotate(advChain, c.ID, 2, "k1", didtest.Pub(fresh)), c.Signer("k1"), txbuild.NewSigner(c.ID, "k1", fresh))},
	}
}

// buildLarge: the DID with a document near the tx size limit, grown past
// the limits.
func buildLarge(w *advWorld) []advCase {
	b := w.big
	doc := w.document(b.ID)
	grow := func(version uint64, services int) []byte {
		d := didtest.CloneDoc(doc)
		for i := 0; i < services; i++ {
			ep := fmt.Sprintf("https://big.example/more/%d/", i)
			d.Services = append(d.Services, svcOf(fmt.Sprintf("m%d", i), "LinkedDomains", ep+strings.Repeat("b", 1000-len(ep))))
		}
		return didtest.Sign(txbuild.Update(advChain, b.ID, version, d), b.Signer("k1"))
	}
	edit := func(mut func(d *types.Document)) []byte {
		d := didtest.CloneDoc(doc)
		mut(&d)
		return didtest.Sign(txbuild.Update(advChain, b.ID, 1, d), b.Signer("k1"))
	}
	maxTx := int(types.DefaultParams().MaxTxBytes)
	tooBig := grow(1, 4)
	if len(tooBig) <= maxTx {
		panic(fmt.Sprintf("the grown document's tx is %d bytes, not past the limit", len(tooBig)))
	}
	copyDoc := didtest.CloneDoc(b.Doc)
	copyDoc.VerificationMethods[0].PublicKey = didtest.PubOf("large-copy").Multicodec()
	for i := 0; i < 4; i++ {
		copyDoc.Services = append(copyDoc.Services, svcOf(fmt.Sprintf("c%d", i), "LinkedDomains", "https://big.example/"+strings.Repeat("c", 1000)))
	}
	cp := didtest.New(advChain, copyDoc, map[string]ed25519.PrivateKey{"k1": didtest.Key("large-copy")})
	rotated := didtest.Key("big/rotated")
	return []advCase{
		{name: "update past the tx size limit", tx: tooBig, want: types.ErrTxTooLarge},
		{name: "create of a copy past the tx size limit", tx: cp.Create(), want: types.ErrTxTooLarge},
		{name: "one service too many", tx: edit(func(d *types.Document) {
			for i := len(d.Services); i <= int(types.DefaultParams().MaxServices); i++ {
				d.Services = append(d.Services, svcOf(fmt.Sprintf("t%d", i), "LinkedDomains", "https://big.example/t"))
			}
		}), want: types.ErrLimitExceeded},
		{name: "one method too many", tx: edit(func(d *types.Document) {
			for i := len(d.VerificationMethods); i <= int(types.DefaultParams().MaxVerificationMethods); i++ {
				d.VerificationMethods = append(d.VerificationMethods, xMethod(fmt.Sprintf("y%d", i), fmt.Sprintf("big/y%d", i)))
			}
		}), want: types.ErrLimitExceeded},
		{name: "an endpoint one byte over", tx: edit(func(d *types.Document) {
			d.Services[0].Endpoint += strings.Repeat("x", int(types.DefaultParams().MaxServiceEndpointBytes)+1-len(d.Services[0].Endpoint))
		}), want: types.ErrLimitExceeded},
		{name: "control: a small rotation of the large document", tx: didtest.Sign(txbuild.Rotate(advChain, b.ID, 1, "k1", didtest.Pub(rotated)), b.Signer("k1"), txbuild.NewSigner(b.ID, "k1", rotated))},
		{name: "control: grown to just under the tx size limit", tx: func() []byte {
			d := didtest.CloneDoc(doc)
			d.VerificationMethods[0].PublicKey = didtest.Pub(rotated).Multicodec()
			for i := 0; i < 3; i++ {
				ep := fmt.Sprintf("https://big.example/more/%d/", i)
				d.Services = append(d.Services, svcOf(fmt.Sprintf("m%d", i), "LinkedDomains", ep+strings.Repeat("b", 1000-len(ep))))
			}
			tx := didtest.Sign(txbuild.Update(advChain, b.ID, 2, d), txbuild.NewSigner(b.ID, "k1", rotated))
			if len(tx) > maxTx || len(tx) < maxTx-1500 {
				panic(fmt.Sprintf("the near-limit tx is %d bytes", len(tx)))
			}
			return tx
		}()},
	}
}

// secp256k1G is the secp256k1 generator, compressed (SEC 2 §2.4.1): a
// valid secp256k1 public key.
var secp256k1G = []byte{0x02,
	0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0, 0x62, 0x95, 0xce, 0x87, 0x0b, 0x07,
	0x02, 0x9b, 0xfc, 0xdb, 0x2d, 0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8, 0x17, 0x98}

// p256Key is the P-256 key whose scalar is SHA-256("custos adversarial
// p256 " + name).
func p256Key(name string) txbuild.P256Key {
	d := sha256.Sum256([]byte("custos adversarial p256 " + name))
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	if err != nil {
		panic(err)
	}
	return txbuild.P256Key{Key: k}
}

// highSCreate is the create of a DID with one P-256 key whose proof of
// possession has s above n/2: valid under plain ECDSA, refused by Custos.
func highSCreate() []byte {
	k := p256Key("keys-high-s")
	id, body, err := txbuild.Create(advChain, txbuild.SimpleDocument("key-1", k.Public()), "")
	if err != nil {
		panic(err)
	}
	b, err := body.Marshal()
	if err != nil {
		panic(err)
	}
	sig, err := k.Sign(types.SignBytes(b))
	if err != nil {
		panic(err)
	}
	s := new(big.Int).Sub(elliptic.P256().Params().N, new(big.Int).SetBytes(sig[32:]))
	s.FillBytes(sig[32:])
	tx, err := types.EncodeTx(b, []types.Signature{{VerificationMethod: types.URL{ID: id, Fragment: "key-1"}.String(), Signature: sig}})
	if err != nil {
		panic(err)
	}
	return tx
}
