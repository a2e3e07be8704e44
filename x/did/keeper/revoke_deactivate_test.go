package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// revoke returns a revocation of id's frag at version 1; since is
// relative to the block time of the next exec when rel is true.
func revoke(frag string, reason types.RevocationReason, since int64, rel bool) func(e *env, id types.ID) types.TxBody {
	return func(e *env, id types.ID) types.TxBody {
		at := since
		if rel {
			at += e.nextBlock().Time
		}
		return txbuild.Revoke(testChain, id, 1, frag, reason, at)
	}
}

func TestRevokeRules(t *testing.T) {
	quorum := []string{"t1", "t2"}
	retired, compromised := types.REVOCATION_REASON_RETIRED, types.REVOCATION_REASON_COMPROMISED
	runOpCases(t, []opCase{
		{name: "retire a controller key", body: revoke("t3", retired, 0, false), signers: quorum},
		{name: "a key signs its own revocation", body: revoke("t1", retired, 0, false), signers: quorum},
		{name: "retire the X25519 key", body: revoke("enc", retired, 0, false), signers: quorum},
		{name: "unknown fragment", body: revoke("zz", retired, 0, false), signers: quorum, want: types.ErrKeyNotFound},
		{name: "reason unspecified", body: revoke("au", types.REVOCATION_REASON_UNSPECIFIED, 0, false), signers: quorum, want: types.ErrInvalidOperation},
		{name: "reason out of range", body: revoke("au", 9, 0, false), signers: quorum, want: types.ErrInvalidOperation},
		{name: "compromised since the block time", body: revoke("au", compromised, 0, true), signers: quorum},
		{name: "compromised since 0", body: revoke("au", compromised, 0, false), signers: quorum},
		{name: "compromised since after the block time", body: revoke("au", compromised, 1, true), signers: quorum, want: types.ErrInvalidTime},
		{name: "compromised since before 1970", body: revoke("au", compromised, -1, false), signers: quorum, want: types.ErrInvalidTime},
		{name: "retired with compromised_since", body: revoke("au", retired, -10, true), signers: quorum, want: types.ErrInvalidOperation},
		{name: "the revoked key is no controller", body: revoke("au", retired, 0, false), signers: []string{"t1", "au"}, want: types.ErrThresholdNotMet},
		{name: "would leave fewer controllers than the threshold", body: func(e *env, id types.ID) types.TxBody {
			d := e.thresholdDoc()
			d.CapabilityInvocation = d.CapabilityInvocation[:2]
			_, err := e.exec(e.sign(txbuild.Update(testChain, id, 1, d), e.signers(id, "t1", "t2")...))
			require.NoError(e.t, err)
			b := revoke("t1", retired, 0, false)(e, id)
			b.ExpectedVersion = 2
			return b
		}, signers: quorum, want: types.ErrWouldLoseControl},
	})

	t.Run("the last controller key", func(t *testing.T) {
		e := newEnv(t)
		k := key("last")
		id := e.create(k)
		e.refuse(e.sign(txbuild.Revoke(testChain, id, 1, "key-1", retired, 0), txbuild.NewSigner(id, "key-1", k)), types.ErrWouldLoseControl)
		e.refuse(e.sign(txbuild.Revoke(testChain, id, 1, "key-1", compromised, 0), txbuild.NewSigner(id, "key-1", k)), types.ErrWouldLoseControl)
	})
}

