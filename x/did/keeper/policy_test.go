package keeper_test

import (
	"context"
	"crypto/ed25519"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// withParams points e's keeper at params p (the keeper keeps no state of
// its own: the store is unchanged).
func (e *env) withParams(p types.Params) *env {
	require.NoError(e.t, types.ValidateParams(p))
	e.k = keeper.New(p, nil)
	return e
}

// stamped is tx with a stamp of bits found over body.
func stamped(t testing.TB, tx []byte, bits uint32) []byte {
	out, err := txbuild.AddStamp(context.Background(), tx, bits, nil)
	require.NoError(t, err)
	return out
}

// stampFor finds a stamp of bits over body.
func stampFor(t testing.TB, body []byte, bits uint32) *types.Stamp {
	s, err := txbuild.FindStamp(context.Background(), body, bits, nil)
	require.NoError(t, err)
	return s
}

// oneKeyCreate is the signed, unstamped create of a one-key DID of key k on
// chain.
func oneKeyCreate(t testing.TB, chain string, k ed25519.PrivateKey) (types.ID, []byte) {
	id, body, err := txbuild.Create(chain, txbuild.SimpleDocument("key-1", pub(k)), "")
	require.NoError(t, err)
	tx, err := txbuild.Sign(body, txbuild.NewSigner(id, "key-1", k))
	require.NoError(t, err)
	return id, tx
}

func bodyOf(t testing.TB, tx []byte) []byte {
	var env types.Tx
	require.NoError(t, env.Unmarshal(tx))
	return env.Body
}

// An open chain with a stamp difficulty: each way a create's stamp can be
// wrong is refused with its own code, and changes nothing.
func TestOpenChainStamps(t *testing.T) {
	const bits = 16
	p := types.DefaultParams()
	p.StampDifficulty = bits
	e := newEnv(t).withParams(p)
	tests := []struct {
		name string
		tx   func(e *env) []byte
		want *types.Error
	}{
		{"no stamp", func(e *env) []byte {
			_, tx := oneKeyCreate(t, testChain, e.key("k"))
			return tx
		}, types.ErrStampMissing},
		{"a stamp at a lower difficulty", func(e *env) []byte {
			_, tx := oneKeyCreate(t, testChain, e.key("k"))
			return stamped(t, tx, bits-4)
		}, types.ErrStampTooWeak},
		{"a stamp claiming no work", func(e *env) []byte {
			_, tx := oneKeyCreate(t, testChain, e.key("k"))
			return tamper(t, tx, func(x *types.Tx) { x.Stamp = &types.Stamp{} })
		}, types.ErrStampTooWeak},
		{"a stamp for another body", func(e *env) []byte {
			_, other := oneKeyCreate(t, testChain, e.key("other"))
			_, tx := oneKeyCreate(t, testChain, e.key("k"))
			s := stampFor(t, bodyOf(t, other), bits)
			return tamper(t, tx, func(x *types.Tx) { x.Stamp = s })
		}, types.ErrStampInvalid},
		{"a stamp for another chain", func(e *env) []byte {
			_, other := oneKeyCreate(t, "custos-other", e.key("k"))
			_, tx := oneKeyCreate(t, testChain, e.key("k"))
			s := stampFor(t, bodyOf(t, other), bits)
			return tamper(t, tx, func(x *types.Tx) { x.Stamp = s })
		}, types.ErrStampInvalid},
		{"a stamp claiming more than it has", func(e *env) []byte {
			_, tx := oneKeyCreate(t, testChain, e.key("k"))
			s := stampFor(t, bodyOf(t, tx), bits)
			s.Bits = 64
			return tamper(t, tx, func(x *types.Tx) { x.Stamp = s })
		}, types.ErrStampInvalid},
		{"a nonce over 32 bytes", func(e *env) []byte {
			_, tx := oneKeyCreate(t, testChain, e.key("k"))
			return tamper(t, tx, func(x *types.Tx) { x.Stamp = &types.Stamp{Bits: bits, Nonce: make([]byte, 33)} })
		}, types.ErrStampInvalid},
		{"a stamp on an update", func(e *env) []byte {
			k := e.key("k")
			id, tx := oneKeyCreate(t, testChain, k)
			_, err := e.exec(stamped(t, tx, bits))
			require.NoError(t, err)
			doc := txbuild.SimpleDocument("key-1", pub(k))
			doc.Services = []types.Service{{Id: "hub", Type: "LinkedDomains", Endpoint: "https://example.com"}}
			up := e.sign(txbuild.Update(testChain, id, 1, doc), txbuild.NewSigner(id, "key-1", k))
			return tamper(t, up, func(x *types.Tx) { x.Stamp = stampFor(t, x.Body, bits) })
		}, types.ErrStampInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := e.in(t)
			e.refuse(tc.tx(e), tc.want)
		})
	}
	t.Run("a stamp of the difficulty", func(t *testing.T) {
		e := e.in(t)
		id, tx := oneKeyCreate(t, testChain, e.key("k"))
		out, err := e.exec(stamped(t, tx, bits))
		require.NoError(t, err)
		require.Equal(t, id, out.DID)
	})
}

