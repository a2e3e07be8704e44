package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/custos-ledger/custos/proof"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/pokt-network/smt"

	"github.com/custos-ledger/custos/internal/bounded"
)

// Options configures a DB.
type Options struct {
	// KeepRecent is how many recent heights stay readable and provable
	// through the tree (0: every height).
	KeepRecent int64
	// ReloadEvery drops the tree's in-memory nodes every this many commits,
	// bounding memory (0: never).
	ReloadEvery int64
	// InMemory runs badger without files, for tests and benchmarks.
	InMemory bool
	// OutOfTree names the keys kept in the flat state only, not in the
	// tree (nil: none). The app commits to them some other way; Custos
	// keeps a DID's versions and history entries out, committed through
	// its head (types.IsLogKey). They must be immutable: GetAt reads them
	// from the latest state at any height, and Prove refuses them.
	OutOfTree func(key []byte) bool
}

// DefaultOptions returns the options a node runs with. The tree keeps every
// node it has touched until it is reloaded, so ReloadEvery bounds both the
// memory and the live heap the collector marks: with 32, a node under load
// held 31.5 MB of tree nodes after 40 s, against 74 MB with 256, which keeps
// growing until its reload. The price is that the blocks after
// a reload read from badger again the nodes they walk.
func DefaultOptions() Options { return Options{KeepRecent: 0, ReloadEvery: 32} }

// DB is the state database of one node.
type DB struct {
	bdb   *badger.DB
	opts  Options
	nodes *nodeStore
	tree  *smt.SMT

	mu   sync.RWMutex // guards last
	last Commit

	viewMu sync.Mutex // guards view
	view   *view      // the read view Snapshot shares, nil until asked for

	pending map[string][]byte
	order   [][]byte
	commits int64
	// nodeVersion is the badger version of the tree nodes written since
	// the last commit (0: none yet); see PersistTree.
	nodeVersion uint64
}

// Commit identifies a committed state.
type Commit struct {
	Height  int64
	AppHash []byte
}

// Layout is the version of the state layout (tree paths and node
// encoding) this store writes. A store written by another layout is
// refused on open: its tree would not match the one this binary builds.
// Layout 1 (no record) grouped a DID's keys under a 64-bit prefix; layout 2
// under a 24-bit one; layout 3 is layout 2's paths, with Custos keeping
// versions and history entries out of the tree (Options.OutOfTree).
const Layout = 3

// ErrLayout is returned by Open for a state written by another layout.
var ErrLayout = errors.New("store: state written by another layout")

// MemTableSize is the size of badger's memtables on disk. It fixes how
// much one commit may write: badger refuses a transaction of 15% of a
// memtable or more (CommitCapacity).
const MemTableSize = 128 << 20

// ErrCommitTooLarge is returned by Commit for a block whose entries do not
// fit in one badger transaction. Nothing of the block is written: the
// state stays at the last commit.
var ErrCommitTooLarge = errors.New("store: the block's writes do not fit in one badger transaction")

// ErrHeightUnavailable is returned for a height that was never committed or
// has been pruned.
var ErrHeightUnavailable = errors.New("store: height not available")

