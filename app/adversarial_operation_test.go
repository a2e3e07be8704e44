package app_test

import (
	"crypto/ed25519"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

func operationFamilies() []advFamily {
	return []advFamily{
		{name: "targets", build: buildTargets},
		{name: "rotate", build: buildRotate},
		{name: "revoke", build: buildRevoke},
		{name: "update", build: buildUpdate},
		{name: "deactivate", build: buildDeactivate},
		{name: "marking", build: buildMarking},
	}
}

const advDay = int64(24 * 60 * 60)

// proposal is a recovery's proposed controller key: fragment r1, the key
// named name.
func proposedKey(name string) ([]types.VerificationMethod, ed25519.PrivateKey) {
	k := didtest.Key(name)
	return []types.VerificationMethod{{Id: "r1", PublicKey: didtest.Pub(k).Multicodec()}}, k
}

// everyOp returns one tx of each operation on existing DIDs against
// target at version, signed as the owner (or guardian g) would sign it.
func everyOp(w *advWorld, target *didtest.DID, version uint64, name string) map[string][]byte {
	g := w.guardians[0]
	newKeys, nk := proposedKey(name + "/recovery")
	owner := target.Signer("k1")
	return map[string][]byte{
		"update":              didtest.Sign(serviceUpdate(target, version, "svc"), owner),
		"rotate":              didtest.Sign(txbuild.Rotate(advChain, target.ID, version, "k1", didtest.PubOf(name+"/rotated")), owner, txbuild.NewSigner(target.ID, "k1", didtest.Key(name+"/rotated"))),
		"revoke":              didtest.Sign(txbuild.Revoke(advChain, target.ID, version, "k1", types.REVOCATION_REASON_RETIRED, 0), owner),
		"deactivate":          didtest.Sign(txbuild.Deactivate(advChain, target.ID, version), owner),
		"set guardians":       didtest.Sign(w.guardiansBody(target.ID, version, idStrings(g), 1, advDay), owner),
		"recovery initiate":   didtest.Sign(w.initiateBody(target.ID, version, g.ID.String(), newKeys, 1, nil), g.Signer("k1"), txbuild.NewSigner(target.ID, "r1", nk)),
		"recovery approve":    didtest.Sign(w.approveBody(target.ID, version, g.ID.String(), 1), g.Signer("k1")),
		"recovery cancel":     didtest.Sign(w.cancelBody(target.ID, version, "", 1), owner),
		"guardian cancel":     didtest.Sign(w.cancelBody(target.ID, version, g.ID.String(), 1), g.Signer("k1")),
		"deactivate revealed": didtest.Sign(txbuild.DeactivateRevealing(advChain, target.ID, version, newKeys), txbuild.NewSigner(target.ID, "r1", nk)),
	}
}

var opNames = []string{"update", "rotate", "revoke", "deactivate", "set guardians", "recovery initiate", "recovery approve", "recovery cancel", "guardian cancel", "deactivate revealed"}

// buildTargets: every operation against a DID that is not registered, one
// that is deactivated, and a live one at a version it is not at.
func buildTargets(w *advWorld) []advCase {
	ghost := didtest.Single(advChain, "targets-ghost")
	live := didtest.Single(advChain, "targets-live")
	w.commitOK(live.Create())
	missing := everyOp(w, ghost, 1, "targets-ghost")
	dead := everyOp(w, w.dead, 2, "targets-dead")
	ahead := everyOp(w, live, 2, "targets-ahead")
	behind := everyOp(w, live, 0, "targets-behind")
	var cases []advCase
	// A guardian's tx may name any version the DID has reached (a thief
	// holding the current keys could otherwise keep it stale): at version
	// 0 it is refused for what comes next: the signer is no guardian, and
	// the recovery an approval or a vote names does not exist.
	guardianSigned := map[string]*types.Error{"recovery initiate": types.ErrNotGuardian,
		"recovery approve": types.ErrRecoveryNotFound, "guardian cancel": types.ErrRecoveryNotFound}
	for _, op := range opNames {
		old := types.ErrStaleVersion
		if e, ok := guardianSigned[op]; ok {
			old = e
		}
		cases = append(cases,
			advCase{name: op + " of an unregistered DID", tx: missing[op], want: types.ErrDIDNotFound},
			advCase{name: op + " of a deactivated DID", tx: dead[op], want: types.ErrDeactivated},
			advCase{name: op + " at the next version", tx: ahead[op], want: types.ErrStaleVersion},
			advCase{name: op + " at version 0", tx: behind[op], want: old},
		)
	}
	far := func(v uint64) []byte { return didtest.Sign(serviceUpdate(live, v, "svc"), live.Signer("k1")) }
	cases = append(cases,
		advCase{name: "update at the largest version", tx: far(math.MaxUint64), want: types.ErrStaleVersion},
		advCase{name: "update at version 2^63", tx: far(1 << 63), want: types.ErrStaleVersion},
		advCase{name: "deactivated DID at its version before deactivation", tx: everyOp(w, w.dead, 1, "targets-dead-1")["update"], want: types.ErrDeactivated},
		advCase{name: "control", tx: far(1), check: func(t *testing.T, w *advWorld) { requireVersion(t, w, live.ID, 2) }},
	)
	return cases
}

// buildRotate: rotations of the wrong key, to the wrong key.
func buildRotate(w *advWorld) []advCase {
	s := ownerWithExtras("rotate")
	w.commitOK(s.Create())
	rot := func(f string, material []byte, next *types.NextKeys, signers ...txbuild.Signer) []byte {
		b := types.TxBody{ChainId: advChain, Did: s.ID.String(), ExpectedVersion: 1,
			Operation: &types.TxBody_RotateKey{RotateKey: &types.RotateKeyOp{KeyId: f, NewPublicKey: material, NextKeys: next}}}
		return didtest.Sign(b, append([]txbuild.Signer{s.Signer("k1")}, signers...)...)
	}
	nk := didtest.Key("rotate/new")
	pop := txbuild.NewSigner(s.ID, "k1", nk)
	newKey := didtest.Pub(nk).Multicodec()
	k2 := didtest.Pub(s.Keys["k2"]).Multicodec()
	enc := didtest.X25519("rotate/enc").Multicodec()
	commit := txbuild.Commitment(1, didtest.PubOf("rotate/next"))
	return []advCase{
		{name: "unknown fragment", tx: rot("k9", newKey, nil, pop), want: types.ErrKeyNotFound},
		{name: "empty fragment", tx: rot("", newKey, nil, pop), want: types.ErrKeyNotFound},
		{name: "a service's id", tx: rot("svc0", newKey, nil, pop), want: types.ErrKeyNotFound},
		{name: "Ed25519 key to X25519", tx: rot("k1", didtest.X25519("rotate/x").Multicodec(), nil), want: types.ErrKeyTypeMismatch},
		{name: "X25519 key to Ed25519", tx: rot("enc", newKey, nil, pop), want: types.ErrKeyTypeMismatch},
		{name: "to its own material", tx: rot("k1", didtest.Pub(s.Keys["k1"]).Multicodec(), nil), want: types.ErrDuplicateKey},
		{name: "to another method's material", tx: rot("k1", k2, nil, txbuild.NewSigner(s.ID, "k1", s.Keys["k2"])), want: types.ErrDuplicateKey},
		{name: "keyAgreement key to its own material", tx: rot("enc", enc, nil), want: types.ErrDuplicateKey},
		{name: "to an unsupported key type", tx: rot("k1", append([]byte{0xeb, 0x01}, make([]byte, 48)...), nil, pop), want: types.ErrUnsupportedKeyType},
		{name: "to a P-256 key off the curve", tx: rot("k1", append(append([]byte{0x80, 0x24, 0x02}, make([]byte, 31)...), 1), nil, pop), want: types.ErrInvalidPublicKey},
		{name: "to a key of 31 bytes", tx: rot("k1", newKey[:33], nil, pop), want: types.ErrInvalidPublicKey},
		{name: "to a key of small order", tx: rot("k1", append([]byte{0xed, 0x01}, didtest.SmallOrderEd25519()[1]...), nil), want: types.ErrInvalidPublicKey},
		{name: "to no curve point", tx: rot("k1", append([]byte{0xed, 0x01}, didtest.NotOnCurveEd25519()...), nil), want: types.ErrInvalidPublicKey},
		{name: "to an X25519 key of small order", tx: rot("enc", append([]byte{0xec, 0x01}, didtest.X25519SmallOrder()[0]...), nil), want: types.ErrInvalidPublicKey},
		{name: "with a next-key digest of 31 bytes", tx: rot("k1", newKey, &types.NextKeys{Digests: [][]byte{commit.Digests[0][:31]}, Threshold: 1}, pop), want: types.ErrInvalidDocument},
		{name: "with next keys without digests", tx: rot("k1", newKey, &types.NextKeys{Threshold: 1}, pop), want: types.ErrInvalidDocument},
		{name: "with a next-key threshold of 2 for 1 digest", tx: rot("k1", newKey, &types.NextKeys{Digests: commit.Digests, Threshold: 2}, pop), want: types.ErrInvalidDocument},
		{name: "control", tx: rot("enc", didtest.X25519("rotate/enc-2").Multicodec(), nil), check: func(t *testing.T, w *advWorld) {
			doc := w.document(s.ID)
			m, ok := doc.Method("enc")
			require.True(t, ok)
			require.Equal(t, didtest.X25519("rotate/enc-2").Multicodec(), m.PublicKey)
		}},
	}
}

// buildRevoke: revocations of what is not a key, for no valid reason, or
// that would leave the DID without control.
func buildRevoke(w *advWorld) []advCase {
	s := ownerWithExtras("revoke")
	m := didtest.MofN(advChain, "revoke-2of2", 2, 2)
	w.commitOK(s.Create(), m.Create())
	rev := func(f string, reason types.RevocationReason, since int64) []byte {
		return didtest.Sign(txbuild.Revoke(advChain, s.ID, 1, f, reason, since), s.Signer("k1"))
	}
	retired, compromised := types.REVOCATION_REASON_RETIRED, types.REVOCATION_REASON_COMPROMISED
	return []advCase{
		{name: "unknown fragment", tx: rev("k9", retired, 0), want: types.ErrKeyNotFound},
		{name: "empty fragment", tx: rev("", retired, 0), want: types.ErrKeyNotFound},
		{name: "a service's id", tx: rev("svc0", retired, 0), want: types.ErrKeyNotFound},
		{name: "a fragment of 65 characters", tx: rev("k1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", retired, 0), want: types.ErrKeyNotFound},
		{name: "no reason", tx: rev("k2", types.REVOCATION_REASON_UNSPECIFIED, 0), want: types.ErrInvalidOperation},
		{name: "an unknown reason", tx: rev("k2", types.RevocationReason(7), 0), want: types.ErrInvalidOperation},
		{name: "retired with a compromise time", tx: rev("k2", retired, 1_600_000_000), want: types.ErrInvalidOperation},
		{name: "compromised since the future", tx: rev("k2", compromised, 4_000_000_000), want: types.ErrInvalidTime},
		{name: "compromised since before 1970", tx: rev("k2", compromised, -1), want: types.ErrInvalidTime},
		{name: "the only controller key", tx: rev("k1", retired, 0), want: types.ErrWouldLoseControl},
		{name: "the only controller key, compromised", tx: rev("k1", compromised, 1_600_000_000), want: types.ErrWouldLoseControl},
		{name: "a key of a 2-of-2", tx: didtest.Sign(txbuild.Revoke(advChain, m.ID, 1, "k1", retired, 0), m.Signers("k1", "k2")...), want: types.ErrWouldLoseControl},
		{name: "signed by the key it revokes only", tx: didtest.Sign(txbuild.Revoke(advChain, s.ID, 1, "k2", retired, 0), s.Signer("k2")), want: types.ErrThresholdNotMet},
		{name: "control", tx: rev("k2", compromised, 1_600_000_000), check: func(t *testing.T, w *advWorld) {
			doc := w.document(s.ID)
			_, ok := doc.Method("k2")
			require.False(t, ok, "the revoked key is still in the document")
		}},
	}
}

// buildUpdate: updates to documents that break a rule only an update can
// break, or name another DID.
func buildUpdate(w *advWorld) []advCase {
	s := ownerWithExtras("update")
	m := didtest.MofN(advChain, "update-2of3", 2, 3)
	w.commitOK(s.Create(), m.Create())
	up := func(mut func(d *types.Document)) []byte {
		doc := didtest.CloneDoc(s.Doc)
		mut(&doc)
		return didtest.Sign(txbuild.Update(advChain, s.ID, 1, doc), s.Signer("k1"))
	}
	withID := func(id string) []byte {
		b := txbuild.Update(advChain, s.ID, 1, s.Doc)
		b.GetUpdate().Document.Id = id
		return didtest.Sign(b, s.Signer("k1"))
	}
	return []advCase{
		{name: "document id of another DID", tx: withID(w.guardians[0].ID.String()), want: types.ErrInvalidOperation},
		{name: "document id not a DID", tx: withID("did:web:example.com"), want: types.ErrInvalidOperation},
		{name: "no verification method", tx: up(func(d *types.Document) { *d = types.Document{Threshold: 1} }), want: types.ErrInvalidDocument},
		{name: "no controller key", tx: up(func(d *types.Document) { d.CapabilityInvocation = nil }), want: types.ErrInvalidDocument},
		{name: "threshold above the controller keys", tx: up(func(d *types.Document) { d.Threshold = 2 }), want: types.ErrInvalidDocument},
		{name: "the authentication key promotes itself", tx: func() []byte {
			doc := didtest.CloneDoc(s.Doc)
			doc.CapabilityInvocation = []string{"k1", "k2"}
			return didtest.Sign(txbuild.Update(advChain, s.ID, 1, doc), s.Signer("k2"))
		}(), want: types.ErrThresholdNotMet},
		{name: "the keyAgreement key's material given to a second method", tx: up(func(d *types.Document) {
			d.VerificationMethods = append(d.VerificationMethods, types.VerificationMethod{Id: "enc2", PublicKey: didtest.X25519("update/enc").Multicodec()})
		}), want: types.ErrDuplicateKey},
		{name: "a 2-of-3 lowered to 1-of-3 by one key", tx: func() []byte {
			doc := didtest.CloneDoc(m.Doc)
			doc.Threshold = 1
			return didtest.Sign(txbuild.Update(advChain, m.ID, 1, doc), m.Signer("k1"))
		}(), want: types.ErrThresholdNotMet},
		{name: "a 2-of-3 handed to a new key by one key", tx: func() []byte {
			nk := didtest.Key("update-2of3/new")
			doc := types.Document{VerificationMethods: []types.VerificationMethod{{Id: "n1", PublicKey: didtest.Pub(nk).Multicodec()}},
				CapabilityInvocation: []string{"n1"}, Threshold: 1}
			return didtest.Sign(txbuild.Update(advChain, m.ID, 1, doc), m.Signer("k1"), txbuild.NewSigner(m.ID, "n1", nk))
		}(), want: types.ErrThresholdNotMet},
		{name: "control", tx: withID(s.ID.String())},
	}
}

// buildDeactivate: deactivations without the authority to end a DID.
func buildDeactivate(w *advWorld) []advCase {
	s := ownerWithExtras("deactivate")
	m := didtest.MofN(advChain, "deactivate-2of3", 2, 3)
	w.commitOK(s.Create(), m.Create())
	newKeys, nk := proposedKey("deactivate/reveal")
	return []advCase{
		{name: "revealing keys without a commitment", tx: didtest.Sign(txbuild.DeactivateRevealing(advChain, s.ID, 1, newKeys), s.Signer("k1"), txbuild.NewSigner(s.ID, "r1", nk)), want: types.ErrInvalidOperation},
		{name: "signed by the authentication key", tx: didtest.Sign(txbuild.Deactivate(advChain, s.ID, 1), s.Signer("k2")), want: types.ErrThresholdNotMet},
		{name: "unsigned", tx: didtest.Sign(txbuild.Deactivate(advChain, s.ID, 1)), want: types.ErrThresholdNotMet},
		{name: "signed by a guardian candidate", tx: didtest.Sign(txbuild.Deactivate(advChain, s.ID, 1), w.guardians[0].Signer("k1")), want: types.ErrUnknownSigner},
		{name: "one key of a 2-of-3", tx: didtest.Sign(txbuild.Deactivate(advChain, m.ID, 1), m.Signer("k2")), want: types.ErrThresholdNotMet},
		{name: "control", tx: didtest.Sign(txbuild.Deactivate(advChain, m.ID, 1), m.Signers("k1", "k3")...), check: func(t *testing.T, w *advWorld) {
			requireVersion(t, w, m.ID, 2)
		}},
	}
}

// buildMarking: recording a key as compromised in a rotation, and marking
// a material the document no longer lists as compromised.
func buildMarking(w *advWorld) []advCase {
	d := ownerWithExtras("marking")
	w.commitOK(d.Create())
	a := d.Keys["k2"]
	b, c := didtest.Key("marking/b"), didtest.Key("marking/c")
	k1 := d.Signer("k1")
	w.commitOK(didtest.Sign(txbuild.Rotate(advChain, d.ID, 1, "k2", didtest.Pub(b)), k1, txbuild.NewSigner(d.ID, "k2", b)))
	toC := txbuild.Rotate(advChain, d.ID, 2, "k2", didtest.Pub(c))
	toC.GetRotateKey().Compromised, toC.GetRotateKey().CompromisedSince = true, 1_500_000_000
	w.commitOK(didtest.Sign(toC, k1, txbuild.NewSigner(d.ID, "k2", c)))
	// Now k2 is c; a was retired, b recorded compromised from 1.5e9.
	nk := didtest.Key("marking/k1-new")
	rot := func(compromised bool, since int64, signers ...txbuild.Signer) []byte {
		body := txbuild.Rotate(advChain, d.ID, 3, "k1", didtest.Pub(nk))
		body.GetRotateKey().Compromised, body.GetRotateKey().CompromisedSince = compromised, since
		if len(signers) == 0 {
			signers = []txbuild.Signer{k1, txbuild.NewSigner(d.ID, "k1", nk)}
		}
		return didtest.Sign(body, signers...)
	}
	mark := func(f string, material []byte, reason types.RevocationReason, since int64, signers ...txbuild.Signer) []byte {
		body := txbuild.Revoke(advChain, d.ID, 3, f, reason, since)
		body.GetRevokeKey().PublicKey = material
		if len(signers) == 0 {
			signers = []txbuild.Signer{k1}
		}
		return didtest.Sign(body, signers...)
	}
	mc := func(k ed25519.PrivateKey) []byte { return didtest.Pub(k).Multicodec() }
	compromised := types.REVOCATION_REASON_COMPROMISED
	return []advCase{
		{name: "rotation with a compromise time but not compromised", tx: rot(false, 1_600_000_000), want: types.ErrInvalidOperation},
		{name: "rotation compromised since the future", tx: rot(true, 4_000_000_000), want: types.ErrInvalidTime},
		{name: "rotation compromised since before 1970", tx: rot(true, -1), want: types.ErrInvalidTime},
		{name: "rotation compromised, signed by the new key only", tx: rot(true, 1_600_000_000, txbuild.NewSigner(d.ID, "k1", nk)), want: types.ErrThresholdNotMet},
		{name: "a past material marked retired", tx: mark("k2", mc(a), types.REVOCATION_REASON_RETIRED, 0), want: types.ErrInvalidOperation},
		{name: "a past material marked with no reason", tx: mark("k2", mc(a), types.REVOCATION_REASON_UNSPECIFIED, 0), want: types.ErrInvalidOperation},
		{name: "a past material marked since the future", tx: mark("k2", mc(a), compromised, 4_000_000_000), want: types.ErrInvalidTime},
		{name: "a material the fragment never listed", tx: mark("k2", mc(didtest.Key("marking/x")), compromised, 0), want: types.ErrKeyNotFound},
		{name: "a material listed under another fragment", tx: mark("k2", mc(d.Keys["k1"]), compromised, 0), want: types.ErrKeyNotFound},
		{name: "a material of an unsupported type", tx: mark("k2", append([]byte{0xeb, 0x01}, make([]byte, 48)...), compromised, 0), want: types.ErrUnsupportedKeyType},
		{name: "the fragment's current material", tx: mark("k2", mc(c), compromised, 0), want: types.ErrInvalidOperation},
		{name: "a fragment that never was", tx: mark("k9", nil, compromised, 0), want: types.ErrKeyNotFound},
		{name: "a compromised record moved later", tx: mark("k2", mc(b), compromised, 1_600_000_000), want: types.ErrAlreadyCompromised},
		{name: "a compromised record marked again", tx: mark("k2", mc(b), compromised, 1_500_000_000), want: types.ErrAlreadyCompromised},
		{name: "a compromised record marked without a time", tx: mark("k2", mc(b), compromised, 0), want: types.ErrAlreadyCompromised},
		{name: "a past material marked by the key it was", tx: mark("k2", mc(a), compromised, 1_400_000_000, d.Signer("k2")), want: types.ErrBadSignature},
		{name: "a past material marked by no controller", tx: mark("k2", mc(a), compromised, 1_400_000_000, txbuild.NewSigner(d.ID, "k2", c)), want: types.ErrThresholdNotMet},
		{name: "control: a retired material marked compromised", tx: mark("k2", mc(a), compromised, 1_400_000_000)},
		{name: "control: a rotation recording the old key compromised", tx: func() []byte {
			body := txbuild.Rotate(advChain, d.ID, 4, "k1", didtest.Pub(nk))
			body.GetRotateKey().Compromised, body.GetRotateKey().CompromisedSince = true, 1_600_000_000
			return didtest.Sign(body, k1, txbuild.NewSigner(d.ID, "k1", nk))
		}()},
	}
}