func TestRevokeCompromised(t *testing.T) {
	e := newEnv(t)
	d := e.controlled(1, "a", "c")
	d.AssertionMethod = []string{"c", "a"}
	d.CapabilityDelegation = []string{"c"}
	d.VerificationMethods = append(d.VerificationMethods, vm("enc", e.xpub("enc")))
	d.KeyAgreement = []string{"enc"}
	id := e.createDoc(d, e.fk("a"), e.fk("c"))

	at := e.nextBlock().Time
	since := at - 3600
	out, err := e.exec(e.sign(txbuild.Revoke(testChain, id, 1, "c", types.REVOCATION_REASON_COMPROMISED, since), e.signers(id, "a")...))
	require.NoError(t, err)
	require.Equal(t, uint64(2), out.Version)

	want := types.Document{
		Id:                  id.String(),
		VerificationMethods: []types.VerificationMethod{vm("a", pub(e.key("a"))), vm("enc", e.xpub("enc"))},
		Authentication:      []string{"a"}, AssertionMethod: []string{"a"}, KeyAgreement: []string{"enc"},
		CapabilityInvocation: []string{"a"}, Threshold: 1,
	}
	requireSameDoc(t, want, e.current(id).Document)

	kr := e.keyRecord(id, "c").Periods
	require.Len(t, kr, 1)
	require.Equal(t, types.KEY_STATUS_COMPROMISED, kr[0].Status)
	require.Equal(t, since, kr[0].CompromisedSince)
	require.Equal(t, uint64(2), kr[0].ValidUntilVersion)
	require.Equal(t, at, kr[0].ValidUntil)
	require.Equal(t, types.KEY_STATUS_VALID, e.keyRecord(id, "a").Periods[0].Status)

	ev := out.Event
	require.Equal(t, types.EVENT_KIND_KEY_REVOKED, ev.Kind)
	require.Equal(t, []string{"c"}, ev.KeysRemoved)
	require.Equal(t, types.REVOCATION_REASON_COMPROMISED, ev.Reason)
	require.Equal(t, since, ev.CompromisedSince)
	hist, err := keeper.GetHistory(e.db, id)
	require.NoError(t, err)
	require.Equal(t, ev, hist[1])

	// c is gone: it names no key of the DID any more.
	e.refuse(e.sign(txbuild.Deactivate(testChain, id, 2), e.signers(id, "a", "c")...), types.ErrUnknownSigner)
	// version 1 still lists it.
	v1, err := keeper.GetVersion(e.db, id, 1)
	require.NoError(t, err)
	require.True(t, v1.Document.Has(types.CapabilityDelegation, "c"))
}

func TestDeactivate(t *testing.T) {
	e := newEnv(t)
	id := e.thresholdDID()
	d := e.thresholdDoc()
	setMaterial(&d, "t3", pub(e.key("t3b")))
	_, err := e.exec(e.sign(txbuild.Update(testChain, id, 1, d), e.signers(id, "t1", "t2", "t3=t3b")...))
	require.NoError(t, err)
	before := map[uint64][]byte{}
	for v := uint64(1); v <= 2; v++ {
		rec, err := keeper.GetVersion(e.db, id, v)
		require.NoError(t, err)
		before[v], err = rec.Marshal()
		require.NoError(t, err)
	}

	e.refuse(e.sign(txbuild.Deactivate(testChain, id, 2), e.signers(id, "t3=t3b", "t3=t3b")...), types.ErrThresholdNotMet)
	at := e.nextBlock().Time
	out, err := e.exec(e.sign(txbuild.Deactivate(testChain, id, 2), e.signers(id, "t1", "t3=t3b")...))
	require.NoError(t, err)
	require.Equal(t, uint64(3), out.Version)

	head := e.head(id)
	require.True(t, head.Deactivated)
	require.Equal(t, uint64(3), head.Version)
	rec := e.current(id)
	require.True(t, rec.Deactivated)
	requireSameDoc(t, types.Document{Id: id.String()}, rec.Document)

	for v, b := range before {
		rec, err := keeper.GetVersion(e.db, id, v)
		require.NoError(t, err)
		got, err := rec.Marshal()
		require.NoError(t, err)
		require.Equal(t, b, got, "version %d changed", v)
		require.False(t, rec.Deactivated)
	}

	require.Equal(t, types.EVENT_KIND_DEACTIVATED, out.Event.Kind)
	require.Equal(t, []string{"t1", "t2", "t3", "au", "enc"}, out.Event.KeysRemoved)
	for _, f := range out.Event.KeysRemoved {
		kr := e.keyRecord(id, f).Periods
		last := kr[len(kr)-1]
		require.Equal(t, types.KEY_STATUS_RETIRED, last.Status, f)
		require.Equal(t, uint64(3), last.ValidUntilVersion, f)
		require.Equal(t, at, last.ValidUntil, f)
	}
	require.Len(t, e.keyRecord(id, "t3").Periods, 2)

	for _, op := range controllerOps {
		e.refuse(e.sign(op.body(e, id, 3), e.signers(id, "t1", "t2")...), types.ErrDeactivated)
	}
	hist, err := keeper.GetHistory(e.db, id)
	require.NoError(t, err)
	require.Len(t, hist, 3)
}
