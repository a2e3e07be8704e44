package keeper_test

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// signed is one (key, message, signature) triple.
type signed struct {
	pk       types.PublicKey
	msg, sig []byte
}

func signedBy(name string, msg string) signed {
	k := key(name)
	return signed{pub(k), []byte(msg), ed25519.Sign(k, []byte(msg))}
}

func (s signed) verify(c *keeper.SigCache) bool { return c.Verify(s.pk, s.msg, s.sig) }

func requireStats(t *testing.T, c *keeper.SigCache, hits, verified uint64) {
	t.Helper()
	h, v := c.Stats()
	require.Equal(t, hits, h, "hits")
	require.Equal(t, verified, v, "verified")
}

func TestSigCache(t *testing.T) {
	good := signedBy("s", "message")

	t.Run("a hit is counted", func(t *testing.T) {
		c := keeper.NewSigCache(8)
		require.True(t, good.verify(c))
		requireStats(t, c, 0, 1)
		require.True(t, good.verify(c))
		require.True(t, good.verify(c))
		requireStats(t, c, 2, 1)
	})

	t.Run("a wrong signature is cached as wrong", func(t *testing.T) {
		c := keeper.NewSigCache(8)
		bad := good
		bad.sig = bytes.Clone(good.sig)
		bad.sig[0] ^= 1
		for range 3 {
			require.False(t, bad.verify(c))
		}
		requireStats(t, c, 2, 1)
		require.True(t, good.verify(c), "a cached failure answers for a good signature")
		require.False(t, bad.verify(c), "a cached neighbour answers for a bad signature")
		requireStats(t, c, 3, 2)
	})

	t.Run("only the exact triple is answered from the cache", func(t *testing.T) {
		c := keeper.NewSigCache(8)
		require.True(t, good.verify(c))
		other := signedBy("other", "message")
		require.False(t, c.Verify(other.pk, good.msg, good.sig), "another key")
		require.False(t, c.Verify(good.pk, []byte("messagf"), good.sig), "another message")
		require.False(t, c.Verify(good.pk, good.msg, append(bytes.Clone(good.sig), 0)), "a longer signature")
		requireStats(t, c, 0, 4)
	})

	t.Run("a signature spilling into the message is no cached signature", func(t *testing.T) {
		// With one-byte lengths in the cache key, the 320-byte signature
		// sig||msg[:256] over msg[256:] hashed like (sig, msg).
		c := keeper.NewSigCache(8)
		long := signedBy("s", strings.Repeat("0123456789abcdef", 20))
		require.True(t, long.verify(c))
		forged := append(bytes.Clone(long.sig), long.msg[:256]...)
		require.False(t, c.Verify(long.pk, long.msg[256:], forged))
		requireStats(t, c, 0, 2)
	})

	t.Run("capacity bound", func(t *testing.T) {
		const capacity, n = 3, 10
		c := keeper.NewSigCache(capacity)
		all := make([]signed, n)
		for i := range all {
			all[i] = signedBy("s", fmt.Sprint("message ", i))
			require.True(t, all[i].verify(c))
		}
		requireStats(t, c, 0, n)
		// the newest capacity entries are cached, newest first so that
		// none is evicted while asked for.
		for i := n - 1; i >= n-capacity; i-- {
			require.True(t, all[i].verify(c))
		}
		requireStats(t, c, capacity, n)
		// the older ones were forgotten.
		for i := range n - capacity {
			require.True(t, all[i].verify(c))
		}
		requireStats(t, c, capacity, 2*n-capacity)
	})

	t.Run("capacity 0 caches nothing", func(t *testing.T) {
		c := keeper.NewSigCache(0)
		for range 3 {
			require.True(t, good.verify(c))
		}
		requireStats(t, c, 0, 3)
	})

	t.Run("concurrent use", func(t *testing.T) {
		c := keeper.NewSigCache(4)
		all := make([]signed, 8)
		for i := range all {
			all[i] = signedBy("s", fmt.Sprint("m", i))
		}
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := range 50 {
					if !all[(g+i)%len(all)].verify(c) {
						t.Error("a good signature did not verify")
					}
				}
			})
		}
		wg.Wait()
		h, v := c.Stats()
		require.Equal(t, uint64(200), h+v)
	})
}

// TestSigCacheInKeeper runs a tx through Check (CheckTx) and then Execute
// (FinalizeBlock): the signatures are verified once.
func TestSigCacheInKeeper(t *testing.T) {
	c := keeper.NewSigCache(64)
	e := newEnvWith(t, c)
	id := e.thresholdDID()
	_, verified := c.Stats()
	tx := e.sign(txbuild.Deactivate(testChain, id, 1), e.signers(id, "t1", "t2")...)
	_, err := e.check(tx)
	require.NoError(t, err)
	requireStats(t, c, 0, verified+2)
	out, err := e.exec(tx)
	require.NoError(t, err)
	require.Equal(t, uint64(2), out.Version)
	requireStats(t, c, 2, verified+2)
}

// TestSigCacheRotation: a rotation's two signatures name one fragment.
// The old key's counts for the current material at once; the new key's
// fails under the old material, then verifies under the new. Check
// computes those three facts, execution finds all three in the cache.
func TestSigCacheRotation(t *testing.T) {
	c := keeper.NewSigCache(64)
	e := newEnvWith(t, c)
	k, k2 := key("rot-old"), key("rot-new")
	id := e.create(k)
	_, verified := c.Stats()
	tx := e.sign(txbuild.Rotate(testChain, id, 1, "key-1", pub(k2)),
		txbuild.NewSigner(id, "key-1", k), txbuild.NewSigner(id, "key-1", k2))
	_, err := e.check(tx)
	require.NoError(t, err)
	hits, _ := c.Stats()
	// Two verifications, not three: the second signature naming key-1 is
	// tried under the new key first, since the old one has signed.
	requireStats(t, c, hits, verified+2)
	out, err := e.exec(tx)
	require.NoError(t, err)
	require.Equal(t, uint64(2), out.Version)
	requireStats(t, c, hits+2, verified+2)
}

