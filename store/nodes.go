package store

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"

	"github.com/custos-ledger/custos/internal/bounded"
)

// Badger key prefixes.
var (
	prefixFlat    = []byte("s/") // s/<state key>       latest value
	prefixNode    = []byte("n/") // n/<digest>          tree node
	prefixRoot    = []byte("r/") // r/<height u64 BE>   root of that height
	prefixOrphans = []byte("o/") // o/<height u64 BE>   digests orphaned at that height
	keyCommit     = []byte("m/commit")
	keyLayout     = []byte("m/layout") // the Layout that wrote the state
)

func prefixed(p, k []byte) []byte {
	out := make([]byte, 0, len(p)+len(k))
	return append(append(out, p...), k...)
}

// nodeStore adapts badger to the tree's MapStore. Writes are only allowed
// during a commit and are collected; PersistTree writes them in key order.
// Nodes are content-addressed, so a node written by a commit that never
// completes is harmless garbage. Deletes are not applied. When the store
// prunes (KeepRecent > 0) the deleted digests are kept as orphans and
// pruned KeepRecent heights later; an archive store (KeepRecent 0) keeps
// every node and tracks nothing.
type nodeStore struct {
	db *badger.DB
	// cache holds node encodings by digest, read or written lately (nil:
	// none). A digest names one encoding, so a held node is the node
	// badger holds, and no entry ever goes stale. Only an archive store
	// has one: a pruning store deletes nodes, and a cache could then
	// serve a node of a pruned height.
	cache   *bounded.Map[[32]byte, []byte]
	fetched atomic.Uint64 // nodes read from badger
	writing bool          // inside a commit: Set collects into out
	out     []nodeWrite   // the commit's new nodes
	track   bool          // record orphans: the store prunes
	orphans [][]byte
	written map[[32]byte]struct{}
}

type nodeWrite struct{ key, value []byte }

// digestKey is a tree node key as a map key (digests are SHA-256).
func digestKey(k []byte) (d [32]byte) {
	copy(d[:], k)
	return d
}

var errNoCommit = errors.New("store: tree node written outside a commit")

// Get returns a node's encoding. The tree only reads it: a cached
// encoding is shared.
func (s *nodeStore) Get(key []byte) (_ []byte, err error) {
	defer recoverDamage(&err)
	if s.cache != nil {
		if v, ok := s.cache.Get(digestKey(key)); ok {
			return v, nil
		}
	}
	k := prefixed(prefixNode, key)
	var out []byte
	s.fetched.Add(1)
	err = s.db.View(func(txn *badger.Txn) error {
		var err error
		out, err = getCopy(txn, k)
		return err
	})
	if err == nil && s.cache != nil {
		s.cache.Add(digestKey(key), out)
	}
	return out, err
}

// nodeCacheSize is how many node encodings an archive store keeps in
// memory (about 100 bytes each, the map's share included; a leaf holds
// its value and is larger). After the tree's periodic reload (ReloadEvery),
// an update reads the nodes on its path from here instead of badger.
const nodeCacheSize = 1 << 17

func (s *nodeStore) Set(key, value []byte) error {
	if !s.writing {
		return errNoCommit
	}
	if s.track {
		s.written[digestKey(key)] = struct{}{}
	}
	s.out = append(s.out, nodeWrite{prefixed(prefixNode, key), value})
	return nil
}

func (s *nodeStore) Delete(key []byte) error {
	if s.track {
		s.orphans = append(s.orphans, append([]byte(nil), key...))
	}
	return nil
}

func (s *nodeStore) Len() (int, error) { return 0, errors.New("store: node count is not kept") }

func (s *nodeStore) ClearAll() error {
	return errors.New("store: clearing tree nodes is not supported")
}

// takeOrphans returns the digests orphaned by this commit that were not
// written again by it, and resets the lists.
func (s *nodeStore) takeOrphans() [][]byte {
	var out [][]byte
	for _, o := range s.orphans {
		if _, again := s.written[digestKey(o)]; !again {
			out = append(out, o)
		}
	}
	s.orphans = nil
	s.written = make(map[[32]byte]struct{}, len(s.written))
	return out
}

// getCopy reads a value that stays valid after the transaction ends; a
// missing key is an error that names the key.
func getCopy(txn *badger.Txn, key []byte) ([]byte, error) {
	item, err := txn.Get(key)
	if err != nil {
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil, fmt.Errorf("store: missing tree node %x: %w", key, err)
		}
		return nil, err
	}
	return valueCopy(item)
}
