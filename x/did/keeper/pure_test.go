package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// The pure rules the CLI calls before it signs: each case gives the
// registered error the ledger answers (nil: allowed) and a phrase of the
// detail the CLI shows.

func TestCheckCommitment(t *testing.T) {
	id := types.DeriveID(testChain, []byte("pure rules"))
	cur := txbuild.SimpleDocument("key-1", pub(key("owner")))
	committed := txbuild.Commitment(1, pub(key("next")))
	cur.NextKeys = committed
	rotated := func(to string, next *types.NextKeys) types.Document {
		d := cur.Clone()
		d.VerificationMethods[0].PublicKey = pub(key(to)).Multicodec()
		d.NextKeys = next
		return d
	}
	fresh := txbuild.Commitment(1, pub(key("after")))
	for _, tc := range []struct {
		name    string
		cur     types.Document
		next    types.Document
		reveals bool
		want    *types.Error
		detail  string
	}{
		{name: "no commitment: any change", cur: txbuild.SimpleDocument("key-1", pub(key("owner"))),
			next: txbuild.SimpleDocument("key-1", pub(key("other")))},
		{name: "control kept, commitment kept", cur: cur, next: cur.Clone()},
		{name: "control kept, commitment replaced", cur: cur, next: rotated("owner", fresh), want: types.ErrPreRotation,
			detail: "can only be replaced by a rotation that reveals them"},
		{name: "control kept, commitment dropped", cur: cur, next: rotated("owner", nil), want: types.ErrPreRotation},
		{name: "reveal with a new commitment", cur: cur, next: rotated("next", fresh), reveals: true},
		{name: "reveal without a new commitment", cur: cur, next: rotated("next", nil), want: types.ErrPreRotation,
			detail: "needs a new commitment"},
		{name: "reveal keeping the commitment", cur: cur, next: rotated("next", committed), want: types.ErrPreRotation,
			detail: "needs a new commitment"},
		{name: "rotation to an uncommitted key", cur: cur, next: rotated("thief", fresh), want: types.ErrPreRotation,
			detail: "#key-1 " + pub(key("thief")).Multibase() + " is not one of them"},
		{name: "the committed key and an uncommitted one", cur: cur, next: func() types.Document {
			d := rotated("next", fresh)
			d.VerificationMethods = append(d.VerificationMethods, types.VerificationMethod{Id: "key-2", PublicKey: pub(key("thief")).Multicodec()})
			d.CapabilityInvocation = append(d.CapabilityInvocation, "key-2")
			d.Threshold = 2
			return d
		}(), want: types.ErrPreRotation, detail: "#key-2 " + pub(key("thief")).Multibase() + " is not one of them"},
		{name: "reveal under another fragment", cur: cur, next: func() types.Document {
			d := cur.Clone()
			d.NextKeys = txbuild.Commitment(1, pub(key("owner")))
			d.VerificationMethods = append(d.VerificationMethods, types.VerificationMethod{Id: "key-2", PublicKey: pub(key("next")).Multicodec()})
			d.CapabilityInvocation = []string{"key-2"}
			d.Threshold = 1
			return d
		}(), reveals: true},
		{name: "committed keys with another threshold", cur: func() types.Document {
			d := cur.Clone()
			d.NextKeys = txbuild.Commitment(2, pub(key("next")), pub(key("next-2")))
			return d
		}(), next: func() types.Document {
			d := rotated("next", fresh)
			d.VerificationMethods = append(d.VerificationMethods, types.VerificationMethod{Id: "key-2", PublicKey: pub(key("next-2")).Multicodec()})
			d.CapabilityInvocation = append(d.CapabilityInvocation, "key-2")
			return d
		}(), want: types.ErrPreRotation, detail: "has committed to 2 next controller key(s) with threshold 2; the change would leave 2 with threshold 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reveals, err := keeper.CheckCommitment(id, &tc.cur, &tc.next)
			if tc.want == nil {
				require.NoError(t, err)
				require.Equal(t, tc.reveals, reveals)
				return
			}
			require.ErrorIs(t, err, tc.want)
			require.Contains(t, types.Detail(err), tc.detail)
			require.False(t, reveals)
		})
	}
}

