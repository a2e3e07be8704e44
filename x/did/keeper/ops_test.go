package keeper_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// opCase is one operation on the DID e.thresholdDID registers (t1, t2, t3
// controlling with threshold 2, au for authentication, enc for key
// agreement), at version 1. want nil means accepted.
type opCase struct {
	name    string
	body    func(e *env, id types.ID) types.TxBody
	signers []string
	want    *types.Error
	// then checks an accepted case further.
	then func(e *env, id types.ID, body types.TxBody)
}

func runOpCases(t *testing.T, cases []opCase) {
	shared := newEnv(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := shared.in(t)
			id := e.thresholdDID()
			body := tc.body(e, id)
			tx := e.sign(body, e.signers(id, tc.signers...)...)
			if tc.want != nil {
				e.refuse(tx, tc.want)
				return
			}
			hash := e.db.PendingRoot()
			out, err := e.exec(tx)
			require.NoError(t, err)
			require.Equal(t, uint64(2), out.Version)
			require.Equal(t, uint64(2), e.head(id).Version)
			require.NotEqual(t, hash, e.appHash())
			if tc.then != nil {
				tc.then(e, id, body)
			}
		})
	}
}

// update returns an update of id at version 1 to the threshold document
// as edit changes it.
func update(edit func(e *env, d *types.Document)) func(e *env, id types.ID) types.TxBody {
	return func(e *env, id types.ID) types.TxBody {
		d := e.thresholdDoc()
		edit(e, &d)
		return txbuild.Update(testChain, id, 1, d)
	}
}

// addAuth adds the Ed25519 key e.key(name) under name, for authentication.
func addAuth(name string) func(e *env, d *types.Document) {
	return func(e *env, d *types.Document) {
		d.VerificationMethods = append(d.VerificationMethods, vm(name, pub(e.key(name))))
		d.Authentication = append(d.Authentication, name)
	}
}

// setMaterial gives fragment frag the material pk.
func setMaterial(d *types.Document, frag string, pk types.PublicKey) {
	for i := range d.VerificationMethods {
		if d.VerificationMethods[i].Id == frag {
			d.VerificationMethods[i].PublicKey = pk.Multicodec()
		}
	}
}

// documentIs requires that id's current document is the one the update in
// body submitted.
func documentIs(e *env, id types.ID, body types.TxBody) {
	want := body.GetUpdate().Document
	want.Id = id.String()
	requireSameDoc(e.t, want, e.current(id).Document)
}

func requireSameDoc(t testing.TB, want, got types.Document) {
	w, err := want.Marshal()
	require.NoError(t, err)
	g, err := got.Marshal()
	require.NoError(t, err)
	require.Equal(t, w, g, "want %v\ngot  %v", want.String(), got.String())
}

