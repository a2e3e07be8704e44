// Package prover builds the proofs that package proof verifies: it reads a
// state key at a height from the store and returns its value with the
// ProofOps that bind it to that height's app hash. It runs on the node;
// clients need only package proof.
package prover
