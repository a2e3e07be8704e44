package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// createCase builds a create tx in a fresh env; want nil means accepted.
type createCase struct {
	name string
	tx   func(e *env) []byte
	want *types.Error
}

// simpleCreate returns the DID and body of a create of a one-key document
// under key-1 = e.key(name).
func (e *env) simpleCreate(name, memo string) (types.ID, types.TxBody) {
	id, body, err := txbuild.Create(testChain, txbuild.SimpleDocument("key-1", pub(e.key(name))), memo)
	require.NoError(e.t, err)
	return id, body
}

func TestCreateRules(t *testing.T) {
	k1 := func(e *env) fk { return fk{"key-1", e.key("c1")} }
	twoKeys := func(e *env) types.Document { return e.controlled(1, "ca", "cb") }
	withX := func(e *env) types.Document {
		d := txbuild.SimpleDocument("key-1", pub(e.key("c1")))
		d.VerificationMethods = append(d.VerificationMethods, vm("enc", e.xpub("c1")))
		d.KeyAgreement = []string{"enc"}
		return d
	}

	cases := []createCase{
		{"simple", func(e *env) []byte {
			id, body := e.simpleCreate("c1", "")
			return e.sign(body, as(id, k1(e))...)
		}, nil},
		{"wrong chain id in the body", func(e *env) []byte {
			id, body := e.simpleCreate("c1", "")
			body.ChainId = "custos-other"
			return e.sign(body, as(id, k1(e))...)
		}, types.ErrWrongChainID},
		{"built for another chain", func(e *env) []byte {
			id, body, err := txbuild.Create("custos-other", txbuild.SimpleDocument("key-1", pub(e.key("c1"))), "")
			require.NoError(e.t, err)
			return e.sign(body, as(id, k1(e))...)
		}, types.ErrWrongChainID},
		{"DID not derived from the inception", func(e *env) []byte {
			_, body := e.simpleCreate("c1", "")
			other, _ := e.simpleCreate("c2", "")
			body.Did = other.String()
			return e.sign(body, as(other, k1(e))...)
		}, types.ErrDIDMismatch},
		{"DID derived on another chain", func(e *env) []byte {
			id, body, err := txbuild.Create("custos-other", txbuild.SimpleDocument("key-1", pub(e.key("c1"))), "")
			require.NoError(e.t, err)
			body.ChainId = testChain
			return e.sign(body, as(id, k1(e))...)
		}, types.ErrDIDMismatch},
		{"inception with its id set", func(e *env) []byte {
			id, body := e.simpleCreate("c1", "")
			body.GetCreate().Document.Id = id.String()
			return e.sign(body, as(id, k1(e))...)
		}, types.ErrInvalidOperation},
		{"expected version 1", func(e *env) []byte {
			id, body := e.simpleCreate("c1", "")
			body.ExpectedVersion = 1
			return e.sign(body, as(id, k1(e))...)
		}, types.ErrStaleVersion},
		{"create twice", func(e *env) []byte {
			id, body := e.simpleCreate("c1", "")
			tx := e.sign(body, as(id, k1(e))...)
			_, err := e.exec(tx)
			require.NoError(e.t, err)
			return tx
		}, types.ErrDIDExists},
		{"two signing keys, both sign", func(e *env) []byte {
			id, body, err := txbuild.Create(testChain, twoKeys(e), "")
			require.NoError(e.t, err)
			return e.sign(body, as(id, e.fk("ca"), e.fk("cb"))...)
		}, nil},
		{"two signing keys, one signs", func(e *env) []byte {
			id, body, err := txbuild.Create(testChain, twoKeys(e), "")
			require.NoError(e.t, err)
			return e.sign(body, as(id, e.fk("ca"))...)
		}, types.ErrMissingPossession},
		{"auth-only key must prove possession too", func(e *env) []byte {
			d := e.controlled(1, "ca")
			d.VerificationMethods = append(d.VerificationMethods, vm("au", pub(e.key("au"))))
			d.Authentication = append(d.Authentication, "au")
			id, body, err := txbuild.Create(testChain, d, "")
			require.NoError(e.t, err)
			return e.sign(body, as(id, e.fk("ca"))...)
		}, types.ErrMissingPossession},
		{"no signature", func(e *env) []byte {
			_, body := e.simpleCreate("c1", "")
			return e.sign(body)
		}, types.ErrMissingPossession},
		{"X25519 keyAgreement key needs no signature", func(e *env) []byte {
			id, body, err := txbuild.Create(testChain, withX(e), "")
			require.NoError(e.t, err)
			return e.sign(body, as(id, k1(e))...)
		}, nil},
		{"signature naming the X25519 key", func(e *env) []byte {
			id, body, err := txbuild.Create(testChain, withX(e), "")
			require.NoError(e.t, err)
			return e.sign(body, as(id, k1(e), fk{"enc", e.key("c1")})...)
		}, types.ErrUnknownSigner},
		{"signature by a key of another DID", func(e *env) []byte {
			other := e.create(e.key("c2"))
			id, body := e.simpleCreate("c1", "")
			return e.sign(body, append(as(id, k1(e)), as(other, fk{"key-1", e.key("c2")})...)...)
		}, types.ErrUnknownSigner},
		{"signature naming an unknown fragment", func(e *env) []byte {
			id, body := e.simpleCreate("c1", "")
			return e.sign(body, as(id, k1(e), fk{"nope", e.key("c1")})...)
		}, types.ErrUnknownSigner},
		{"signature by the wrong key", func(e *env) []byte {
			id, body := e.simpleCreate("c1", "")
			return e.sign(body, as(id, fk{"key-1", e.key("c2")})...)
		}, types.ErrBadSignature},
		{"bad signature bytes", func(e *env) []byte {
			id, body := e.simpleCreate("c1", "")
			return tamper(e.t, e.sign(body, as(id, k1(e))...), func(tx *types.Tx) { tx.Signatures[0].Signature[7] ^= 1 })
		}, types.ErrBadSignature},
		{"truncated signature", func(e *env) []byte {
			id, body := e.simpleCreate("c1", "")
			return tamper(e.t, e.sign(body, as(id, k1(e))...), func(tx *types.Tx) { tx.Signatures[0].Signature = tx.Signatures[0].Signature[:63] })
		}, types.ErrBadSignature},
		{"signature over other bytes", func(e *env) []byte {
			id, body := e.simpleCreate("c1", "")
			alt := body
			alt.Memo = "x"
			sig := e.sign(alt, as(id, k1(e))...)
			return tamper(e.t, e.sign(body, as(id, k1(e))...), func(tx *types.Tx) {
				tamper(e.t, sig, func(s *types.Tx) { tx.Signatures = s.Signatures })
			})
		}, types.ErrBadSignature},
		{"signature with a malformed DID URL", func(e *env) []byte {
			id, body := e.simpleCreate("c1", "")
			return tamper(e.t, e.sign(body, as(id, k1(e))...), func(tx *types.Tx) { tx.Signatures[0].VerificationMethod = id.String() })
		}, types.ErrInvalidDIDURL},
		{"oversize tx", func(e *env) []byte {
			id, body := e.simpleCreate("c1", strings.Repeat("m", 17*1024))
			return e.sign(body, as(id, k1(e))...)
		}, types.ErrTxTooLarge},
		// A key counts once: signatures past the DID's keys cannot count
		// and are refused before any is verified.
		{"max signatures by one key", func(e *env) []byte {
			id, body := e.simpleCreate("c1", "")
			return e.sign(body, as(id, repeat(k1(e), int(types.DefaultParams().MaxSignatures))...)...)
		}, types.ErrExcessSignatures},
		{"two signatures by one key", func(e *env) []byte {
			id, body := e.simpleCreate("c1", "")
			return e.sign(body, as(id, repeat(k1(e), 2)...)...)
		}, types.ErrExcessSignatures},
		{"too many signatures", func(e *env) []byte {
			id, body := e.simpleCreate("c1", "")
			return e.sign(body, as(id, repeat(k1(e), int(types.DefaultParams().MaxSignatures)+1)...)...)
		}, types.ErrTooManySignatures},
		{"memo at the limit", func(e *env) []byte {
			id, body := e.simpleCreate("c1", strings.Repeat("m", int(types.DefaultParams().MaxMemoBytes)))
			return e.sign(body, as(id, k1(e))...)
		}, nil},
		{"memo too large", func(e *env) []byte {
			id, body := e.simpleCreate("c1", strings.Repeat("m", int(types.DefaultParams().MaxMemoBytes)+1))
			return e.sign(body, as(id, k1(e))...)
		}, types.ErrMemoTooLarge},
		{"no operation", func(e *env) []byte {
			id, body := e.simpleCreate("c1", "")
			body.Operation = nil
			return e.sign(body, as(id, k1(e))...)
		}, types.ErrNoOperation},
		{"invalid DID", func(e *env) []byte {
			id, body := e.simpleCreate("c1", "")
			body.Did = "did:example:123"
			return e.sign(body, as(id, k1(e))...)
		}, types.ErrInvalidDID},
		{"threshold 0", func(e *env) []byte {
			d := e.controlled(0, "ca")
			id, body, err := txbuild.Create(testChain, d, "")
			require.NoError(e.t, err)
			return e.sign(body, as(id, e.fk("ca"))...)
		}, types.ErrInvalidDocument},
		{"same material twice", func(e *env) []byte {
			d := e.controlled(1, "ca")
			d.VerificationMethods = append(d.VerificationMethods, vm("cb", pub(e.key("ca"))))
			id, body, err := txbuild.Create(testChain, d, "")
			require.NoError(e.t, err)
			return e.sign(body, as(id, e.fk("ca"))...)
		}, types.ErrDuplicateKey},
	}
	shared := newEnv(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := shared.in(t)
			tx := tc.tx(e)
			if tc.want != nil {
				e.refuse(tx, tc.want)
				return
			}
			hash := e.db.PendingRoot()
			out, err := e.exec(tx)
			require.NoError(t, err)
			require.Equal(t, uint64(1), out.Version)
			require.Equal(t, uint64(1), e.head(out.DID).Version)
			require.NotEqual(t, hash, e.appHash())
		})
	}
}

