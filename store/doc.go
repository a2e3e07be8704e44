// Package store keeps Custos consensus state in badger and commits to it with
// a sparse Merkle tree (github.com/pokt-network/smt) whose root is the app
// hash.
//
// Every state entry is stored twice under the same key: as a flat badger
// entry, for fast reads of the latest state, and as a leaf of the tree that
// holds the raw value, so any retained height can be read and proved from
// the tree alone.
//
// Invariants:
//   - A commit first writes the tree's new nodes (content-addressed, so
//     writing them ahead is harmless), then the block's entries, the root of
//     the height and the last-commit record in one badger transaction: after
//     a crash the flat state is at the last committed height or the one
//     before, never in between, and CometBFT's replay brings it forward.
//     Pruning runs after the commit; a crash there only leaves garbage.
//   - A value never returns to an earlier value (every mutable record
//     carries a version that only grows), but deleting a key returns its
//     ancestors to earlier digests when nothing else under them changed.
//     Pruning (KeepRecent > 0) must therefore not delete a node that such a
//     deletion made live again: a height's orphan list is written at the
//     version its new nodes carry, and pruning skips any listed node with a
//     later version (it was written again since). New nodes are written one
//     version above everything in the store, so a node written again after
//     a prune deleted it wins over the delete. Nodes still run as archives
//     (KeepRecent 0), which record no orphans and delete nothing:
//     app.Config refuses KeepRecent > 0 (docs/state.md). Writing a value
//     equal to the current one re-creates nodes with the digests they had;
//     a commit never records as orphans the digests it writes itself.
//   - The root depends only on the set of (key, value) pairs, not on the order
//     of writes.
package store
