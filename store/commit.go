package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
)

// ErrCommitTooLarge is returned by Commit for a block whose entries do not
// fit in one badger transaction. Nothing of the block is written: the
// state stays at the last commit.
var ErrCommitTooLarge = errors.New("store: the block's writes do not fit in one badger transaction")

// PersistTree writes the tree nodes the state being built has created and
// not yet written. Nodes are content-addressed, so writing them before the
// block is committed is harmless: if the commit never comes, they are
// unreferenced garbage. The app calls it at the end of FinalizeBlock, where
// it does not hold up the mempool as Commit does; Commit calls it again,
// which then writes nothing.
func (db *DB) PersistTree() error {
	db.nodes.writing = true
	err := db.tree.Commit()
	db.nodes.writing = false
	out := db.nodes.out
	db.nodes.out = nil
	if err != nil {
		return fmt.Errorf("store: tree commit: %w", err)
	}
	if len(out) == 0 {
		return nil
	}
	// In key order, through a loader rather than transactions: badger then
	// inserts them into its memtable in order, so each skiplist search
	// walks nodes the last one has just brought into the cache (every
	// search starts at the list's head), instead of at random places (a
	// transaction's writes come out of a map). Sorting pays for itself:
	// BlockMix, 3 interleaved runs each, 231-266 cpu-µs/tx sorted against
	// 248-276 unsorted. The version is one above every version in
	// the store, so a node written again after pruning deleted it is seen
	// over the deletion; reads see it once the block's commit, which gets
	// that same version (the loader does not advance badger's commit
	// timestamps), is done. A second call before the commit uses the same
	// version.
	slices.SortFunc(out, func(a, b nodeWrite) int { return bytes.Compare(a.key, b.key) })
	if db.nodeVersion == 0 {
		db.nodeVersion = db.bdb.MaxVersion() + 1
	}
	l := db.bdb.NewKVLoader(16)
	for _, w := range out {
		if err := l.Set(&pb.KV{Key: w.key, Value: w.value, Version: db.nodeVersion}); err != nil {
			return fmt.Errorf("store: tree commit: %w", err)
		}
	}
	if err := l.Finish(); err != nil {
		return fmt.Errorf("store: tree commit: %w", err)
	}
	if c := db.nodes.cache; c != nil {
		for _, w := range out {
			c.Add(digestKey(w.key[len(prefixNode):]), w.value)
		}
	}
	return nil
}

// Commit writes the state being built as height, atomically, and returns
// its app hash.
func (db *DB) Commit(height int64) ([]byte, error) {
	if last := db.LastCommit().Height; height < 1 || (last != 0 && height != last+1) {
		return nil, fmt.Errorf("store: commit of height %d after %d", height, last)
	}
	root := db.PendingRoot()
	// 1. New tree nodes (a no-op if PersistTree already wrote them).
	if err := db.PersistTree(); err != nil {
		return nil, err
	}
	// 2. The block's entries, its root and the last-commit record: atomic.
	// Badger refuses a transaction past its capacity at the write that
	// crosses it; check the whole first, so the refusal names the block's
	// figures (nothing is written either way).
	orphans := db.nodes.takeOrphans()
	size, entries := db.commitSize(len(orphans))
	if maxSize, maxEntries := db.CommitCapacity(); size >= maxSize || entries >= maxEntries {
		return nil, fmt.Errorf("%w: height %d writes %d bytes in %d entries, one transaction takes less than %d bytes and %d entries",
			ErrCommitTooLarge, height, size, entries, maxSize, maxEntries)
	}
	txn := db.bdb.NewTransaction(true)
	defer txn.Discard()
	for _, k := range db.order {
		var err error
		if v := db.pending[string(k)]; v == nil {
			err = txn.Delete(prefixed(prefixFlat, k))
		} else {
			err = txn.Set(prefixed(prefixFlat, k), v)
		}
		if err != nil {
			return nil, fmt.Errorf("store: commit height %d: %w", height, err)
		}
	}
	if err := db.writeMeta(txn, height, root, orphans); err != nil {
		return nil, fmt.Errorf("store: commit height %d: %w", height, err)
	}
	if err := txn.Commit(); err != nil {
		return nil, fmt.Errorf("store: commit height %d: %w", height, err)
	}
	db.mu.Lock()
	db.last = Commit{Height: height, AppHash: root}
	db.mu.Unlock()
	db.nodeVersion = 0
	db.retireView()
	db.pending = make(map[string][]byte)
	db.order = nil
	db.commits++
	// 3. Pruning, after the commit: a crash here only leaves garbage.
	if k := db.opts.KeepRecent; k > 0 && height-k+1 >= 1 {
		if err := db.prune(height-k+1, height-k); err != nil {
			return nil, fmt.Errorf("store: prune after height %d: %w", height, err)
		}
	}
	if db.opts.ReloadEvery > 0 && db.commits%db.opts.ReloadEvery == 0 {
		db.tree = db.importTree(root)
	}
	return root, nil
}