func repeat(k fk, n int) []fk {
	out := make([]fk, n)
	for i := range out {
		out[i] = k
	}
	return out
}

// opBody builds the body of one non-create operation on id at version.
type opBody func(e *env, id types.ID, version uint64) types.TxBody

// controllerOps are the operations a controller quorum signs, each valid on
// the document e.thresholdDID registers.
var controllerOps = []struct {
	name string
	body opBody
}{
	{"update", func(e *env, id types.ID, v uint64) types.TxBody {
		d := e.thresholdDoc()
		d.Services = []types.Service{{Id: "web", Type: "LinkedDomains", Endpoint: "https://example.org"}}
		return txbuild.Update(testChain, id, v, d)
	}},
	{"rotate", func(e *env, id types.ID, v uint64) types.TxBody {
		return txbuild.Rotate(testChain, id, v, "enc", e.xpub("enc2"))
	}},
	{"revoke", func(e *env, id types.ID, v uint64) types.TxBody {
		return txbuild.Revoke(testChain, id, v, "au", types.REVOCATION_REASON_RETIRED, 0)
	}},
	{"deactivate", func(e *env, id types.ID, v uint64) types.TxBody { return txbuild.Deactivate(testChain, id, v) }},
}

// thresholdDoc has capabilityInvocation keys t1, t2, t3 with threshold 2,
// an authentication-only key au and an X25519 keyAgreement key enc.
func (e *env) thresholdDoc() types.Document {
	d := e.controlled(2, "t1", "t2", "t3")
	d.VerificationMethods = append(d.VerificationMethods, vm("au", pub(e.key("au"))), vm("enc", e.xpub("enc")))
	d.Authentication = append(d.Authentication, "au")
	d.KeyAgreement = []string{"enc"}
	return d
}

