// Package accel holds every acceleration of a Custos node: the memories of
// pure facts the keeper asks for (a tx's parsing, decoded version records,
// prime-order checks, verified signatures), the batch verification of
// signatures ahead of execution (prewarming), the recheck shortcut, the ABCI
// client that batches first-time checks, and the switches of the store's
// read caches.
//
// The contract: an acceleration may change the cost of a result, never the
// result. Each one rests on a property the rules state next to themselves,
// in package keeper:
//   - the memories answer keeper.Facts, whose answers are pure
//     (keeper.Facts says why each one is);
//   - prewarming verifies keeper.SigningCandidates, guesses that decide
//     nothing: only the crypto fact (this key signed these bytes) is
//     remembered, and authorization is decided at execution, against the
//     state then;
//   - the recheck shortcut skips the full recheck of a tx only when
//     keeper.DependsOnlyOnHead says its acceptance is decided by its target's
//     head, and that head has not changed since the tx was accepted.
//
// Every acceleration can be turned off alone (Config). The differential
// test runs the golden blocks, with checks and rechecks as a node runs
// them, and the keeper's model test, with every acceleration on, with each
// one off and with all off, and requires the same app hashes, tx results
// and events; it also shows that a deliberately wrong acceleration fails
// it.
//
// Invariants:
//   - Nothing here runs on the FinalizeBlock path except through the keeper
//     (Facts) or before execution (prewarming), and nothing here writes
//     state.
//   - Every memory is bounded and forgets its oldest entry first; each is
//     safe for concurrent use (CheckTx runs beside FinalizeBlock).
//   - The keeper starts no goroutine and asserts no concrete type: the
//     goroutines of prewarming start here.
package accel