func TestUpdateRules(t *testing.T) {
	quorum := []string{"t1", "t2"}
	runOpCases(t, []opCase{
		{name: "services only", body: update(func(e *env, d *types.Document) {
			d.Services = []types.Service{{Id: "web", Type: "LinkedDomains", Endpoint: "https://example.org"}}
		}), signers: quorum, then: documentIs},
		{name: "new signing key without its signature", body: update(addAuth("n")),
			signers: quorum, want: types.ErrMissingPossession},
		{name: "new signing key with its signature", body: update(addAuth("n")),
			signers: []string{"t1", "t2", "n"}, then: documentIs},
		{name: "new key signing under another fragment", body: update(addAuth("n")),
			signers: []string{"t1", "t2", "t3=n"}, want: types.ErrBadSignature},
		{name: "new controller is not yet a controller", body: update(func(e *env, d *types.Document) {
			addAuth("n")(e, d)
			d.CapabilityInvocation = append(d.CapabilityInvocation, "n")
		}), signers: []string{"t1", "n"}, want: types.ErrThresholdNotMet},
		{name: "new X25519 key needs no signature", body: update(func(e *env, d *types.Document) {
			d.VerificationMethods = append(d.VerificationMethods, vm("enc2", e.xpub("enc2")))
			d.KeyAgreement = append(d.KeyAgreement, "enc2")
		}), signers: quorum, then: documentIs},
		{name: "new key with the material of t1", body: update(func(e *env, d *types.Document) {
			d.VerificationMethods = append(d.VerificationMethods, vm("n", pub(e.key("t1"))))
		}), signers: quorum, want: types.ErrDuplicateKey},
		{name: "capabilityInvocation below the threshold", body: update(func(e *env, d *types.Document) {
			d.VerificationMethods = d.VerificationMethods[:1]
			d.Authentication, d.CapabilityInvocation, d.KeyAgreement = []string{"t1"}, []string{"t1"}, nil
		}), signers: quorum, want: types.ErrInvalidDocument},
		{name: "one controller fewer, still at the threshold", body: update(func(e *env, d *types.Document) {
			d.VerificationMethods = append(d.VerificationMethods[:2:2], d.VerificationMethods[3:]...)
			d.Authentication, d.CapabilityInvocation = []string{"t1", "t2", "au"}, []string{"t1", "t2"}
		}), signers: quorum, then: documentIs},
		{name: "threshold above the controllers", body: update(func(e *env, d *types.Document) { d.Threshold = 4 }),
			signers: quorum, want: types.ErrInvalidDocument},
		{name: "threshold 0", body: update(func(e *env, d *types.Document) { d.Threshold = 0 }),
			signers: quorum, want: types.ErrInvalidDocument},
		{name: "no capabilityInvocation", body: update(func(e *env, d *types.Document) { d.CapabilityInvocation = nil }),
			signers: quorum, want: types.ErrInvalidDocument},
		{name: "signing key in keyAgreement", body: update(func(e *env, d *types.Document) {
			d.KeyAgreement = append(d.KeyAgreement, "t1")
		}), signers: quorum, want: types.ErrInvalidDocument},
		{name: "more methods than the limit", body: update(func(e *env, d *types.Document) {
			for i := range types.DefaultParams().MaxVerificationMethods {
				name := "x" + strconv.Itoa(int(i))
				d.VerificationMethods = append(d.VerificationMethods, vm(name, e.xpub(name)))
			}
		}), signers: quorum, want: types.ErrLimitExceeded},
		{name: "document id of another DID", body: func(e *env, id types.ID) types.TxBody {
			other, _ := e.simpleCreate("other", "")
			b := update(func(*env, *types.Document) {})(e, id)
			b.GetUpdate().Document.Id = other.String()
			return b
		}, signers: quorum, want: types.ErrInvalidOperation},
		{name: "document id of the DID itself", body: func(e *env, id types.ID) types.TxBody {
			b := update(func(*env, *types.Document) {})(e, id)
			b.GetUpdate().Document.Id = id.String()
			return b
		}, signers: quorum, then: documentIs},
		{name: "material moved to a new fragment", body: update(func(e *env, d *types.Document) {
			d.VerificationMethods[0].Id = "t1b"
			d.Authentication[0], d.CapabilityInvocation[0] = "t1b", "t1b"
		}), signers: quorum, then: documentIs},
		{name: "new material under t1, signed by it", body: update(func(e *env, d *types.Document) {
			setMaterial(d, "t1", pub(e.key("n")))
		}), signers: []string{"t1", "t2", "t1=n"}, then: documentIs},
		{name: "new material under t1, not signed by it", body: update(func(e *env, d *types.Document) {
			setMaterial(d, "t1", pub(e.key("n")))
		}), signers: quorum, want: types.ErrMissingPossession},
		{name: "new material under t1 does not authorize", body: update(func(e *env, d *types.Document) {
			setMaterial(d, "t1", pub(e.key("n")))
		}), signers: []string{"t1=n", "t2"}, want: types.ErrThresholdNotMet},
	})
}