func TestRotatedDocument(t *testing.T) {
	id := types.DeriveID(testChain, []byte("pure rules"))
	cur := txbuild.SimpleDocument("key-1", pub(key("owner")))
	cur.VerificationMethods = append(cur.VerificationMethods, types.VerificationMethod{Id: "key-2", PublicKey: pub(key("laptop")).Multicodec()})
	cur.AssertionMethod = append(cur.AssertionMethod, "key-2")
	curKeys, err := types.KeysOf(&cur)
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		frag   string
		to     []byte
		want   *types.Error
		detail string
	}{
		{name: "rotates", frag: "key-2", to: pub(key("laptop-2")).Multicodec()},
		{name: "unknown fragment", frag: "key-7", to: pub(key("x")).Multicodec(), want: types.ErrKeyNotFound,
			detail: "has no key #key-7 (its keys: #key-1 " + pub(key("owner")).Multibase() + ", #key-2 "},
		{name: "malformed key", frag: "key-1", to: []byte{0xed, 0x01, 1}, want: types.ErrInvalidPublicKey},
		{name: "another type", frag: "key-1", to: didtest.X25519("agree").Multicodec(), want: types.ErrKeyTypeMismatch,
			detail: "#key-1 is an Ed25519 key, the new key z"},
		{name: "listed already", frag: "key-1", to: pub(key("laptop")).Multicodec(), want: types.ErrDuplicateKey,
			detail: "is already #key-2 of " + id.String()},
		{name: "its own material", frag: "key-1", to: pub(key("owner")).Multicodec(), want: types.ErrDuplicateKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, keys, err := keeper.RotatedDocument(id, &cur, curKeys, tc.frag, tc.to)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				require.Contains(t, types.Detail(err), tc.detail)
				return
			}
			require.NoError(t, err)
			got, err := types.KeysOf(&doc)
			require.NoError(t, err)
			require.Equal(t, got, keys)
			require.Equal(t, cur.AssertionMethod, doc.AssertionMethod, "relationships kept")
			k, _ := keys.Get(tc.frag)
			require.Equal(t, tc.to, k.Multicodec())
			require.Equal(t, pub(key("owner")).Multicodec(), cur.VerificationMethods[0].PublicKey, "cur unchanged")
		})
	}
}

func TestGuardianConfig(t *testing.T) {
	id := types.DeriveID(testChain, []byte("pure rules"))
	g1 := types.DeriveID(testChain, []byte("guardian 1"))
	g2 := types.DeriveID(testChain, []byte("guardian 2"))
	p := types.DefaultParams()
	p.MaxGuardians = 2
	set := func(threshold uint32, delay int64, gs ...types.ID) *types.SetGuardiansOp {
		b := txbuild.SetGuardians(testChain, id, 1, 0, gs, threshold, delay)
		return b.GetSetGuardians()
	}
	day := p.RecoveryMinDelay
	inactive := func(g types.ID) error {
		if g == g2 {
			return types.ErrGuardianInactive.Wrapf("%s was deactivated", g)
		}
		return nil
	}
	for _, tc := range []struct {
		name   string
		op     *types.SetGuardiansOp
		active func(types.ID) error
		want   *types.Error
		detail string
	}{
		{name: "two guardians", op: set(2, day, g1, g2)},
		{name: "removal", op: set(0, 0)},
		{name: "removal with a threshold", op: set(1, 0), want: types.ErrInvalidGuardians, detail: "removing every guardian takes threshold 0 and delay 0"},
		{name: "above the limit", op: set(1, day, g1, g2, types.DeriveID(testChain, []byte("g3"))), want: types.ErrLimitExceeded},
		{name: "its own guardian", op: set(1, day, id), want: types.ErrInvalidGuardians, detail: "a DID cannot be its own guardian"},
		{name: "listed twice", op: set(1, day, g1, g1), want: types.ErrInvalidGuardians, detail: "is listed twice"},
		{name: "inactive before the threshold", op: set(3, day, g1, g2), active: inactive, want: types.ErrGuardianInactive},
		{name: "inactive unchecked", op: set(1, day, g1, g2)},
		{name: "threshold above the guardians", op: set(3, day, g1, g2), want: types.ErrInvalidGuardians, detail: "threshold 3 must be between 1 and the 2 guardians"},
		{name: "threshold 0", op: set(0, day, g1), want: types.ErrInvalidGuardians},
		{name: "delay below the minimum", op: set(1, day-1, g1), want: types.ErrInvalidGuardians, detail: "is shorter than the chain's recovery_min_delay of 86400s"},
		{name: "negative delay", op: set(1, -1, g1), want: types.ErrInvalidGuardians, detail: "delay -1s is shorter"},
		{name: "delay above the longest", op: set(1, types.MaxDelay+1, g1), want: types.ErrInvalidGuardians, detail: "is longer than the longest guardian delay"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := keeper.GuardianConfig(id, tc.op, p, tc.active)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				require.Contains(t, types.Detail(err), tc.detail)
				return
			}
			require.NoError(t, err)
			require.Len(t, cfg.Guardians, len(tc.op.Guardians))
			require.Equal(t, tc.op.Threshold, cfg.Threshold)
			require.Equal(t, tc.op.Delay, cfg.Delay)
		})
	}
}