// endorsedWorld is a chain under WRITE_POLICY_ENDORSED whose endorsers are
// E (registered, key-1 and key-2 controllers, auth-only key "auth") and
// D (registered, then deactivated).
type endorsedWorld struct {
	*env
	e, d         types.ID
	ek1, ek2, ea ed25519.PrivateKey
}

func newEndorsedWorld(t *testing.T) *endorsedWorld {
	w := &endorsedWorld{env: newEnv(t), ek1: key("endorser 1"), ek2: key("endorser 2"), ea: key("endorser auth")}
	edoc := types.Document{
		VerificationMethods:  []types.VerificationMethod{vm("key-1", pub(w.ek1)), vm("key-2", pub(w.ek2)), vm("auth", pub(w.ea))},
		CapabilityInvocation: []string{"key-1", "key-2"}, Authentication: []string{"auth"}, Threshold: 1,
	}
	var err error
	w.e, err = txbuild.DID(testChain, edoc)
	require.NoError(t, err)
	dk := key("deactivated endorser")
	ddoc := txbuild.SimpleDocument("key-1", pub(dk))
	w.d, err = txbuild.DID(testChain, ddoc)
	require.NoError(t, err)
	p := types.DefaultParams()
	p.WritePolicy = types.WRITE_POLICY_ENDORSED
	p.Endorsers = []string{w.e.String(), w.d.String()}
	w.withParams(p)
	// A listed endorser's own create needs no endorsement.
	require.Equal(t, w.e, w.createDoc(edoc, fk{"key-1", w.ek1}, fk{"key-2", w.ek2}, fk{"auth", w.ea}))
	require.Equal(t, w.d, w.createDoc(ddoc, fk{"key-1", dk}))
	_, err = w.exec(w.sign(txbuild.Deactivate(testChain, w.d, 1), txbuild.NewSigner(w.d, "key-1", dk)))
	require.NoError(t, err)
	return w
}

// endorsedCreate is the create of a one-key DID of k, signed by its key and
// by signers (the endorsement).
func (w *endorsedWorld) endorsedCreate(k ed25519.PrivateKey, endorsement ...txbuild.Signer) []byte {
	id, body, err := txbuild.Create(testChain, txbuild.SimpleDocument("key-1", pub(k)), "")
	require.NoError(w.t, err)
	return w.sign(body, append([]txbuild.Signer{txbuild.NewSigner(id, "key-1", k)}, endorsement...)...)
}

