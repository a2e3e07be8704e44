package keeper_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/didjson"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// headBytes is the encoded size of id's head.
func (e *env) headBytes(id types.ID) int {
	b, err := e.db.Get(types.HeadKey(id))
	require.NoError(e.t, err)
	return len(b)
}

// The bound docs/state.md states for the default params.
func TestMaxHeadBytesDefault(t *testing.T) {
	require.Equal(t, 21_883, types.MaxHeadBytes(types.DefaultParams()))
}

// The worst case an attacker holding a DID's only key can build: every
// method under a 64-character fragment, 31 X25519 keyAgreement methods
// (no proof of possession), each rotated past the periods the head keeps,
// then all 31 replaced by new fragments, twice, so that the head also
// holds its quota of former fragments, each with its full periods. The
// head stays within types.MaxHeadBytes after each of the 468 operations,
// and the bound is not loose (the head gets above 60% of it: its varints
// are narrower than the bound's). Without archiving (the previous main) the
// same operations pass the bound at version 249, and the head grows with
// every further one.
func TestHeadSizeBounded(t *testing.T) {
	e := newEnv(t)
	p := types.DefaultParams()
	bound := types.MaxHeadBytes(p)
	owner := key("bounded owner")
	ctl := strings.Repeat("c", types.MaxFragmentLen)
	id := e.createDoc(types.Document{
		VerificationMethods:  []types.VerificationMethod{vm(ctl, pub(owner))},
		CapabilityInvocation: []string{ctl}, Threshold: 1,
	}, fk{ctl, owner})
	version := uint64(1)
	frag := func(round, i int) string {
		return fmt.Sprintf("r%d-%02d-%s", round, i, strings.Repeat("f", types.MaxFragmentLen-6))
	}
	xk := func(round, i, n int) types.PublicKey { return xpub(fmt.Sprintf("bound %d %d %d", round, i, n)) }
	maxSeen := 0
	step := func(body types.TxBody) {
		t.Helper()
		_, err := e.exec(e.sign(body, txbuild.NewSigner(id, ctl, owner)))
		require.NoError(t, err)
		version++
		size := e.headBytes(id)
		require.LessOrEqual(t, size, bound, "version %d", version)
		maxSeen = max(maxSeen, size)
	}
	for round := range 3 {
		doc := types.Document{
			VerificationMethods:  []types.VerificationMethod{vm(ctl, pub(owner))},
			CapabilityInvocation: []string{ctl}, Threshold: 1,
		}
		for i := range int(p.MaxVerificationMethods) - 1 {
			doc.VerificationMethods = append(doc.VerificationMethods, vm(frag(round, i), xk(round, i, 0)))
			doc.KeyAgreement = append(doc.KeyAgreement, frag(round, i))
		}
		step(txbuild.Update(testChain, id, version, doc))
		for n := 1; n <= int(p.KeyPeriodsKept)+1; n++ {
			for i := range int(p.MaxVerificationMethods) - 1 {
				step(txbuild.Rotate(testChain, id, version, frag(round, i), xk(round, i, n)))
			}
		}
	}
	head := e.head(id)
	require.Len(t, head.Keys, int(p.MaxVerificationMethods+p.FormerKeyRecordsKept))
	for _, fk := range head.Keys {
		require.LessOrEqual(t, len(fk.Record.Periods), int(p.KeyPeriodsKept))
	}
	require.NotZero(t, head.LastArchive)
	require.Greater(t, maxSeen, bound*3/5, "the bound is close to what an attacker reaches")
	t.Logf("head %d bytes after %d versions (bound %d, largest seen %d)", e.headBytes(id), version, bound, maxSeen)

	// Every period is still answerable: the first material of a fragment
	// of round 0, archived whole, and one of its middle ones.
	first := frag(0, 7)
	rec, err := keeper.KeyRecordAt(e.db, id, head, first, 0)
	require.NoError(t, err)
	require.Len(t, rec.Periods, int(p.KeyPeriodsKept)+2)
	require.Equal(t, xk(0, 7, 0).Multicodec(), rec.Periods[0].PublicKey)
	require.Equal(t, xk(0, 7, 3).Multicodec(), rec.Periods[3].PublicKey)
	require.Equal(t, types.KEY_STATUS_RETIRED, rec.Periods[len(rec.Periods)-1].Status)
}

// One key rotated 1,000 times: every rotation applies, the head stays
// within its bound, and key status answers for any time, from the head
// for recent periods and from the archiving history entries for older
// ones.
func TestThousandRotations(t *testing.T) {
	e := newEnv(t)
	const n = 1000
	keys := []fk{{"key-1", key("rot 0")}}
	id := e.create(keys[0].k)
	from := []int64{e.now()}
	bound := types.MaxHeadBytes(types.DefaultParams())
	for i := 1; i <= n; i++ {
		next := fk{"key-1", key(fmt.Sprint("rot ", i))}
		_, err := e.exec(e.sign(txbuild.Rotate(testChain, id, uint64(i), "key-1", pub(next.k)),
			keys[i-1].signer(id), next.signer(id)))
		require.NoError(t, err, "rotation %d", i)
		keys = append(keys, next)
		from = append(from, e.now())
		if i%100 == 0 {
			require.LessOrEqual(t, e.headBytes(id), bound)
		}
	}
	head := e.head(id)
	require.Equal(t, uint64(n+1), head.Version)
	require.Len(t, head.KeyRecord("key-1").Periods, int(types.DefaultParams().KeyPeriodsKept))
	for _, i := range []int{0, 1, 17, 500, 996, 997, 999, n} {
		rec, err := keeper.KeyRecordAt(e.db, id, head, "key-1", from[i])
		require.NoError(t, err)
		ks := didjson.RenderKeyStatus(types.URL{ID: id, Fragment: "key-1"}, rec, from[i])
		require.Equal(t, "valid", ks.Status, "rotation %d", i)
		require.Equal(t, pub(keys[i].k).Multibase(), ks.PublicKeyMultibase, "rotation %d", i)
	}
	rec, err := keeper.KeyRecordAt(e.db, id, head, "nope", from[3])
	require.NoError(t, err)
	require.Nil(t, rec)
}