// Open opens (or creates) the database in dir.
func Open(dir string, opts Options) (*DB, error) {
	if opts.KeepRecent < 0 || opts.ReloadEvery < 0 {
		return nil, errors.New("store: options must not be negative")
	}
	bo := badger.DefaultOptions(dir).
		WithLogger(nil).
		// No fsync per commit: badger recovers to a prefix of its commits,
		// and CometBFT replays, from its own block store, every block the
		// app reports not having (docs/state.md, "Commit and crash safety").
		WithSyncWrites(false).
		WithNumVersionsToKeep(1).
		// A commit is one badger transaction, which may hold at most 15% of
		// a memtable: 20,132,659 bytes and 209,715 entries here
		// (CommitCapacity). The app bounds what a block may write well
		// below that (keeper.MaxBlockWriteBytes). Measured (bench/results/history.md):
		// 32 MiB costs more CPU per tx (more flushes and compaction),
		// 256 MiB no less.
		WithMemTableSize(MemTableSize).
		// Tree nodes are hashes: compressing them costs CPU for nothing.
		WithCompression(options.None).
		// One writer (the consensus connection): no conflicts to detect.
		WithDetectConflicts(false).
		WithCompactL0OnClose(true).
		// Checksums (docs/state.md, "Damage on disk"): every table block
		// is checked when read from disk (a block in the cache was checked
		// when it entered it), and every value read from the value log.
		// Whole tables are checked once at open, by verifyTables, not by
		// badger (OnTableRead), which would read them all a second time.
		WithChecksumVerificationMode(options.OnBlockRead).
		WithVerifyValueChecksum(true)
	if opts.InMemory {
		bo = bo.WithDir("").WithValueDir("").WithInMemory(true).WithMemTableSize(16 << 20)
	} else if err := verifyTables(bo); err != nil {
		return nil, err
	}
	bdb, err := openBadger(bo)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	db := &DB{bdb: bdb, opts: opts, pending: make(map[string][]byte)}
	db.nodes = &nodeStore{db: bdb, track: opts.KeepRecent > 0, written: make(map[[32]byte]struct{})}
	if !db.nodes.track {
		db.nodes.cache = bounded.New[[32]byte, []byte](nodeCacheSize)
	}
	if err := db.loadLast(); err != nil {
		bdb.Close()
		return nil, err
	}
	db.tree = db.importTree(db.last.AppHash)
	return db, nil
}

// openBadger opens badger, turning a panic on the calling goroutine (on
// damaged files) into an error. verifyTables has checked the tables, whose
// damage badger would meet on goroutines of its own.
func openBadger(bo badger.Options) (bdb *badger.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			bdb, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, oneLine(fmt.Sprint(r)))
		}
	}()
	return badger.Open(bo)
}

func (db *DB) loadLast() error {
	return db.bdb.View(func(txn *badger.Txn) error {
		item, err := txn.Get(keyCommit)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		v, err := valueCopy(item)
		if err != nil {
			return err
		}
		c, err := decodeCommit(v)
		if err != nil {
			return err
		}
		layout, err := readLayout(txn)
		if err != nil {
			return err
		}
		if layout != Layout {
			return fmt.Errorf("%w: this state was written by layout %d at height %d, and this binary reads layout %d; "+
				"start it with the binary that wrote it, or re-initialize the home", ErrLayout, layout, c.Height, Layout)
		}
		db.last = c
		return nil
	})
}