// An endorsed chain: a create needs a signature by a current controller
// key of an active endorser.
func TestEndorsedChain(t *testing.T) {
	w := newEndorsedWorld(t)
	dk := key("deactivated endorser")
	tests := []struct {
		name string
		tx   func(w *endorsedWorld) []byte
		want *types.Error
	}{
		{"no endorser", func(w *endorsedWorld) []byte {
			return w.endorsedCreate(w.key("k"))
		}, types.ErrNotEndorsed},
		{"a DID that is no endorser", func(w *endorsedWorld) []byte {
			other, _ := oneKeyCreate(t, testChain, w.key("other"))
			return w.endorsedCreate(w.key("k"), txbuild.NewSigner(other, "key-1", w.key("other")))
		}, types.ErrNotEndorsed},
		{"two endorsements", func(w *endorsedWorld) []byte {
			return w.endorsedCreate(w.key("k"), txbuild.NewSigner(w.e, "key-1", w.ek1), txbuild.NewSigner(w.e, "key-2", w.ek2))
		}, types.ErrExcessSignatures},
		{"a bad endorsement signature before good ones", func(w *endorsedWorld) []byte {
			tx := w.endorsedCreate(w.key("k"), txbuild.NewSigner(w.e, "key-1", w.ek1))
			return tamper(t, tx, func(x *types.Tx) { x.Signatures[1].Signature[0] ^= 1 })
		}, types.ErrBadSignature},
		{"a deactivated endorser's key", func(w *endorsedWorld) []byte {
			return w.endorsedCreate(w.key("k"), txbuild.NewSigner(w.d, "key-1", dk))
		}, types.ErrEndorserInactive},
		{"an endorser's authentication-only key", func(w *endorsedWorld) []byte {
			return w.endorsedCreate(w.key("k"), txbuild.NewSigner(w.e, "auth", w.ea))
		}, types.ErrEndorserKey},
		{"an endorser key that is not the endorser's", func(w *endorsedWorld) []byte {
			return w.endorsedCreate(w.key("k"), txbuild.NewSigner(w.e, "key-1", w.key("stranger")))
		}, types.ErrBadSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w.in(t)
			w.refuse(tc.tx(w), tc.want)
		})
	}
	t.Run("an endorsed create", func(t *testing.T) {
		w.in(t)
		_, err := w.exec(w.endorsedCreate(w.key("k"), txbuild.NewSigner(w.e, "key-2", w.ek2)))
		require.NoError(t, err)
	})
	// keeper.Requirements names the endorsement as a set of one key among
	// the active endorsers' controller keys.
	t.Run("requirements", func(t *testing.T) {
		w.in(t)
		k := w.key("k")
		id, body, err := txbuild.Create(testChain, txbuild.SimpleDocument("key-1", pub(k)), "")
		require.NoError(t, err)
		edoc := w.current(w.e).Document
		req, err := keeper.Requirements(&body, keeper.RequirementState{Endorsers: []keeper.Endorser{{DID: w.e, Document: &edoc}}})
		require.NoError(t, err)
		own := keeper.SignerKey{URL: types.URL{ID: id, Fragment: "key-1"}, Key: pub(k)}
		short := req.Missing([]keeper.SignerKey{own})
		require.Len(t, short, 1)
		require.Equal(t, types.ErrNotEndorsed, short[0].Set.Err)
		endorsement := keeper.SignerKey{URL: types.URL{ID: w.e, Fragment: "key-2"}, Key: pub(w.ek2)}
		require.Empty(t, req.Missing([]keeper.SignerKey{own, endorsement}))
		_, err = w.check(w.sign(body, txbuild.NewSigner(id, "key-1", k), txbuild.NewSigner(w.e, "key-2", w.ek2)))
		require.NoError(t, err, "what satisfies the requirements is accepted")
	})
	// The endorser rotates key-1 and revokes key-2: the retired materials
	// no longer endorse, the new one does.
	t.Run("retired endorser keys", func(t *testing.T) {
		w.in(t)
		nk := key("endorser 1 new")
		_, err := w.exec(w.sign(txbuild.Rotate(testChain, w.e, 1, "key-1", pub(nk)),
			txbuild.NewSigner(w.e, "key-1", w.ek1), txbuild.NewSigner(w.e, "key-1", nk)))
		require.NoError(t, err)
		_, err = w.exec(w.sign(txbuild.Revoke(testChain, w.e, 2, "key-2", types.REVOCATION_REASON_RETIRED, 0), txbuild.NewSigner(w.e, "key-1", nk)))
		require.NoError(t, err)
		w.refuse(w.endorsedCreate(w.key("a"), txbuild.NewSigner(w.e, "key-1", w.ek1)), types.ErrBadSignature)
		w.refuse(w.endorsedCreate(w.key("b"), txbuild.NewSigner(w.e, "key-2", w.ek2)), types.ErrEndorserKey)
		_, err = w.exec(w.endorsedCreate(w.key("c"), txbuild.NewSigner(w.e, "key-1", nk)))
		require.NoError(t, err)
	})
}

// A proposal refuses what the policy refuses on the tx alone (a create
// without its stamp or without an endorsement) and leaves the endorsement's
// signature to execution, under the endorser's keys as they are then.
func TestProposalChecksPolicy(t *testing.T) {
	w := newEndorsedWorld(t)
	p := w.k.Params()
	p.StampDifficulty = 8
	w.withParams(p)
	k := w.key("k")
	endorsed := w.endorsedCreate(k, txbuild.NewSigner(w.e, "key-1", w.ek1))
	prop := w.k.NewProposal(w.db, testChain)
	require.ErrorIs(t, prop.Add(endorsed), types.ErrStampMissing)
	require.ErrorIs(t, prop.Add(stamped(t, w.endorsedCreate(k), 8)), types.ErrNotEndorsed)
	ok := stamped(t, endorsed, 8)
	require.NoError(t, prop.Add(ok))
	require.NoError(t, prop.VerifyOwnSignatures(ok))
	_, err := w.exec(ok)
	require.NoError(t, err)
}
