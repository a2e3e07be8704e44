package store

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"

	"github.com/custos-ledger/custos/proof"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
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
	// NoNodeCache turns off the memory of recently read tree nodes that an
	// archive store keeps (nodeStore.cache).
	NoNodeCache bool
	// NoViewReads turns off the memory of the values read through a read
	// view (Snapshot).
	NoViewReads bool

	// For benchmarks of the checksums' cost (checksum_bench_test.go): noChecksums
	// turns badger's checks and verifyTables off; noBlockCache turns
	// badger's block cache off, so that every read loads (and checks) its
	// block.
	noChecksums  bool
	noBlockCache bool
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

// MemTableSize is the size of badger's memtables on disk. It fixes how
// much one commit may write: badger refuses a transaction of 15% of a
// memtable or more (CommitCapacity).
const MemTableSize = 128 << 20

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
		// Each memtable is an arena of about 166 MiB on the Go heap (the
		// memtable and room for one full transaction), allocated whole, and
		// its log is a file mapped into memory. Badger's default of 5 lets
		// four full memtables wait for their flush; with 2, the one being
		// written and the one being flushed (a flush takes seconds, filling
		// a memtable at least tens of seconds), a node's heap holds at most
		// two (docs/operators.md, "Memory").
		WithNumMemtables(2).
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
	if opts.noChecksums {
		bo = bo.WithChecksumVerificationMode(options.NoVerification).WithVerifyValueChecksum(false)
	}
	if opts.noBlockCache {
		bo = bo.WithBlockCacheSize(0)
	}
	if opts.InMemory {
		bo = bo.WithDir("").WithValueDir("").WithInMemory(true).WithMemTableSize(16 << 20)
	} else if !opts.noChecksums {
		if err := verifyTables(bo); err != nil {
			return nil, err
		}
	}
	bdb, err := openBadger(bo)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	db := &DB{bdb: bdb, opts: opts, pending: make(map[string][]byte)}
	db.nodes = &nodeStore{db: bdb, track: opts.KeepRecent > 0, written: make(map[[32]byte]struct{})}
	if !db.nodes.track && !opts.NoNodeCache {
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
