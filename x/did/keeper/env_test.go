package keeper_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/store"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

const testChain = "custos-test"

// env is a keeper over a real in-memory badger store; every exec runs in its
// own block, committed.
type env struct {
	t      testing.TB
	db     *store.DB
	k      *keeper.Keeper
	height int64
}

func newEnv(t testing.TB) *env {
	db, err := store.Open("", store.Options{InMemory: true})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return &env{t: t, db: db, k: keeper.New(types.DefaultParams(), nil)}
}

type pending struct{ db *store.DB }

func (p pending) Get(k []byte) ([]byte, error) { return p.db.PendingGet(k) }
func (p pending) Set(k, v []byte) error       { return p.db.PendingSet(k, v) }

// exec runs tx in a new block at time 1_700_000_000 + height and commits.
func (e *env) exec(tx []byte) (keeper.Outcome, error) {
	e.height++
	blk := keeper.Block{ChainID: testChain, Height: e.height, Time: 1_700_000_000 + e.height}
	out, err := e.k.Execute(pending{e.db}, blk, tx)
	if err != nil && types.Registered(err) == nil {
		e.t.Fatalf("node fault: %v", err)
	}
	_, cerr := e.db.Commit(e.height)
	require.NoError(e.t, cerr)
	return out, err
}

// key returns a deterministic Ed25519 key for a name.
func key(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("custos test key " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func pub(k ed25519.PrivateKey) types.PublicKey {
	pk, err := types.NewEd25519(k.Public().(ed25519.PublicKey))
	if err != nil {
		panic(err)
	}
	return pk
}

func (e *env) sign(body types.TxBody, signers ...txbuild.Signer) []byte {
	tx, err := txbuild.Sign(body, signers...)
	require.NoError(e.t, err)
	return tx
}

// create registers a one-key DID and returns it.
func (e *env) create(k ed25519.PrivateKey) types.ID {
	id, body, err := txbuild.Create(testChain, txbuild.SimpleDocument("key-1", pub(k)), "")
	require.NoError(e.t, err)
	_, err = e.exec(e.sign(body, txbuild.NewSigner(id, "key-1", k)))
	require.NoError(e.t, err)
	return id
}

func (e *env) head(id types.ID) *types.Head {
	h, err := keeper.GetHead(e.db, id)
	require.NoError(e.t, err)
	return h
}