// writeMeta records the root and orphans of height and the last-commit
// record.
func (db *DB) writeMeta(txn *badger.Txn, height int64, root []byte, orphans [][]byte) error {
	h := heightKey(height)
	if err := txn.Set(prefixed(prefixRoot, h), root); err != nil {
		return err
	}
	if len(orphans) > 0 {
		if err := txn.Set(prefixed(prefixOrphans, h), bytes.Join(orphans, nil)); err != nil {
			return err
		}
	}
	if db.LastCommit().Height == 0 { // the first commit records the layout
		if err := txn.Set(keyLayout, binary.BigEndian.AppendUint64(nil, Layout)); err != nil {
			return err
		}
	}
	return txn.Set(keyCommit, encodeCommit(Commit{Height: height, AppHash: root}))
}

// CommitCapacity returns what one commit may write: badger refuses a
// transaction of maxBytes bytes or maxEntries entries or more, as it
// counts them (commitSize). Both follow from the memtable size (15% of
// it, and that divided by the largest skiplist node).
func (db *DB) CommitCapacity() (maxBytes, maxEntries int64) {
	return db.bdb.MaxBatchSize(), db.bdb.MaxBatchCount()
}

// commitSize returns the size and the number of entries of the badger
// transaction that commits the state being built, as badger counts them:
// each entry its key, its value, 2 bytes of metadata and 10 for the
// version. (Badger counts a value of its value threshold, 1 MiB, or more
// as a 12-byte pointer: counting it whole only overstates.)
func (db *DB) commitSize(orphans int) (size, entries int64) {
	add := func(key, value int) {
		size += int64(key+value) + 2 + 10
		entries++
	}
	for _, k := range db.order {
		add(len(prefixFlat)+len(k), len(db.pending[string(k)]))
	}
	add(len(prefixRoot)+8, sha256.Size)
	if orphans > 0 {
		add(len(prefixOrphans)+8, orphans*sha256.Size)
	}
	add(len(keyLayout), 8)
	add(len(keyCommit), 8+sha256.Size)
	return size, entries
}

// PendingCommitSize returns the size, as badger counts it, and the number of
// entries of the transaction that would commit the state being built now,
// orphan lists aside (nodes keep them only when pruning).
func (db *DB) PendingCommitSize() (size, entries int64) { return db.commitSize(0) }

// prune deletes the nodes orphaned at height orphanHeight (they belonged only
// to roots below it), except those written again since, which are live
// again, and forgets the root of rootHeight.
func (db *DB) prune(orphanHeight, rootHeight int64) error {
	ok := prefixed(prefixOrphans, heightKey(orphanHeight))
	var listed bool
	var dead [][]byte
	err := db.bdb.View(func(txn *badger.Txn) error {
		item, err := txn.Get(ok)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		listed = true
		// The list was written by the commit of orphanHeight, at the version
		// that commit's nodes carry. A listed node with a later version was
		// written again after it was orphaned: a deletion returned part of the
		// tree to digests it had before, and the node is live again.
		orphanedAt := item.Version()
		list, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		for i := 0; i+sha256.Size <= len(list); i += sha256.Size {
			k := prefixed(prefixNode, list[i:i+sha256.Size])
			node, err := txn.Get(k)
			if errors.Is(err, badger.ErrKeyNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if node.Version() > orphanedAt {
				continue
			}
			dead = append(dead, k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	batch := db.bdb.NewWriteBatch()
	defer batch.Cancel()
	for _, k := range dead {
		if err := batch.Delete(k); err != nil {
			return err
		}
	}
	if listed {
		if err := batch.Delete(ok); err != nil {
			return err
		}
	}
	if rootHeight >= 1 {
		if err := batch.Delete(prefixed(prefixRoot, heightKey(rootHeight))); err != nil {
			return err
		}
	}
	return batch.Flush()
}