func (e *env) thresholdDID() types.ID {
	return e.createDoc(e.thresholdDoc(), e.fk("t1"), e.fk("t2"), e.fk("t3"), e.fk("au"))
}

// signers resolves signer specs of id: "t1" is fragment t1 signed with
// e.key("t1"), "t3=t1" is fragment t3 signed with e.key("t1").
func (e *env) signers(id types.ID, specs ...string) []txbuild.Signer {
	out := make([]txbuild.Signer, len(specs))
	for i, s := range specs {
		frag, name, ok := strings.Cut(s, "=")
		if !ok {
			name = frag
		}
		out[i] = txbuild.NewSigner(id, frag, e.key(name))
	}
	return out
}

func TestThreshold(t *testing.T) {
	cases := []struct {
		name    string
		signers []string
		want    *types.Error
	}{
		{"no signature", nil, types.ErrThresholdNotMet},
		{"one signer", []string{"t1"}, types.ErrThresholdNotMet},
		{"one signer twice", []string{"t2", "t2"}, types.ErrThresholdNotMet},
		{"one signer three times", []string{"t3", "t3", "t3"}, types.ErrThresholdNotMet},
		{"authentication-only key does not count", []string{"t1", "au"}, types.ErrThresholdNotMet},
		{"two distinct", []string{"t1", "t3"}, nil},
		{"two distinct, one repeated", []string{"t2", "t1", "t2"}, nil},
		{"all three", []string{"t1", "t2", "t3"}, nil},
		{"two distinct and a wrong key", []string{"t1", "t2", "t3=t1"}, types.ErrBadSignature},
	}
	shared := newEnv(t)
	for _, op := range controllerOps {
		for _, tc := range cases {
			t.Run(op.name+"/"+tc.name, func(t *testing.T) {
				e := shared.in(t)
				id := e.thresholdDID()
				tx := e.sign(op.body(e, id, 1), e.signers(id, tc.signers...)...)
				if tc.want != nil {
					e.refuse(tx, tc.want)
					return
				}
				out, err := e.exec(tx)
				require.NoError(t, err)
				require.Equal(t, uint64(2), out.Version)
				require.Equal(t, uint64(2), e.head(id).Version)
			})
		}
	}
}

