package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// statusAt is the key status the resolver renders for id#frag at time at.
func (e *env) statusAt(id types.ID, frag string, at int64) didjson.KeyStatus {
	return didjson.RenderKeyStatus(types.URL{ID: id, Fragment: frag}, e.keyRecord(id, frag), at)
}

// The 3 a.m. case: a DID with one key, whose laptop was stolen at theft.
// The owner rotates to a new key and records the old one compromised
// since the theft in the same operation; key status answers compromised
// for the theft window, valid before it, and the history says so. A
// compromised_since without compromised, or in the future, is refused.
func TestRotateMarksOldKeyCompromised(t *testing.T) {
	e := newEnv(t)
	old, fresh := key("laptop"), key("new laptop")
	id := e.create(old)
	created := e.now()
	e.advance(100)
	theft := e.now()
	e.advance(100)

	rot := func(compromised bool, since int64) []byte {
		body := txbuild.Rotate(testChain, id, 1, "key-1", pub(fresh))
		body.GetRotateKey().Compromised, body.GetRotateKey().CompromisedSince = compromised, since
		return e.sign(body, txbuild.NewSigner(id, "key-1", old), txbuild.NewSigner(id, "key-1", fresh))
	}
	e.refuse(rot(false, theft), types.ErrInvalidOperation)
	e.refuse(rot(true, e.now()+10), types.ErrInvalidTime)
	e.refuse(rot(true, -1), types.ErrInvalidTime)

	out, err := e.exec(rot(true, theft))
	require.NoError(t, err)
	rotated := e.now()
	require.Equal(t, types.EVENT_KIND_KEY_ROTATED, out.Event.Kind)
	require.Equal(t, []string{"key-1"}, out.Event.KeysRotated)
	require.Equal(t, []string{"key-1"}, out.Event.KeysCompromised)
	require.Equal(t, types.REVOCATION_REASON_COMPROMISED, out.Event.Reason)
	require.Equal(t, theft, out.Event.CompromisedSince)

	kr := e.keyRecord(id, "key-1")
	require.Len(t, kr.Periods, 2)
	require.Equal(t, types.KEY_STATUS_COMPROMISED, kr.Periods[0].Status)
	require.Equal(t, theft, kr.Periods[0].CompromisedSince)
	require.Equal(t, types.KEY_STATUS_VALID, kr.Periods[1].Status)

	for _, tc := range []struct {
		at     int64
		status string
		key    types.PublicKey
	}{
		{created, "valid", pub(old)},
		{theft - 1, "valid", pub(old)},
		{theft, "compromised", pub(old)},
		{rotated - 1, "compromised", pub(old)},
		{rotated, "valid", pub(fresh)},
	} {
		ks := e.statusAt(id, "key-1", tc.at)
		require.Equal(t, tc.status, ks.Status, "at %d", tc.at)
		require.Equal(t, tc.key.Multibase(), ks.PublicKeyMultibase, "at %d", tc.at)
	}

	// The stolen key never comes back.
	back := e.sign(txbuild.Rotate(testChain, id, 2, "key-1", pub(old)), txbuild.NewSigner(id, "key-1", fresh), txbuild.NewSigner(id, "key-1", old))
	e.refuse(back, types.ErrKeyCompromised)
}

