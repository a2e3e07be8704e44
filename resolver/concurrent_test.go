package resolver_test

import (
	"crypto/ed25519"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/resolver"
	"github.com/custos-ledger/custos/x/did/txbuild"
)

// TestReadsDuringCommits resolves a DID from several clients while blocks
// rotate its key: every answer must be the version that was current at
// the height it names (X-Custos-Height), never a mix of two heights.
func TestReadsDuringCommits(t *testing.T) {
	s := newScenario(t)
	ts := startServer(t, resolver.NewLocalSource(s.l.db, nil), func(c *resolver.Config) { c.CacheEntries = 4 })
	// versionAt[h] is alice's version committed at height h.
	var mu sync.Mutex
	versionAt := map[int64]uint64{}
	for h := int64(1); h <= s.l.height; h++ {
		versionAt[h] = 1
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var answers atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				res := ts.get(resolver.PathIdentifiers + s.alice.String())
				if res.status != 200 {
					t.Errorf("status %d: %s", res.status, res.body)
					return
				}
				h, err := strconv.ParseInt(res.header.Get(resolver.HeaderHeight), 10, 64)
				if err != nil {
					t.Error(err)
					return
				}
				v := path(res.json(t), "didDocumentMetadata", "versionId")
				mu.Lock()
				want, known := versionAt[h]
				mu.Unlock()
				if known && v != strconv.FormatUint(want, 10) {
					t.Errorf("height %d: version %v, want %d", h, v, want)
					return
				}
				answers.Add(1)
			}
		}()
	}
	cur := s.aliceKey
	for v := uint64(1); v <= 20; v++ {
		next := key("alice/rotation/" + strconv.FormatUint(v, 10))
		s.l.block(1, sign(t, txbuild.Rotate(testChain, s.alice, v, "key-1", pub(next)),
			txbuild.NewSigner(s.alice, "key-1", cur), txbuild.NewSigner(s.alice, "key-1", next)))
		mu.Lock()
		versionAt[s.l.height] = v + 1
		mu.Unlock()
		cur = ed25519.PrivateKey(next)
	}
	stop.Store(true)
	wg.Wait()
	require.Positive(t, answers.Load())
}