func TestUpdateRecords(t *testing.T) {
	e := newEnv(t)
	id := e.thresholdDID()
	v1 := e.current(id)

	// remove t3, give t2 new material, add n, add a service.
	d := e.thresholdDoc()
	d.VerificationMethods = append(d.VerificationMethods[:2:2], d.VerificationMethods[3:]...)
	d.Authentication, d.CapabilityInvocation = []string{"t1", "t2", "au"}, []string{"t1", "t2"}
	setMaterial(&d, "t2", pub(e.key("t2b")))
	addAuth("n")(e, &d)
	d.Services = []types.Service{{Id: "web", Type: "LinkedDomains", Endpoint: "https://example.org"}}
	at := e.nextBlock().Time
	out, err := e.exec(e.sign(txbuild.Update(testChain, id, 1, d), e.signers(id, "t1", "t2", "t2=t2b", "n")...))
	require.NoError(t, err)
	require.Equal(t, uint64(2), out.Version)

	hist, err := keeper.GetHistory(e.db, id)
	require.NoError(t, err)
	require.Len(t, hist, 2)
	ev := hist[1]
	require.Equal(t, out.Event, ev)
	require.Equal(t, types.EVENT_KIND_UPDATED, ev.Kind)
	require.Equal(t, uint64(2), ev.Version)
	require.Equal(t, at, ev.Time)
	require.Equal(t, []string{"n"}, ev.KeysAdded)
	require.Equal(t, []string{"t3"}, ev.KeysRemoved)
	require.Equal(t, []string{"t2"}, ev.KeysRotated)
	require.True(t, ev.ServicesChanged)
	require.True(t, ev.RelationshipsChanged)
	require.Equal(t, uint32(2), ev.Threshold)

	t3 := e.keyRecord(id, "t3").Periods
	require.Len(t, t3, 1)
	require.Equal(t, types.KEY_STATUS_RETIRED, t3[0].Status)
	require.Equal(t, uint64(1), t3[0].ValidFromVersion)
	require.Equal(t, uint64(2), t3[0].ValidUntilVersion)
	require.Equal(t, at, t3[0].ValidUntil)

	t2 := e.keyRecord(id, "t2").Periods
	require.Len(t, t2, 2)
	require.Equal(t, types.KEY_STATUS_RETIRED, t2[0].Status)
	require.Equal(t, pub(e.key("t2")).Multicodec(), t2[0].PublicKey)
	require.Equal(t, uint64(2), t2[0].ValidUntilVersion)
	require.Equal(t, types.KEY_STATUS_VALID, t2[1].Status)
	require.Equal(t, pub(e.key("t2b")).Multicodec(), t2[1].PublicKey)
	require.Equal(t, uint64(2), t2[1].ValidFromVersion)
	require.Zero(t, t2[1].ValidUntilVersion)

	n := e.keyRecord(id, "n").Periods
	require.Len(t, n, 1)
	require.Equal(t, types.KEY_STATUS_VALID, n[0].Status)
	require.Equal(t, uint64(2), n[0].ValidFromVersion)
	require.Equal(t, at, n[0].ValidFrom)

	t1 := e.keyRecord(id, "t1").Periods
	require.Len(t, t1, 1)
	require.Equal(t, types.KEY_STATUS_VALID, t1[0].Status)

	// version 1 is untouched.
	again, err := keeper.GetVersion(e.db, id, 1)
	require.NoError(t, err)
	require.Equal(t, v1, again)

	// services only: no key changes, no relationship changes.
	d.Services = nil
	out, err = e.exec(e.sign(txbuild.Update(testChain, id, 2, d), e.signers(id, "t1", "t2=t2b")...))
	require.NoError(t, err)
	require.Empty(t, out.Event.KeysAdded)
	require.Empty(t, out.Event.KeysRemoved)
	require.Empty(t, out.Event.KeysRotated)
	require.True(t, out.Event.ServicesChanged)
	require.False(t, out.Event.RelationshipsChanged)

	// t3 comes back with its old material: a second valid period.
	d = e.thresholdDoc()
	setMaterial(&d, "t2", pub(e.key("t2b")))
	_, err = e.exec(e.sign(txbuild.Update(testChain, id, 3, d), e.signers(id, "t1", "t2=t2b", "t3")...))
	require.NoError(t, err)
	t3 = e.keyRecord(id, "t3").Periods
	require.Len(t, t3, 2)
	require.Equal(t, types.KEY_STATUS_RETIRED, t3[0].Status)
	require.Equal(t, types.KEY_STATUS_VALID, t3[1].Status)
	require.Equal(t, uint64(4), t3[1].ValidFromVersion)
}

// rotate returns a rotation of id's frag to material at version 1.
func rotate(frag string, material func(e *env) types.PublicKey) func(e *env, id types.ID) types.TxBody {
	return func(e *env, id types.ID) types.TxBody {
		return txbuild.Rotate(testChain, id, 1, frag, material(e))
	}
}

func rotateRaw(frag string, raw []byte) func(e *env, id types.ID) types.TxBody {
	return func(e *env, id types.ID) types.TxBody {
		b := txbuild.Rotate(testChain, id, 1, frag, types.PublicKey{})
		b.GetRotateKey().NewPublicKey = raw
		return b
	}
}

func edKey(name string) func(e *env) types.PublicKey {
	return func(e *env) types.PublicKey { return pub(e.key(name)) }
}

