package proof

import (
	"crypto/sha256"

	"github.com/pokt-network/smt"
)

// Tree paths. A state key of the form <prefix byte> '/' <16-byte group>
// <rest> (every per-DID key: the group is the DID's id) has the path
//
//	SHA-256(group)[:3] || SHA-256(key)[:29]
//
// and every other key has the path SHA-256(key). All of a DID's entries in
// the tree (its head, its guardian and recovery state, its compromise
// marks) thus sit in one subtree, so an operation that writes several of
// them rewrites one path down to that subtree and a few nodes inside it,
// instead of independent paths from the root. (Versions and history
// entries are kept out of the tree: Options.OutOfTree.)
//
// The group prefix is 24 bits, not more: below the depth where a DID's
// subtree parts from its neighbours' (about log2 of the number of DIDs),
// every bit of the prefix is one level of a single-child chain, which the
// tree stores as one extension node but hashes level by level (a chain's
// digest is that of the inner nodes it stands for). A 64-bit prefix cost
// about 49 hashes per operation at 20,000 DIDs; 24 bits cost about 10, and
// about 4 at a million DIDs. Past 2^24 DIDs, groups start to share a
// prefix: their keys then share a subtree, which costs a few levels and
// nothing else. Two distinct keys collide only through a 232-bit truncated
// SHA-256 collision of the keys themselves.
const (
	groupLen    = 16
	groupPrefix = 3
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

// TreeOptions are the options of the sparse Merkle tree whose root is the
// app hash: raw values in the leaves, grouped paths. The store builds the
// tree with them and Spec checks proofs with them.
func TreeOptions() []smt.TrieSpecOption {
	return []smt.TrieSpecOption{smt.WithValueHasher(nil), smt.WithPathHasher(groupedPaths{})}
}

// Spec returns the tree specification proofs are checked with.
func Spec() *smt.TrieSpec {
	s := smt.NewTrieSpec(sha256.New(), false, TreeOptions()...)
	return &s
}

// VerifyTree checks that p binds value (or, for a nil value, absence) under
// key to root.
func VerifyTree(p *smt.SparseCompactMerkleProof, root, key, value []byte) (bool, error) {
	return smt.VerifyCompactProof(p, root, key, value, Spec())
}
