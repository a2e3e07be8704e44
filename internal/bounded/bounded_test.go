package bounded

import (
	"slices"
	"testing"
)

func TestMapForgetsOldestFirst(t *testing.T) {
	m := New[int, string](3)
	for i := 1; i <= 3; i++ {
		if !m.Add(i, "v") {
			t.Fatalf("Add(%d) refused with room left", i)
		}
	}
	if m.Add(2, "again") {
		t.Fatal("Add stored a key already held")
	}
	if v, _ := m.Get(2); v != "v" {
		t.Fatalf("Get(2) = %q, want the first value", v)
	}
	m.Add(4, "v") // forgets 1
	m.Add(5, "v") // forgets 2
	for k, want := range map[int]bool{1: false, 2: false, 3: true, 4: true, 5: true} {
		if _, ok := m.Get(k); ok != want {
			t.Errorf("Get(%d) held = %v, want %v", k, ok, want)
		}
	}
	if got := m.Keys(); !slices.Equal(got, []int{3, 4, 5}) {
		t.Errorf("Keys() = %v, want [3 4 5]", got)
	}
}

func TestMapOfCapacityZeroHoldsNothing(t *testing.T) {
	m := New[int, int](0)
	if m.Add(1, 1) {
		t.Fatal("a map of capacity 0 stored an entry")
	}
	if _, ok := m.Get(1); ok || m.Cap() != 0 || len(m.Keys()) != 0 {
		t.Fatal("a map of capacity 0 holds an entry")
	}
}
