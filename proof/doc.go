// Package proof turns state proofs into CometBFT ProofOps and back, so that
// an ABCI query answer can be checked against the app hash a light client
// verified: a "custos:smt:v1" operator (a sparse Merkle tree leaf), a
// "custos:log:v1" operator (a version or history entry, against its DID's
// head, which a tree op then proves), both registered with a
// merkle.ProofRuntime, and the key path of a state key. It also defines the
// commitment itself: the tree's options and the path of each state key,
// which the store builds the tree with. Package proof/prover builds the
// proofs on a node; this package only checks them, and links neither the
// store nor badger.
//
// Invariant: an operator accepts a value (or its absence) only if the proof
// verifies against what it carries (a root, a head); the runtime chains the
// operators and requires the last root to equal the trusted app hash.
// Nothing here trusts the node.
package proof