// readLayout returns the layout recorded in a state that has commits: 1
// when there is no record (layout 1 wrote none).
func readLayout(txn *badger.Txn) (uint64, error) {
	item, err := txn.Get(keyLayout)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 1, nil
	}
	if err != nil {
		return 0, err
	}
	v, err := valueCopy(item)
	if err != nil {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("store: layout record of %d bytes", len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// importTree opens the tree at root; an empty root means the empty tree.
func (db *DB) importTree(root []byte) *smt.SMT {
	if len(root) == 0 {
		return smt.NewSparseMerkleTrie(db.nodes, sha256.New(), proof.TreeOptions()...)
	}
	return smt.ImportSparseMerkleTrie(db.nodes, sha256.New(), root, proof.TreeOptions()...)
}

// Close closes the database. Pending writes are dropped. Snapshots must be
// closed first.
func (db *DB) Close() error {
	db.retireView()
	return db.bdb.Close()
}

// Flatten compacts badger's levels into one and returns when it is done,
// so that no compaction runs afterwards. For benchmarks that fill a store
// in bulk and then measure reads: without it, the compactions the fill
// left pending take the CPUs for the first seconds of the measurement.
// Nothing may write meanwhile.
func (db *DB) Flatten() error {
	if err := db.bdb.Flatten(2); err != nil {
		return fmt.Errorf("store: flatten: %w", err)
	}
	return nil
}

// LastCommit returns the last committed height and app hash.
func (db *DB) LastCommit() Commit {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return Commit{Height: db.last.Height, AppHash: append([]byte(nil), db.last.AppHash...)}
}

// Get returns the committed value of key, or nil when it has none. It
// reads through the shared view of the latest commit (see Snapshot).
func (db *DB) Get(key []byte) ([]byte, error) {
	s, err := db.Snapshot()
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Get(key)
}

// PendingGet returns the value of key in the state being built (nil when it
// has none): the block's own writes and deletes first, then the committed
// state.
func (db *DB) PendingGet(key []byte) ([]byte, error) {
	if v, ok := db.pending[string(key)]; ok {
		return v, nil
	}
	return db.Get(key)
}

// PendingSet writes key in the state being built. Values must not be empty.
func (db *DB) PendingSet(key, value []byte) error {
	if len(value) == 0 {
		return fmt.Errorf("store: empty value for key %x", key)
	}
	if !db.outOfTree(key) {
		if err := db.tree.Update(key, value); err != nil {
			return fmt.Errorf("store: tree update: %w", err)
		}
	}
	k := string(key)
	if _, seen := db.pending[k]; !seen {
		db.order = append(db.order, []byte(k))
	}
	db.pending[k] = append([]byte(nil), value...)
	return nil
}

// PendingDelete removes key from the state being built. The key must have
// a value there.
func (db *DB) PendingDelete(key []byte) error {
	if db.outOfTree(key) {
		return fmt.Errorf("store: delete of %x, which is kept out of the tree and immutable", key)
	}
	if err := db.tree.Delete(key); err != nil {
		return fmt.Errorf("store: tree delete %x: %w", key, err)
	}
	k := string(key)
	if _, seen := db.pending[k]; !seen {
		db.order = append(db.order, []byte(k))
	}
	db.pending[k] = nil // a tombstone: PendingGet answers nil, Commit deletes
	return nil
}

func (db *DB) outOfTree(key []byte) bool {
	return db.opts.OutOfTree != nil && db.opts.OutOfTree(key)
}

// PendingScan calls fn, in key order, with each key under prefix and its
// value in the state being built (the block's writes and deletes over the
// committed state), until fn returns false. fn must not write.
func (db *DB) PendingScan(prefix []byte, fn func(key, value []byte) bool) error {
	var mine []string
	for _, k := range db.order {
		if bytes.HasPrefix(k, prefix) {
			mine = append(mine, string(k))
		}
	}
	slices.Sort(mine)
	return db.bdb.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = prefixed(prefixFlat, prefix)
		it := txn.NewIterator(opts)
		defer it.Close()
		it.Rewind()
		for {
			var key string
			var value []byte
			committed := it.Valid()
			if committed {
				key = string(it.Item().Key()[len(prefixFlat):])
			}
			switch {
			case len(mine) > 0 && (!committed || mine[0] <= key):
				if committed && mine[0] == key {
					it.Next() // the block's write or delete replaces it
				}
				key, value = mine[0], db.pending[mine[0]]
				mine = mine[1:]
			case committed:
				v, err := valueCopy(it.Item())
				if err != nil {
					return err
				}
				value = v
				it.Next()
			default:
				return nil
			}
			if value == nil {
				continue // deleted in this block
			}
			if !fn([]byte(key), value) {
				return nil
			}
		}
	})
}

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

// PendingRoot returns the app hash of the state being built.
func (db *DB) PendingRoot() []byte { return append([]byte(nil), db.tree.Root()...) }

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

func heightKey(h int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(h)) }

func encodeCommit(c Commit) []byte {
	return append(binary.BigEndian.AppendUint64(nil, uint64(c.Height)), c.AppHash...)
}

func decodeCommit(b []byte) (Commit, error) {
	if len(b) < 8 {
		return Commit{}, fmt.Errorf("store: corrupt commit record (%d bytes)", len(b))
	}
	return Commit{Height: int64(binary.BigEndian.Uint64(b)), AppHash: append([]byte(nil), b[8:]...)}, nil
}

// PendingState is the state being built, as the keeper reads and writes it:
// Get, Set, Delete and Scan are PendingGet, PendingSet, PendingDelete and
// PendingScan.
type PendingState struct{ db *DB }

// Pending returns the state being built.
func (db *DB) Pending() PendingState { return PendingState{db} }

func (p PendingState) Get(key []byte) ([]byte, error) { return p.db.PendingGet(key) }
func (p PendingState) Set(key, value []byte) error    { return p.db.PendingSet(key, value) }
func (p PendingState) Delete(key []byte) error        { return p.db.PendingDelete(key) }
func (p PendingState) Scan(prefix []byte, fn func(key, value []byte) bool) error {
	return p.db.PendingScan(prefix, fn)
}
