package store

import "crypto/sha256"

// Tree paths. A state key of the form <prefix byte> '/' <16-byte group>
// <rest> (every per-DID key: the group is the DID's id) has the path
//
//	SHA-256(group)[:8] || SHA-256(key)[:24]
//
// and every other key has the path SHA-256(key). All of a DID's entries
// thus sit in one subtree, so an operation that writes a DID's head, a
// version, an event and a key record rewrites one path down to that
// subtree and a few nodes inside it, instead of four independent paths
// from the root. Distinct keys of one DID collide only by a 192-bit
// truncated SHA-256 collision; keys of different DIDs need a 64-bit
// prefix collision as well.
const (
	groupLen    = 16
	groupPrefix = 8
)

// groupOf returns the group of key, or nil when it has none.
func groupOf(key []byte) []byte {
	if len(key) < 2+groupLen || key[1] != '/' {
		return nil
	}
	return key[2 : 2+groupLen]
}

// groupedPaths is the tree's PathHasher.
type groupedPaths struct{}

func (groupedPaths) PathSize() int { return sha256.Size }

func (groupedPaths) Path(key []byte) []byte {
	h := sha256.Sum256(key)
	g := groupOf(key)
	if g == nil {
		return h[:]
	}
	gh := sha256.Sum256(g)
	out := make([]byte, 0, sha256.Size)
	out = append(out, gh[:groupPrefix]...)
	return append(out, h[:sha256.Size-groupPrefix]...)
}