// TestRotationSignatureOrder: which signature comes first changes only the
// work, never the outcome: the new key's proof first costs one failed
// verification more; the old key twice is no proof of possession.
func TestRotationSignatureOrder(t *testing.T) {
	c := keeper.NewSigCache(64)
	e := newEnvWith(t, c)
	k, k2 := key("order-old"), key("order-new")
	id := e.create(k)
	_, verified := c.Stats()
	body := txbuild.Rotate(testChain, id, 1, "key-1", pub(k2))
	twice := e.sign(body, txbuild.NewSigner(id, "key-1", k), txbuild.NewSigner(id, "key-1", k))
	_, err := e.check(twice)
	require.ErrorIs(t, err, types.ErrMissingPossession)

	body2 := txbuild.Rotate(testChain, id, 1, "key-1", pub(k2))
	body2.Memo = "other sign bytes than the first tx's"
	swapped := e.sign(body2, txbuild.NewSigner(id, "key-1", k2), txbuild.NewSigner(id, "key-1", k))
	_, verifiedBefore := c.Stats()
	_, err = e.check(swapped)
	require.NoError(t, err)
	_, after := c.Stats()
	require.Equal(t, uint64(3), after-verifiedBefore, "new key's signature first: tried under the old key, then the new; then the old key's")
	out, err := e.exec(swapped)
	require.NoError(t, err)
	require.Equal(t, uint64(2), out.Version)
	require.Equal(t, verified+2+3, after)
}

// TestSigCacheForgery is the keeper-level form of the spilling signature:
// a tx whose memo carries another tx's sign bytes let a node that had
// checked it accept the other tx with a forged signature, while a node
// without the cache entry refused it (an app hash fork).
func TestSigCacheForgery(t *testing.T) {
	for _, cached := range []bool{false, true} {
		t.Run(fmt.Sprint("cache=", cached), func(t *testing.T) {
			var v keeper.Verifier
			if cached {
				v = keeper.NewSigCache(64)
			}
			e := newEnvWith(t, v)
			k := key("forger")
			id := e.create(k)
			signer := txbuild.NewSigner(id, "key-1", k)

			targetBody := txbuild.Deactivate(testChain, id, 1)
			target, err := targetBody.Marshal()
			require.NoError(t, err)
			spill := types.SignBytes(target)
			carrier := txbuild.Deactivate(testChain, id, 1)
			carrier.Memo = "x"
			for {
				b, err := carrier.Marshal()
				require.NoError(t, err)
				msg := types.SignBytes(b)
				if len(msg) >= 256+len(spill) && bytes.Equal(msg[256:], spill) {
					break
				}
				// memo = filler || spill, the filler sized so that the
				// spill starts at byte 256 of the sign bytes.
				pad := 256 - (len(msg) - len(carrier.Memo))
				require.Positive(t, pad, "the carrier does not fit")
				carrier.Memo = strings.Repeat("x", pad) + string(spill)
				require.LessOrEqual(t, len(carrier.Memo), int(types.DefaultParams().MaxMemoBytes))
			}
			carrierTx := e.sign(carrier, signer)
			// A memo of binary bytes is itself refused now (invalid_memo),
			// before any signature is checked; the carrier's signature
			// still goes through the verifier, as another field could
			// carry the bytes.
			_, err = e.check(carrierTx)
			require.ErrorIs(t, err, types.ErrInvalidMemo)
			var env types.Tx
			require.NoError(t, env.Unmarshal(carrierTx))
			msg := types.SignBytes(env.Body)
			var verifier keeper.Verifier = keeper.DirectVerifier{}
			if v != nil {
				verifier = v
			}
			require.True(t, verifier.Verify(signer.Public(), msg, env.Signatures[0].Signature))

			forged := append(bytes.Clone(env.Signatures[0].Signature), msg[:256]...)
			tx, err := types.EncodeTx(target, []types.Signature{{VerificationMethod: signer.URL.String(), Signature: forged}})
			require.NoError(t, err)
			e.refuse(tx, types.ErrBadSignature)
		})
	}
}

// Concurrent callers (CheckTx runs in parallel) each get the answer a lone
// verification gives, forged signatures among good ones included. Run with
// -race.
func TestSigCacheConcurrentCallers(t *testing.T) {
	c := keeper.NewSigCache(0) // nothing cached: every call verifies
	const n = 400
	cases := make([]signed, n)
	want := make([]bool, n)
	for i := range cases {
		cases[i] = signedBy(fmt.Sprint("k", i%7), fmt.Sprint("msg ", i))
		switch i % 5 {
		case 1: // another message
			cases[i].msg = []byte(fmt.Sprint("forged ", i))
		case 3: // a flipped bit in the signature
			sig := bytes.Clone(cases[i].sig)
			sig[10] ^= 1
			cases[i].sig = sig
		}
		want[i] = cases[i].pk.Verify(cases[i].msg, cases[i].sig)
	}
	require.Contains(t, want, false)
	require.Contains(t, want, true)
	got := make([]bool, n)
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += 16 {
				got[i] = cases[i].verify(c)
			}
		}(w)
	}
	wg.Wait()
	require.Equal(t, want, got)
}
