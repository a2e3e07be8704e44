// Package types holds the values of the Custos DID method: the typed DID,
// DID URL and public key (parsed once at the boundary, comparable with ==),
// the canonical protobuf forms of documents, transactions and state records,
// document validation, the sign bytes, DID derivation, the state keys and the
// registered, consensus-visible error codes.
//
// Invariants:
//   - An ID, URL or PublicKey value is valid by construction; the zero value
//     is the only invalid one and is never produced by a parser.
//   - Error codes are append-only: a code is never renumbered or reused.
//   - Nothing here reads the clock, randomness or iterates a map into output.
package types
