package types

import (
	"bytes"
	"slices"
)

// ControlDigests returns the KeyDigest of each of d's capabilityInvocation
// keys, in list order; a fragment that names no valid key is skipped.
func ControlDigests(d *Document) [][]byte {
	out := make([][]byte, 0, len(d.CapabilityInvocation))
	for _, f := range d.CapabilityInvocation {
		vm, ok := d.Method(f)
		if !ok {
			continue
		}
		if pk, err := ParsePublicKey(vm.PublicKey); err == nil {
			out = append(out, KeyDigest(pk))
		}
	}
	return out
}

// ControlChanged reports whether the capabilityInvocation key materials or
// the threshold differ between two versions of a document: the change a
// pre-rotation commitment governs.
func ControlChanged(cur, next *Document) bool {
	return cur.Threshold != next.Threshold || !SameDigests(ControlDigests(cur), ControlDigests(next))
}

// SameDigests compares two digest lists as sets.
func SameDigests(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	sa := slices.SortedFunc(slices.Values(a), bytes.Compare)
	sb := slices.SortedFunc(slices.Values(b), bytes.Compare)
	return slices.EqualFunc(sa, sb, bytes.Equal)
}

// HasDigest reports whether list holds d.
func HasDigest(list [][]byte, d []byte) bool {
	return slices.ContainsFunc(list, func(x []byte) bool { return bytes.Equal(x, d) })
}

// NextKeysEqual reports whether two commitments (nil: none) are the same.
func NextKeysEqual(a, b *NextKeys) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Threshold == b.Threshold && SameDigests(a.Digests, b.Digests)
}
