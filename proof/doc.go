// Package proof turns state proofs of the sparse Merkle tree into
// CometBFT ProofOps and back, so that an ABCI query answer can be checked
// against the app hash a light client verified: a "custos:smt:v1" operator
// registered with a merkle.ProofRuntime, and the key path of a state key.
//
// Invariant: an operator accepts a value (or its absence) only if the proof
// verifies against the root it carries; the runtime then requires that root
// to equal the trusted app hash. Nothing here trusts the node.
package proof
