package keeper

import (
	"crypto/sha256"
	"encoding/binary"
	"sync/atomic"

	"github.com/custos-ledger/custos/internal/bounded"
	"github.com/custos-ledger/custos/x/did/types"
)

// SigCache is a Verifier that remembers what verifying a signature gave,
// so a tx checked in CheckTx is not verified again in FinalizeBlock. It
// caches only the pure crypto fact (this key did, or did not, sign these
// bytes), never an authorization decision, so it cannot change a result.
// Failures are remembered too: a signature tried under two keys (a rotation
// names the old and the new key by one fragment) fails under one of them
// every time it is executed. Safe for concurrent use; it holds at most its
// capacity and forgets the oldest entry first.
type SigCache struct {
	facts *bounded.Map[[32]byte, bool]
	hits  atomic.Uint64
	verif atomic.Uint64
}

// NewSigCache returns a cache of at most capacity entries (0 caches nothing).
func NewSigCache(capacity int) *SigCache {
	return &SigCache{facts: bounded.New[[32]byte, bool](capacity)}
}

// Verify reports whether pk signed msg, from the cache when it can.
func (c *SigCache) Verify(pk types.PublicKey, msg, sig []byte) bool {
	key := cacheKey(pk, msg, sig)
	if ok, known := c.facts.Get(key); known {
		c.hits.Add(1)
		return ok
	}
	ok := pk.Verify(msg, sig)
	c.add(key, ok)
	return ok
}

// add records a computed fact, forgetting the oldest when full.
func (c *SigCache) add(key [32]byte, ok bool) {
	c.verif.Add(1)
	c.facts.Add(key, ok)
}

// has reports whether the cache already holds the fact.
func (c *SigCache) has(pk types.PublicKey, msg, sig []byte) bool {
	_, ok := c.facts.Get(cacheKey(pk, msg, sig))
	return ok
}

// Stats returns how many verifications were answered from the cache and how
// many were computed (whatever their outcome).
func (c *SigCache) Stats() (hits, verified uint64) {
	return c.hits.Load(), c.verif.Load()
}

func cacheKey(pk types.PublicKey, msg, sig []byte) [32]byte {
	h := sha256.New()
	mc := pk.Multicodec()
	// Fixed-width lengths keep the encoding injective. With one-byte
	// lengths, the 320-byte "signature" sig||msg[:256] over msg[256:] had
	// the key of the cached (sig, msg), and the cache vouched for it.
	var lens [8]byte
	binary.BigEndian.PutUint32(lens[:4], uint32(len(mc)))
	binary.BigEndian.PutUint32(lens[4:], uint32(len(sig)))
	h.Write(lens[:])
	h.Write(mc)
	h.Write(sig)
	h.Write(msg)
	var k [32]byte
	h.Sum(k[:0])
	return k
}
