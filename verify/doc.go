// Package verify resolves Custos DIDs without trusting the node that
// answers: every answer comes with proofs at a height H (sparse Merkle
// proofs, through the DID's head for a version: docs/proofs.md), and
// the app hash they are checked against comes from header H+1 as verified
// by CometBFT's light client (against a primary node and at least one
// witness), starting from a trust point or from the genesis validators.
//
// Invariant: Resolve returns a result only if every value it returns (or
// the absence of the DID) is proved against a light-client-verified app
// hash; any failure is an error that names what did not hold. There is no
// unverified fallback. A latest-state answer (Resolve) is also fresh: its
// height within Config.MaxLag blocks of every other node's latest height,
// its header within Config.MaxAge of the local clock.
package verify