// TestTargetRules covers the checks every non-create operation shares:
// the right chain, a valid DID that exists, is active, and is at the
// version the tx expects.
func TestTargetRules(t *testing.T) {
	quorum := []string{"t1", "t2"}
	cases := []struct {
		name string
		tx   func(e *env, id types.ID, body opBody) []byte
		want *types.Error
	}{
		{"expected version ahead", func(e *env, id types.ID, body opBody) []byte {
			return e.sign(body(e, id, 2), e.signers(id, quorum...)...)
		}, types.ErrStaleVersion},
		{"expected version 0", func(e *env, id types.ID, body opBody) []byte {
			return e.sign(body(e, id, 0), e.signers(id, quorum...)...)
		}, types.ErrStaleVersion},
		{"expected version behind", func(e *env, id types.ID, body opBody) []byte {
			d := e.thresholdDoc()
			d.Threshold = 1
			_, err := e.exec(e.sign(txbuild.Update(testChain, id, 1, d), e.signers(id, quorum...)...))
			require.NoError(e.t, err)
			return e.sign(body(e, id, 1), e.signers(id, quorum...)...)
		}, types.ErrStaleVersion},
		{"wrong chain id", func(e *env, id types.ID, body opBody) []byte {
			b := body(e, id, 1)
			b.ChainId = "custos-other"
			return e.sign(b, e.signers(id, quorum...)...)
		}, types.ErrWrongChainID},
		{"unknown DID", func(e *env, _ types.ID, body opBody) []byte {
			ghost, _ := e.simpleCreate("ghost", "")
			return e.sign(body(e, ghost, 1), e.signers(ghost, quorum...)...)
		}, types.ErrDIDNotFound},
		{"after deactivate", func(e *env, id types.ID, body opBody) []byte {
			_, err := e.exec(e.sign(txbuild.Deactivate(testChain, id, 1), e.signers(id, quorum...)...))
			require.NoError(e.t, err)
			return e.sign(body(e, id, 2), e.signers(id, quorum...)...)
		}, types.ErrDeactivated},
		{"after deactivate, stale version", func(e *env, id types.ID, body opBody) []byte {
			_, err := e.exec(e.sign(txbuild.Deactivate(testChain, id, 1), e.signers(id, quorum...)...))
			require.NoError(e.t, err)
			return e.sign(body(e, id, 1), e.signers(id, quorum...)...)
		}, types.ErrDeactivated},
		{"invalid DID in the body", func(e *env, id types.ID, body opBody) []byte {
			b := body(e, id, 1)
			b.Did = "did:custos:0OIl"
			return e.sign(b, e.signers(id, quorum...)...)
		}, types.ErrInvalidDID},
		{"DID of another method", func(e *env, id types.ID, body opBody) []byte {
			b := body(e, id, 1)
			b.Did = strings.Replace(id.String(), "custos", "key", 1)
			return e.sign(b, e.signers(id, quorum...)...)
		}, types.ErrInvalidDID},
		{"non-canonical DID in the body", func(e *env, id types.ID, body opBody) []byte {
			b := body(e, id, 1)
			b.Did = "did:custos:1" + strings.TrimPrefix(id.String(), "did:custos:")
			return e.sign(b, e.signers(id, quorum...)...)
		}, types.ErrInvalidDID},
	}
	shared := newEnv(t)
	for _, op := range controllerOps {
		for _, tc := range cases {
			t.Run(op.name+"/"+tc.name, func(t *testing.T) {
				e := shared.in(t)
				id := e.thresholdDID()
				e.refuse(tc.tx(e, id, op.body), tc.want)
			})
		}
	}
	t.Run("create after deactivate", func(t *testing.T) {
		e := shared.in(t)
		id, body := e.simpleCreate("c1", "")
		tx := e.sign(body, e.signers(id, "key-1=c1")...)
		_, err := e.exec(tx)
		require.NoError(t, err)
		_, err = e.exec(e.sign(txbuild.Deactivate(testChain, id, 1), e.signers(id, "key-1=c1")...))
		require.NoError(t, err)
		e.refuse(tx, types.ErrDIDExists)
	})
}
