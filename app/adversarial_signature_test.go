package app_test

import (
	"crypto/ed25519"
	"math/big"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

func signatureFamilies() []advFamily {
	return []advFamily{
		{name: "signatures", build: buildSignatures},
		{name: "threshold", build: buildThreshold},
		{name: "possession", build: buildPossession},
	}
}

// sigOf returns a signature entry naming d's fragment f with bytes sig.
func sigOf(d *didtest.DID, f string, sig []byte) types.Signature {
	return types.Signature{VerificationMethod: types.URL{ID: d.ID, Fragment: f}.String(), Signature: sig}
}

// flip returns sig with bit i flipped.
func flipBit(sig []byte, i int) []byte {
	out := slices.Clone(sig)
	out[i/8] ^= 1 << (i % 8)
	return out
}

// malleate returns the signature (R, S + L): the same equation, S not
// reduced, which ZIP-215 verification refuses.
func malleate(sig []byte) []byte {
	l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	le := func(b []byte) []byte { r := slices.Clone(b); slices.Reverse(r); return r }
	s := new(big.Int).SetBytes(le(sig[32:]))
	s.Add(s, l)
	out := slices.Clone(sig[:32])
	be := make([]byte, 32)
	s.FillBytes(be)
	return append(out, le(be)...)
}

// ownerWithExtras is a one-key DID (k1) that also has an authentication
// key k2, a keyAgreement key enc and a service svc0.
func ownerWithExtras(name string) *didtest.DID {
	d := didtest.Single(advChain, name)
	doc := withX25519(d.Doc, "enc", name+"/enc")
	k2 := didtest.Key(name + "/k2")
	doc.VerificationMethods = append(doc.VerificationMethods, types.VerificationMethod{Id: "k2", PublicKey: didtest.Pub(k2).Multicodec()})
	doc.Authentication = append(doc.Authentication, "k2")
	doc.Services = []types.Service{svcOf("svc0", "LinkedDomains", "https://example.com/svc0")}
	keys := map[string]ed25519.PrivateKey{"k1": d.Keys["k1"], "k2": k2}
	return didtest.New(advChain, doc, keys)
}

// buildSignatures: signatures that do not verify, or name the wrong key,
// on an update that k1 alone authorizes.
func buildSignatures(w *advWorld) []advCase {
	s := ownerWithExtras("signatures")
	ghost := didtest.Single(advChain, "signatures-ghost")
	g1 := w.guardians[0]
	w.commitOK(s.Create())
	body := didtest.Marshal(serviceUpdate(s, 1, "svc"))
	other := didtest.Marshal(serviceUpdate(s, 1, "svc-other"))
	k1 := s.Keys["k1"]
	good := didtest.SigOver(k1, body)
	tx := func(sigs ...types.Signature) []byte { return didtest.Envelope(body, sigs...) }
	withK1 := func(sig []byte) []byte { return tx(sigOf(s, "k1", sig)) }
	raw := func(msg []byte) []byte { return ed25519.Sign(k1, msg) }
	domain := func(prefix string) []byte { return raw(append([]byte(prefix), body...)) }
	return []advCase{
		{name: "no signature", tx: tx(), want: types.ErrThresholdNotMet},
		{name: "empty signature", tx: withK1(nil), want: types.ErrBadSignature},
		{name: "signature of 63 bytes", tx: withK1(good[:63]), want: types.ErrBadSignature},
		{name: "signature of 65 bytes", tx: withK1(append(slices.Clone(good), 0)), want: types.ErrBadSignature},
		{name: "signature of zeros", tx: withK1(make([]byte, 64)), want: types.ErrBadSignature},
		{name: "signature by another key", tx: withK1(didtest.SigOver(didtest.Key("signatures-thief"), body)), want: types.ErrBadSignature},
		{name: "signature by the authentication key", tx: withK1(didtest.SigOver(s.Keys["k2"], body)), want: types.ErrBadSignature},
		{name: "signature over another body", tx: withK1(didtest.SigOver(k1, other)), want: types.ErrBadSignature},
		{name: "signature over the body without domain", tx: withK1(raw(body)), want: types.ErrBadSignature},
		{name: "signature under another domain", tx: withK1(domain("custos/tx/v0\x00")), want: types.ErrBadSignature},
		{name: "signature without the domain separator", tx: withK1(domain("custos/tx/v1")), want: types.ErrBadSignature},
		{name: "signature over the envelope", tx: withK1(didtest.SigOver(k1, didtest.Envelope(body))), want: types.ErrBadSignature},
		{name: "signature with R's bit flipped", tx: withK1(flipBit(good, 3)), want: types.ErrBadSignature},
		{name: "signature with S's bit flipped", tx: withK1(flipBit(good, 260)), want: types.ErrBadSignature},
		{name: "signature with S not reduced", tx: withK1(malleate(good)), want: types.ErrBadSignature},
		{name: "signature names an unknown fragment", tx: tx(sigOf(s, "k9", good)), want: types.ErrUnknownSigner},
		{name: "signature names a service", tx: tx(sigOf(s, "svc0", good)), want: types.ErrUnknownSigner},
		{name: "signature names the keyAgreement key", tx: tx(sigOf(s, "enc", good)), want: types.ErrUnknownSigner},
		{name: "signature names a key of another DID", tx: tx(sigOf(g1, "k1", didtest.SigOver(g1.Keys["k1"], body))), want: types.ErrUnknownSigner},
		{name: "signature names an unregistered DID", tx: tx(sigOf(ghost, "k1", didtest.SigOver(ghost.Keys["k1"], body))), want: types.ErrUnknownSigner},
		{name: "signature names the deactivated DID", tx: tx(sigOf(w.dead, "k1", didtest.SigOver(w.dead.Keys["k1"], body))), want: types.ErrUnknownSigner},
		{name: "a good signature and a bad one", tx: tx(sigOf(s, "k1", good), sigOf(s, "k2", make([]byte, 64))), want: types.ErrBadSignature},
		{name: "a bad signature and a good one", tx: tx(sigOf(s, "k1", flipBit(good, 0)), sigOf(s, "k1", good)), want: types.ErrBadSignature},
		{name: "a good signature and an outsider's", tx: tx(sigOf(s, "k1", good), sigOf(g1, "k1", didtest.SigOver(g1.Keys["k1"], body))), want: types.ErrUnknownSigner},
		{name: "only the authentication key signs", tx: tx(sigOf(s, "k2", didtest.SigOver(s.Keys["k2"], body))), want: types.ErrThresholdNotMet},
		{name: "control", tx: tx(sigOf(s, "k1", good))},
	}
}

// buildThreshold: a 2-of-3 DID's update signed by too few distinct keys.
func buildThreshold(w *advWorld) []advCase {
	m := didtest.MofN(advChain, "threshold", 2, 3)
	w.commitOK(m.Create())
	body := didtest.Marshal(serviceUpdate(m, 1, "svc"))
	sig := func(f string) []byte { return didtest.SigOver(m.Keys[f], body) }
	tx := func(sigs ...types.Signature) []byte { return didtest.Envelope(body, sigs...) }
	return []advCase{
		{name: "one of two", tx: tx(sigOf(m, "k1", sig("k1"))), want: types.ErrThresholdNotMet},
		{name: "one key twice", tx: tx(sigOf(m, "k1", sig("k1")), sigOf(m, "k1", sig("k1"))), want: types.ErrThresholdNotMet},
		{name: "one key three times", tx: tx(sigOf(m, "k3", sig("k3")), sigOf(m, "k3", sig("k3")), sigOf(m, "k3", sig("k3"))), want: types.ErrThresholdNotMet},
		{name: "a key's signature under another's name", tx: tx(sigOf(m, "k1", sig("k1")), sigOf(m, "k2", sig("k1"))), want: types.ErrBadSignature},
		{name: "the third key's signature under the second's name", tx: tx(sigOf(m, "k1", sig("k1")), sigOf(m, "k2", sig("k3"))), want: types.ErrBadSignature},
		{name: "a second signature naming no key", tx: tx(sigOf(m, "k1", sig("k1")), sigOf(m, "k4", sig("k2"))), want: types.ErrUnknownSigner},
		{name: "two keys, one over another body", tx: tx(sigOf(m, "k1", sig("k1")), sigOf(m, "k2", didtest.SigOver(m.Keys["k2"], didtest.Marshal(serviceUpdate(m, 1, "svc-other"))))), want: types.ErrBadSignature},
		{name: "two keys, the first truncated", tx: tx(sigOf(m, "k1", sig("k1")[:32]), sigOf(m, "k2", sig("k2"))), want: types.ErrBadSignature},
		{name: "control", tx: tx(sigOf(m, "k2", sig("k2")), sigOf(m, "k3", sig("k3")))},
	}
}

// buildPossession: new signing keys that do not prove possession, and
// rotations signed by the wrong side.
func buildPossession(w *advWorld) []advCase {
	s := didtest.Single(advChain, "possession")
	w.commitOK(s.Create())
	nk := didtest.Key("possession/new")
	addKey := func() types.TxBody {
		doc := didtest.CloneDoc(s.Doc)
		doc.VerificationMethods = append(doc.VerificationMethods, types.VerificationMethod{Id: "k2", PublicKey: didtest.Pub(nk).Multicodec()})
		doc.CapabilityInvocation = append(doc.CapabilityInvocation, "k2")
		return txbuild.Update(advChain, s.ID, 1, doc)
	}
	rotate := txbuild.Rotate(advChain, s.ID, 1, "k1", didtest.Pub(nk))
	as := func(f string, k ed25519.PrivateKey) txbuild.Signer { return txbuild.NewSigner(s.ID, f, k) }
	return []advCase{
		{name: "added key does not sign", tx: didtest.Sign(addKey(), s.Signer("k1")), want: types.ErrMissingPossession},
		{name: "added key signed by the old key", tx: didtest.Sign(addKey(), s.Signer("k1"), as("k2", s.Keys["k1"])), want: types.ErrBadSignature},
		{name: "only the added key signs", tx: didtest.Sign(addKey(), as("k2", nk)), want: types.ErrThresholdNotMet},
		{name: "rotation without the new key", tx: didtest.Sign(rotate, s.Signer("k1")), want: types.ErrMissingPossession},
		{name: "rotation by the new key alone", tx: didtest.Sign(rotate, as("k1", nk)), want: types.ErrThresholdNotMet},
		{name: "rotation with the old key twice", tx: didtest.Sign(rotate, s.Signer("k1"), s.Signer("k1")), want: types.ErrMissingPossession},
		{name: "rotation with the new key's signature by a third key", tx: didtest.Sign(rotate, s.Signer("k1"), as("k1", didtest.Key("possession/third"))), want: types.ErrBadSignature},
		{name: "control", tx: didtest.Sign(rotate, s.Signer("k1"), as("k1", nk)), check: func(t *testing.T, w *advWorld) {
			doc := w.document(s.ID)
			require.Equal(t, didtest.Pub(nk).Multicodec(), doc.VerificationMethods[0].PublicKey)
		}},
	}
}
