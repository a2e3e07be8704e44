// Package bounded provides a map of bounded size that forgets its oldest
// entries first.
package bounded

import "sync"

// Map is a map of at most its capacity entries that forgets the oldest
// entry first. Safe for concurrent use. Capacity 0 holds nothing.
type Map[K comparable, V any] struct {
	mu   sync.Mutex
	m    map[K]V
	ring []K
	used int // ring[:used] hold keys (the ring fills once, then wraps)
	next int
}

// New returns a Map of at most capacity entries. The map grows as it
// fills: a cache sized for a busy node costs little on an idle one.
func New[K comparable, V any](capacity int) *Map[K, V] {
	return &Map[K, V]{m: make(map[K]V), ring: make([]K, capacity)}
}

// Get returns the value held under k.
func (b *Map[K, V]) Get(k K) (V, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.m[k]
	return v, ok
}

// Add stores v under k unless k is held already, forgetting the oldest
// entry when full. It reports whether it stored v.
func (b *Map[K, V]) Add(k K, v V) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.ring) == 0 {
		return false
	}
	if _, dup := b.m[k]; dup {
		return false
	}
	if b.used == len(b.ring) {
		delete(b.m, b.ring[b.next])
	} else {
		b.used++
	}
	b.ring[b.next] = k
	b.m[k] = v
	b.next = (b.next + 1) % len(b.ring)
	return true
}

// Cap returns the most entries b holds.
func (b *Map[K, V]) Cap() int { return len(b.ring) }

// Keys returns the keys b holds, oldest first.
func (b *Map[K, V]) Keys() []K {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used < len(b.ring) {
		return append([]K(nil), b.ring[:b.used]...)
	}
	return append(append([]K(nil), b.ring[b.next:]...), b.ring[:b.next]...)
}
