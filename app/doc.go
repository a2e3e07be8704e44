// Package app is the only ABCI-aware code of Custos: it adapts CometBFT's
// ABCI 2.0 calls to the DID keeper and the state store.
//
// Invariants:
//   - FinalizeBlock is a pure function of the committed state and the block:
//     block time comes from the request, txs run in block order, events are
//     built from slices, never from maps.
//   - Commit writes the block's state, its app hash and its height in one
//     atomic store commit; Info reports exactly that, so CometBFT replays
//     whatever a crash lost.
//   - A tx refused for a deterministic reason gets its registered code; a
//     store failure stops the node (FinalizeBlock and Commit return it).
//   - CheckTx judges txs against the last committed state; it is not on the
//     block-execution path and may use the wall clock for its provisional
//     block time.
package app
