package accel_test

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app/accel"
	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/types"
)

// signed is one (key, message, signature) triple.
type signed struct {
	pk       types.PublicKey
	msg, sig []byte
}

func signedBy(name string, msg string) signed {
	k := didtest.KeyIn("accel test", name)
	return signed{didtest.Pub(k), []byte(msg), ed25519.Sign(k, []byte(msg))}
}

func (s signed) verify(c *accel.SigCache) bool { return c.Verify(s.pk, s.msg, s.sig) }

func requireStats(t *testing.T, c *accel.SigCache, hits, verified uint64) {
	t.Helper()
	h, v := c.Stats()
	require.Equal(t, hits, h, "hits")
	require.Equal(t, verified, v, "verified")
}

func TestSigCache(t *testing.T) {
	good := signedBy("s", "message")

	t.Run("a hit is counted", func(t *testing.T) {
		c := accel.NewSigCache(8)
		require.True(t, good.verify(c))
		requireStats(t, c, 0, 1)
		require.True(t, good.verify(c))
		require.True(t, good.verify(c))
		requireStats(t, c, 2, 1)
	})

	t.Run("a wrong signature is cached as wrong", func(t *testing.T) {
		c := accel.NewSigCache(8)
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
		c := accel.NewSigCache(8)
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
		c := accel.NewSigCache(8)
		long := signedBy("s", strings.Repeat("0123456789abcdef", 20))
		require.True(t, long.verify(c))
		forged := append(bytes.Clone(long.sig), long.msg[:256]...)
		require.False(t, c.Verify(long.pk, long.msg[256:], forged))
		requireStats(t, c, 0, 2)
	})

	t.Run("capacity bound", func(t *testing.T) {
		const capacity, n = 3, 10
		c := accel.NewSigCache(capacity)
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
		c := accel.NewSigCache(0)
		for range 3 {
			require.True(t, good.verify(c))
		}
		requireStats(t, c, 0, 3)
	})

	t.Run("concurrent use", func(t *testing.T) {
		c := accel.NewSigCache(4)
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

// Concurrent callers (CheckTx runs in parallel) each get the answer a lone
// verification gives, forged signatures among good ones included. Run with
// -race.
func TestSigCacheConcurrentCallers(t *testing.T) {
	c := accel.NewSigCache(0) // nothing cached: every call verifies
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