func TestRotateRules(t *testing.T) {
	quorum := []string{"t1", "t2"}
	x := func(e *env) types.PublicKey { return e.xpub("x2") }
	runOpCases(t, []opCase{
		{name: "unknown fragment", body: rotate("zz", edKey("n")), signers: []string{"t1", "t2", "zz=n"}, want: types.ErrKeyNotFound},
		{name: "X25519 key to Ed25519", body: rotate("enc", edKey("n")), signers: []string{"t1", "t2", "enc=n"}, want: types.ErrKeyTypeMismatch},
		{name: "Ed25519 key to X25519", body: rotate("t1", x), signers: quorum, want: types.ErrKeyTypeMismatch},
		{name: "to the material of another key", body: rotate("t1", edKey("au")), signers: quorum, want: types.ErrDuplicateKey},
		{name: "to its own material", body: rotate("t1", edKey("t1")), signers: quorum, want: types.ErrDuplicateKey},
		{name: "malformed new key", body: rotateRaw("t1", []byte{0xed, 0x01, 1, 2, 3}), signers: quorum, want: types.ErrInvalidPublicKey},
		{name: "secp256k1 new key off the curve", body: rotateRaw("t1", append([]byte{0xe7, 0x01}, make([]byte, 33)...)), signers: quorum, want: types.ErrInvalidPublicKey},
		{name: "unknown key type", body: rotateRaw("t1", append([]byte{0xeb, 0x01}, make([]byte, 48)...)), signers: quorum, want: types.ErrUnsupportedKeyType},
		{name: "new key does not sign", body: rotate("t1", edKey("n")), signers: quorum, want: types.ErrMissingPossession},
		{name: "new key signs under another fragment", body: rotate("t1", edKey("n")), signers: []string{"t1", "t2", "t3=n"}, want: types.ErrBadSignature},
		{name: "new key does not authorize", body: rotate("t1", edKey("n")), signers: []string{"t1=n", "t2"}, want: types.ErrThresholdNotMet},
		{name: "controller key", body: rotate("t1", edKey("n")), signers: []string{"t1", "t2", "t1=n"}, then: rotated("t1", "t1", "n")},
		{name: "authentication key", body: rotate("au", edKey("n")), signers: []string{"t1", "t2", "au=n"}, then: rotated("au", "au", "n")},
		{name: "X25519 key needs no new signature", body: rotate("enc", x), signers: quorum},
	})
}

// rotated checks that frag moved from e.key(from) to e.key(to): its
// relationships kept, the old material retired and unable to sign.
func rotated(frag, from, to string) func(e *env, id types.ID, body types.TxBody) {
	return func(e *env, id types.ID, _ types.TxBody) {
		want := e.thresholdDoc()
		setMaterial(&want, frag, pub(e.key(to)))
		want.Id = id.String()
		requireSameDoc(e.t, want, e.current(id).Document)

		rec := e.current(id)
		hist, err := keeper.GetHistory(e.db, id)
		require.NoError(e.t, err)
		require.Equal(e.t, types.EVENT_KIND_KEY_ROTATED, hist[1].Kind)
		require.Equal(e.t, []string{frag}, hist[1].KeysRotated)

		kr := e.keyRecord(id, frag).Periods
		require.Len(e.t, kr, 2)
		require.Equal(e.t, types.KEY_STATUS_RETIRED, kr[0].Status)
		require.Equal(e.t, pub(e.key(from)).Multicodec(), kr[0].PublicKey)
		require.Equal(e.t, uint64(2), kr[0].ValidUntilVersion)
		require.Equal(e.t, rec.Time, kr[0].ValidUntil)
		require.Equal(e.t, types.KEY_STATUS_VALID, kr[1].Status)
		require.Equal(e.t, pub(e.key(to)).Multicodec(), kr[1].PublicKey)
		require.Equal(e.t, uint64(2), kr[1].ValidFromVersion)

		v1, err := keeper.GetVersion(e.db, id, 1)
		require.NoError(e.t, err)
		m, _ := v1.Document.Method(frag)
		require.Equal(e.t, pub(e.key(from)).Multicodec(), m.PublicKey)

		// the old material signs nothing any more; the new one does.
		others := map[string]string{"t1": "t2", "au": "t2"}
		deact := txbuild.Deactivate(testChain, id, 2)
		e.refuse(e.sign(deact, e.signers(id, frag+"="+from, others[frag])...), types.ErrBadSignature)
		if frag == "t1" {
			_, err = e.exec(e.sign(deact, e.signers(id, frag+"="+to, "t2")...))
			require.NoError(e.t, err)
		}
	}
}
