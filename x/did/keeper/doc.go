// Package keeper is the Custos DID state machine: it executes one
// transaction against a key-value Store and a Block (chain id, height, block
// time), and answers reads of DID state.
//
// Invariants:
//   - Execute is a pure function of (store contents, block, tx bytes): no
//     clock, no randomness, no map iteration into state, no goroutines.
//   - A refused transaction writes nothing: every check runs before the
//     first write, and writes are applied in one deterministic order.
//   - A refusal is a registered *types.Error (see types.Registered); any
//     other error is a node fault and the node must stop.
//   - Authorization is decided against the state at execution. Facts only
//     answers pure questions (does this key sign these bytes, how do these
//     bytes parse, what does this immutable version record hold), so a
//     memory in front of it cannot change a result.
//   - The keeper holds rules only: it keeps no cache, starts no goroutine
//     and asserts no concrete type. The accelerations (package app/accel)
//     wrap it at the ABCI edge, through Facts and the pure pieces it
//     exports for them: ParseTx, SigningCandidates and DependsOnlyOnHead,
//     each next to the rules it describes.
package keeper
