package resolver

import (
	"container/list"
	"sync"

	"github.com/custos-ledger/custos/x/did/types"
)

// versionKey names one immutable version of a DID.
type versionKey struct {
	id      types.ID
	version uint64
}

// rendered is a version's document, encoded once for every
// representation, and its document metadata.
type rendered struct {
	deactivated bool
	// metaLatest is the metadata while the version is the latest,
	// metaOlder once a later one exists (with nextVersionId).
	metaLatest, metaOlder []byte
	// ld is the JSON-LD document (with @context); plain is the same
	// document without @context (application/did+json).
	ld, plain []byte
	// nodes are the document's verification methods and services by DID
	// URL, encoded without @context, for dereferencing fragments.
	nodes map[string][]byte
}

// cache is a bounded LRU of rendered versions. A zero-capacity cache
// stores nothing.
type cache struct {
	mu    sync.Mutex
	cap   int
	ll    *list.List
	items map[versionKey]*list.Element
}

type cacheEntry struct {
	key versionKey
	val *rendered
}

func newCache(capacity int) *cache {
	return &cache{cap: capacity, ll: list.New(), items: make(map[versionKey]*list.Element)}
}

func (c *cache) get(k versionKey) (*rendered, bool) {
	if c.cap == 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(e)
	return e.Value.(*cacheEntry).val, true
}

func (c *cache) put(k versionKey, v *rendered) {
	if c.cap == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.ll.MoveToFront(e)
		e.Value.(*cacheEntry).val = v
		return
	}
	c.items[k] = c.ll.PushFront(&cacheEntry{key: k, val: v})
	for c.ll.Len() > c.cap {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
}

func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
