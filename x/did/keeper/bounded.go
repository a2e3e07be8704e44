package keeper

import "sync"

// bounded is a map of at most its capacity entries that forgets the oldest
// entry first. Safe for concurrent use. Capacity 0 holds nothing.
type bounded[K comparable, V any] struct {
	mu   sync.Mutex
	m    map[K]V
	ring []K
	used int // ring[:used] hold keys (the ring fills once, then wraps)
	next int
}

func newBounded[K comparable, V any](capacity int) *bounded[K, V] {
	return &bounded[K, V]{m: make(map[K]V, capacity), ring: make([]K, capacity)}
}

func (b *bounded[K, V]) get(k K) (V, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.m[k]
	return v, ok
}

// add stores v under k unless k is held already, forgetting the oldest
// entry when full. It reports whether it stored v.
func (b *bounded[K, V]) add(k K, v V) bool {
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
