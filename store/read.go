package store

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/custos-ledger/custos/proof"

	"github.com/dgraph-io/badger/v4"
	"github.com/pokt-network/smt"
)

// ErrHeightUnavailable is returned for a height that was never committed or
// has been pruned.
var ErrHeightUnavailable = errors.New("store: height not available")

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

// RootAt returns the app hash committed at height.
func (db *DB) RootAt(height int64) (_ []byte, err error) {
	defer recoverDamage(&err)
	var root []byte
	err = db.bdb.View(func(txn *badger.Txn) error {
		item, err := txn.Get(prefixed(prefixRoot, heightKey(height)))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("%w: %d", ErrHeightUnavailable, height)
		}
		if err != nil {
			return err
		}
		root, err = valueCopy(item)
		return err
	})
	return root, err
}

// GetAt returns the value of key at a committed height (nil when absent),
// read from the tree of that height. A key kept out of the tree is read
// from the latest state: the caller knows whether it existed at height.
func (db *DB) GetAt(height int64, key []byte) ([]byte, error) {
	if height == db.LastCommit().Height {
		return db.Get(key)
	}
	if db.outOfTree(key) {
		if _, err := db.RootAt(height); err != nil {
			return nil, err
		}
		return db.Get(key)
	}
	root, err := db.RootAt(height)
	if err != nil {
		return nil, err
	}
	v, err := db.readTree(root).Get(key)
	if err != nil {
		return nil, fmt.Errorf("store: read at height %d: %w", height, err)
	}
	return v, nil
}

// Proof is a value at a height with the tree proof that binds it to the app
// hash of that height. A nil Value means the key is absent and Proof is a
// non-membership proof.
type Proof struct {
	Height  int64
	AppHash []byte
	Key     []byte
	Value   []byte
	Proof   *smt.SparseCompactMerkleProof
}

// Prove returns key's value at height with its proof against the app hash.
func (db *DB) Prove(height int64, key []byte) (Proof, error) {
	if db.outOfTree(key) {
		return Proof{}, fmt.Errorf("store: %x is kept out of the tree: its owner proves it", key)
	}
	root, err := db.RootAt(height)
	if err != nil {
		return Proof{}, err
	}
	tree := db.readTree(root)
	v, err := tree.Get(key)
	if err != nil {
		return Proof{}, fmt.Errorf("store: read at height %d: %w", height, err)
	}
	p, err := tree.Prove(key)
	if err != nil {
		return Proof{}, fmt.Errorf("store: prove at height %d: %w", height, err)
	}
	cp, err := smt.CompactProof(p, proof.Spec())
	if err != nil {
		return Proof{}, fmt.Errorf("store: compact proof: %w", err)
	}
	return Proof{Height: height, AppHash: root, Key: append([]byte(nil), key...), Value: v, Proof: cp}, nil
}

// readTree opens a read-only view of the tree at root; it must not be
// committed.
func (db *DB) readTree(root []byte) *smt.SMT {
	ro := &nodeStore{db: db.bdb, cache: db.nodes.cache}
	return smt.ImportSparseMerkleTrie(ro, sha256.New(), root, proof.TreeOptions()...)
}
