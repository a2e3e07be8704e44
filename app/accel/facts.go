package accel

import (
	"crypto/sha256"
	"encoding/binary"
	"sync/atomic"

	"github.com/custos-ledger/custos/internal/bounded"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// Facts is a keeper.Facts that remembers answers: a tx's parsing by the
// hash of its bytes (and the limits it was parsed under), decoded version
// records by (DID, version), prime-order checks by key, and verified
// signatures (SigCache). Each memory is bounded and may be off (capacity
// 0); a forgotten or never-kept answer is computed as keeper.Direct
// computes it. Safe for concurrent use. One Facts serves one chain's state:
// a version record is remembered by its name alone.
type Facts struct {
	sigs     *SigCache
	parsed   *bounded.Map[parseRef, *keeper.ParsedTx]
	versions *bounded.Map[versionRef, *types.VersionRecord]
	orders   *bounded.Map[types.PublicKey, error]
}

var _ keeper.Facts = (*Facts)(nil)

// parseRef names a parsing: the tx's hash and the limits ParseTx reads.
type parseRef struct {
	hash          [32]byte
	maxTxBytes    uint32
	maxSignatures uint32
}

// versionRef names one version of a DID.
type versionRef struct {
	id types.ID
	n  uint64
}

// NewFacts returns the memories cfg asks for.
func NewFacts(cfg Config) *Facts {
	return &Facts{
		sigs:     NewSigCache(cfg.SigCache),
		parsed:   bounded.New[parseRef, *keeper.ParsedTx](cfg.ParseCache),
		versions: bounded.New[versionRef, *types.VersionRecord](cfg.VersionCache),
		orders:   bounded.New[types.PublicKey, error](cfg.OrderCache),
	}
}

// Sigs returns the signature memory.
func (f *Facts) Sigs() *SigCache { return f.sigs }

// ParseTx returns keeper.ParseTx(raw, params), remembered by the hash of
// raw. Only txs that decode are remembered.
func (f *Facts) ParseTx(raw []byte, params types.Params) (*keeper.ParsedTx, error) {
	if f.parsed.Cap() == 0 {
		return keeper.ParseTx(raw, params)
	}
	ref := parseRef{sha256.Sum256(raw), params.MaxTxBytes, params.MaxSignatures}
	if p, ok := f.parsed.Get(ref); ok {
		return p, nil
	}
	p, err := keeper.ParseTx(raw, params)
	if err != nil {
		return nil, err
	}
	f.parsed.Add(ref, p)
	return p, nil
}

// Version returns keeper.GetVersion(r, id, n), remembered once found: a
// version record never changes once written (keeper.Facts). The record is
// shared: callers must not modify it.
func (f *Facts) Version(r keeper.Reader, id types.ID, n uint64) (*types.VersionRecord, error) {
	ref := versionRef{id, n}
	if v, ok := f.versions.Get(ref); ok {
		return v, nil
	}
	v, err := keeper.GetVersion(r, id, n)
	if err == nil && v != nil {
		f.versions.Add(ref, v)
	}
	return v, err
}

// CheckPrimeOrder returns pk.CheckPrimeOrder() (about 33 µs), remembered
// by key: a create is checked in CheckTx, ProcessProposal and
// FinalizeBlock.
func (f *Facts) CheckPrimeOrder(pk types.PublicKey) error {
	if err, ok := f.orders.Get(pk); ok {
		return err
	}
	err := pk.CheckPrimeOrder()
	f.orders.Add(pk, err)
	return err
}

// Verify reports whether pk signed msg, through the signature memory.
func (f *Facts) Verify(pk types.PublicKey, msg, sig []byte) bool { return f.sigs.Verify(pk, msg, sig) }

// SigCache remembers what verifying a signature gave, so a tx checked in
// CheckTx is not verified again in FinalizeBlock. It remembers only the
// pure crypto fact (this key did, or did not, sign these bytes), never an
// authorization decision. Failures are remembered too: a signature tried
// under two keys (a rotation names the old and the new key by one
// fragment) fails under one of them every time it is executed. Safe for
// concurrent use; it holds at most its capacity and forgets the oldest
// entry first.
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
	key := sigKey(pk, msg, sig)
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
func (c *SigCache) has(s types.Signed) bool {
	_, ok := c.facts.Get(sigKey(s.Key, s.Msg, s.Sig))
	return ok
}

// Stats returns how many verifications were answered from the cache and how
// many were computed (whatever their outcome).
func (c *SigCache) Stats() (hits, verified uint64) {
	return c.hits.Load(), c.verif.Load()
}

// sigKey names a (key, bytes, signature) triple.
func sigKey(pk types.PublicKey, msg, sig []byte) [32]byte {
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