// A key found stolen only after it left the document gets its record
// upgraded: revoke-key on a fragment the document no longer lists (here
// revoked as retired first) records its last material compromised, with a
// since-time; on a fragment that still lists a newer key, public_key names
// the earlier material. A record is never downgraded: reason retired, a
// later since-time or the same one again are refused; a replay of the
// upgrade is stale. Before, each upgrade failed with key_not_found.
func TestRevokeUpgradesRetiredKeyToCompromised(t *testing.T) {
	e := newEnv(t)
	doc := e.controlled(1, "a", "b")
	id := e.createDoc(doc, e.fk("a"), e.fk("b"))
	e.advance(50)
	theft := e.now()
	e.advance(50)
	_, err := e.exec(e.sign(txbuild.Revoke(testChain, id, 1, "b", types.REVOCATION_REASON_RETIRED, 0), as(id, e.fk("a"))...))
	require.NoError(t, err)
	retired := e.now()
	require.Equal(t, "valid", e.statusAt(id, "b", theft).Status, "retired: valid until its revocation")
	require.Equal(t, "retired", e.statusAt(id, "b", retired).Status)
	e.advance(50)

	upgrade := func(version uint64, frag string, reason types.RevocationReason, since int64) []byte {
		return e.sign(txbuild.Revoke(testChain, id, version, frag, reason, since), as(id, e.fk("a"))...)
	}
	e.refuse(upgrade(2, "b", types.REVOCATION_REASON_RETIRED, 0), types.ErrInvalidOperation)
	e.refuse(upgrade(2, "never", types.REVOCATION_REASON_COMPROMISED, theft), types.ErrKeyNotFound)
	e.refuse(upgrade(2, "b", types.REVOCATION_REASON_COMPROMISED, e.now()+5), types.ErrInvalidTime)
	e.refuse(e.sign(txbuild.Revoke(testChain, id, 2, "b", types.REVOCATION_REASON_COMPROMISED, theft), as(id, e.fk("b"))...), types.ErrUnknownSigner)

	tx := upgrade(2, "b", types.REVOCATION_REASON_COMPROMISED, theft)
	out, err := e.exec(tx)
	require.NoError(t, err)
	require.Equal(t, uint64(3), out.Version)
	require.Equal(t, types.EVENT_KIND_KEY_REVOKED, out.Event.Kind)
	require.Equal(t, []string{"b"}, out.Event.KeysCompromised)
	require.Empty(t, out.Event.KeysRemoved)
	require.Equal(t, theft, out.Event.CompromisedSince)
	require.Equal(t, e.current(id).Document.VerificationMethods, func() []types.VerificationMethod {
		d := e.controlled(1, "a")
		return d.VerificationMethods
	}(), "the document does not change")
	require.Equal(t, "valid", e.statusAt(id, "b", theft-1).Status)
	require.Equal(t, "compromised", e.statusAt(id, "b", theft).Status)
	require.Equal(t, "compromised", e.statusAt(id, "b", retired).Status)

	e.refuse(tx, types.ErrStaleVersion)
	e.refuse(upgrade(3, "b", types.REVOCATION_REASON_COMPROMISED, theft), types.ErrAlreadyCompromised)
	e.refuse(upgrade(3, "b", types.REVOCATION_REASON_COMPROMISED, theft+10), types.ErrAlreadyCompromised)
	e.refuse(upgrade(3, "b", types.REVOCATION_REASON_COMPROMISED, 0), types.ErrAlreadyCompromised)
	_, err = e.exec(upgrade(3, "b", types.REVOCATION_REASON_COMPROMISED, theft-20))
	require.NoError(t, err, "an earlier since-time widens the record")
	require.Equal(t, "compromised", e.statusAt(id, "b", theft-20).Status)

	// A key rotated away while its fragment stays: public_key names it.
	firstA := pub(e.key("a"))
	nextA := e.key("a2")
	_, err = e.exec(e.sign(txbuild.Rotate(testChain, id, 4, "a", pub(nextA)), e.fk("a").signer(id), txbuild.NewSigner(id, "a", nextA)))
	require.NoError(t, err)
	named := func(version uint64, pk types.PublicKey, since int64) []byte {
		body := txbuild.Revoke(testChain, id, version, "a", types.REVOCATION_REASON_COMPROMISED, since)
		body.GetRevokeKey().PublicKey = pk.Multicodec()
		return e.sign(body, txbuild.NewSigner(id, "a", nextA))
	}
	e.refuse(named(5, pub(nextA), theft), types.ErrInvalidOperation) // the current key: a plain revocation
	e.refuse(named(5, pub(e.key("never")), theft), types.ErrKeyNotFound)
	_, err = e.exec(named(5, firstA, theft))
	require.NoError(t, err)
	require.Equal(t, "compromised", e.statusAt(id, "a", theft).Status)
	require.Equal(t, firstA.Multibase(), e.statusAt(id, "a", theft).PublicKeyMultibase)
	require.Equal(t, "valid", e.statusAt(id, "a", e.now()).Status)
}

// A retired material listed again under another fragment cannot be
// recorded compromised through its old fragment: the refusal says to
// revoke the listed key instead.
func TestMarkCompromisedWhileListedElsewhere(t *testing.T) {
	e := newEnv(t)
	id := e.createDoc(e.controlled(1, "a", "b"), e.fk("a"), e.fk("b"))
	_, err := e.exec(e.sign(txbuild.Revoke(testChain, id, 1, "b", types.REVOCATION_REASON_RETIRED, 0), as(id, e.fk("a"))...))
	require.NoError(t, err)
	up := e.controlled(1, "a")
	up.VerificationMethods = append(up.VerificationMethods, vm("c", pub(e.key("b"))))
	up.Authentication = append(up.Authentication, "c")
	_, err = e.exec(e.sign(txbuild.Update(testChain, id, 2, up), e.fk("a").signer(id), txbuild.NewSigner(id, "c", e.key("b"))))
	require.NoError(t, err)
	e.refuse(e.sign(txbuild.Revoke(testChain, id, 3, "b", types.REVOCATION_REASON_COMPROMISED, 0), as(id, e.fk("a"))...), types.ErrInvalidOperation)
}

func (f fk) signer(id types.ID) txbuild.Signer { return txbuild.NewSigner(id, f.frag, f.k) }
