package resolver_test

import (
	"testing"

	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/proof"
	"github.com/custos-ledger/custos/proof/prover"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// Every version and history entry of every DID, at every height, is proved
// by its log op and its head's tree op against that height's app hash, and
// every record the head does not count is proved absent. A changed value, a
// changed digest, or a proof moved to another key fails.
func TestLogProofs(t *testing.T) {
	s := newScenario(t)
	l := s.l
	// Alice: an entry that makes no version (guardians set) between two
	// that do.
	l.block(10, sign(t, txbuild.SetGuardians(testChain, s.alice, 1, 0, []types.ID{s.bob}, 1, types.DefaultParams().RecoveryMinDelay),
		txbuild.NewSigner(s.alice, "key-1", s.aliceKey)))
	alice2 := key("alice-2")
	l.block(10, sign(t, txbuild.Rotate(testChain, s.alice, 1, "key-1", pub(alice2)),
		txbuild.NewSigner(s.alice, "key-1", s.aliceKey), txbuild.NewSigner(s.alice, "key-1", alice2)))
	l.block(10)
	never, _, _ := simpleDID(t, "never registered")

	checked := 0
	for h := int64(1); h <= l.height; h++ {
		root, err := l.db.RootAt(h)
		require.NoError(t, err)
		for _, id := range []types.ID{s.alice, s.bob, s.carol, never} {
			head, err := keeper.GetHead(l.db, id) // the latest head bounds the keys tried
			require.NoError(t, err)
			var versions, events uint64
			if head != nil {
				versions, events = head.Version, head.Events
			}
			var keys [][]byte
			for n := uint64(0); n <= versions+1; n++ {
				keys = append(keys, types.VersionKey(id, n))
			}
			for n := uint64(0); n <= events+1; n++ {
				keys = append(keys, types.EventKey(id, n))
			}
			for _, k := range keys {
				p, err := prover.Prove(l.db, h, k)
				require.NoError(t, err)
				want := atHeight(t, l, h, k)
				require.Equal(t, want, p.Value, "key %x at %d", k, h)
				require.Len(t, p.Ops, 2)
				ops := opsOf(p)
				require.NoError(t, proof.Verify(ops, root, k, p.Value), "key %x at %d", k, h)
				if p.Value == nil {
					require.Error(t, proof.Verify(ops, root, k, []byte("x")), "an absence proof must not prove a value")
					continue
				}
				checked++
				require.Error(t, proof.Verify(ops, root, k, append(append([]byte(nil), p.Value...), 0)), "a changed value must not verify")
				require.Error(t, proof.Verify(ops, root, k, nil), "a present record must not be proved absent")
				isVersion, _, n, _ := types.ParseLogKey(k)
				var other []byte
				if isVersion {
					other = types.VersionKey(id, n+1)
				} else {
					other = types.EventKey(id, n+1)
				}
				require.Error(t, proof.Verify(ops, root, other, p.Value), "a proof must not move to another key")
				tampered := opsOf(p)
				var lp types.LogProof
				require.NoError(t, lp.Unmarshal(tampered.Ops[0].Data))
				switch {
				case len(lp.Later) > 0:
					lp.Later[len(lp.Later)-1][0] ^= 1
				default:
					lp.Prev = make([]byte, types.LogDigestLen)
					lp.Prev[0] = 1
				}
				tampered.Ops[0].Data, err = lp.Marshal()
				require.NoError(t, err)
				require.Error(t, proof.Verify(tampered, root, k, p.Value), "a changed digest must not verify")
			}
		}
	}
	// 3 versions + 3 entries (bob) + 2 + 1 (carol) + 2 + 3 (alice), each at
	// every height from its own on.
	require.Greater(t, checked, 50)
}

// atHeight is what a read of key at height returns: the record if the head
// of that height counts it.
func atHeight(t *testing.T, l *ledger, h int64, key []byte) []byte {
	isVersion, id, n, _ := types.ParseLogKey(key)
	hb, err := l.db.GetAt(h, types.HeadKey(id))
	require.NoError(t, err)
	if hb == nil {
		return nil
	}
	var head types.Head
	require.NoError(t, head.Unmarshal(hb))
	if !head.HasLogRecord(isVersion, n) {
		return nil
	}
	v, err := l.db.Get(key)
	require.NoError(t, err)
	require.NotNil(t, v)
	return v
}

func opsOf(p prover.Proved) *cmtcrypto.ProofOps {
	ops := &cmtcrypto.ProofOps{}
	for _, op := range p.Ops {
		op.Data = append([]byte(nil), op.Data...)
		ops.Ops = append(ops.Ops, op)
	}
	return ops
}
