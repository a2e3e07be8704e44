package resolver_test

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/store"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

const testChain = "custos-resolver-test"

// genesisTime is the block time of height 1 of every test ledger.
const genesisTime = 1_700_000_000

// ledger builds committed state through the keeper over a real in-memory
// store, without consensus: each block executes its txs and commits.
type ledger struct {
	t      testing.TB
	db     *store.DB
	k      *keeper.Keeper
	height int64
	now    int64 // block time of the last block
}

// newLedger opens an in-memory store holding the genesis state at height 1.
func newLedger(t testing.TB) *ledger {
	db, err := store.Open("", store.Options{InMemory: true, OutOfTree: types.IsLogKey})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return initLedger(t, db)
}

// initLedger writes the genesis state (chain id and params) into db as
// height 1.
func initLedger(t testing.TB, db *store.DB) *ledger {
	params := types.DefaultParams()
	raw, err := params.Marshal()
	require.NoError(t, err)
	require.NoError(t, db.PendingSet(types.ChainIDKey(), []byte(testChain)))
	require.NoError(t, db.PendingSet(types.ParamsKey(), raw))
	_, err = db.Commit(1)
	require.NoError(t, err)
	return &ledger{t: t, db: db, k: keeper.New(params, nil), height: 1, now: genesisTime}
}

// block executes txs in one block, dt seconds after the previous one, and
// commits it; every tx must succeed.
func (l *ledger) block(dt int64, txs ...[]byte) {
	l.t.Helper()
	l.height++
	l.now += dt
	blk := keeper.Block{ChainID: testChain, Height: l.height, Time: l.now}
	for i, tx := range txs {
		_, err := l.k.Execute(l.db.Pending(), blk, tx)
		require.NoError(l.t, err, "tx %d of block %d", i, l.height)
	}
	_, err := l.db.Commit(l.height)
	require.NoError(l.t, err)
}

// key returns the key named name in the resolver tests' domain.
func key(name string) ed25519.PrivateKey { return didtest.KeyIn("resolver test", name) }

func pub(k ed25519.PrivateKey) types.PublicKey { return didtest.Pub(k) }

// xkey returns the X25519 key named name in the resolver tests' domain.
func xkey(name string) *ecdh.PrivateKey { return didtest.X25519KeyIn("resolver test", name) }

func xpub(name string) types.PublicKey {
	pk, err := types.NewX25519(xkey(name).PublicKey().Bytes())
	if err != nil {
		panic(err)
	}
	return pk
}

func sign(t testing.TB, body types.TxBody, signers ...txbuild.Signer) []byte {
	tx, err := txbuild.Sign(body, signers...)
	require.NoError(t, err)
	return tx
}

// createTx returns a create of doc signed by the named keys under their
// fragments, and the DID it makes.
func createTx(t testing.TB, doc types.Document, keys map[string]ed25519.PrivateKey) (types.ID, []byte) {
	id, body, err := txbuild.Create(testChain, doc, "")
	require.NoError(t, err)
	var signers []txbuild.Signer
	for _, vm := range doc.VerificationMethods {
		if k, ok := keys[vm.Id]; ok {
			signers = append(signers, txbuild.NewSigner(id, vm.Id, k))
		}
	}
	return id, sign(t, body, signers...)
}

// simpleDID is a one-key DID: key-1 in authentication, assertionMethod and
// capabilityInvocation.
func simpleDID(t testing.TB, name string) (types.ID, []byte, ed25519.PrivateKey) {
	k := key(name)
	id, tx := createTx(t, txbuild.SimpleDocument("key-1", pub(k)), map[string]ed25519.PrivateKey{"key-1": k})
	return id, tx, k
}

// richDocument has two signing keys (sign and ctl), an X25519 key agreement
// key (enc) and two services.
func richDocument(name string) (types.Document, map[string]ed25519.PrivateKey) {
	keys := map[string]ed25519.PrivateKey{"sign": key(name + "/sign"), "ctl": key(name + "/ctl")}
	return types.Document{
		VerificationMethods: []types.VerificationMethod{
			{Id: "sign", PublicKey: pub(keys["sign"]).Multicodec()},
			{Id: "ctl", PublicKey: pub(keys["ctl"]).Multicodec()},
			{Id: "enc", PublicKey: xpub(name + "/enc").Multicodec()},
		},
		Authentication:       []string{"sign"},
		AssertionMethod:      []string{"sign", "ctl"},
		KeyAgreement:         []string{"enc"},
		CapabilityInvocation: []string{"ctl"},
		CapabilityDelegation: []string{"ctl"},
		Services: []types.Service{
			{Id: "hub", Type: "LinkedDomains", Endpoint: "https://example.com/"},
			{Id: "inbox", Type: "DIDCommMessaging", Endpoint: "https://example.com/inbox"},
		},
		Threshold: 1,
	}, keys
}

// scenario is the state most tests resolve against.
type scenario struct {
	l *ledger
	// alice: one key, version 1, created at genesisTime+10.
	alice    types.ID
	aliceKey ed25519.PrivateKey
	// bob: rich document (v1 at +20), key "sign" rotated (v2 at +30), key
	// "sign" revoked as compromised (v3 at +40).
	bob      types.ID
	bobKeys  map[string]ed25519.PrivateKey
	bobSign2 ed25519.PrivateKey
	// carol: one key (v1 at +20), deactivated (v2 at +50).
	carol    types.ID
	carolKey ed25519.PrivateKey
}

// Block times of the scenario.
const (
	tAlice      = genesisTime + 10
	tBobCreate  = genesisTime + 20
	tBobRotate  = genesisTime + 30
	tBobRevoke  = genesisTime + 40
	tCarolEnd   = genesisTime + 50
	tCompromise = genesisTime + 35
)

func newScenario(t testing.TB) *scenario {
	l := newLedger(t)
	s := &scenario{l: l}
	var tx []byte
	s.alice, tx, s.aliceKey = simpleDID(t, "alice")
	l.block(10, tx)

	doc, keys := richDocument("bob")
	s.bob, tx = createTx(t, doc, keys)
	s.bobKeys = keys
	var carolTx []byte
	s.carol, carolTx, s.carolKey = simpleDID(t, "carol")
	l.block(10, tx, carolTx)

	s.bobSign2 = key("bob/sign2")
	l.block(10, sign(t, txbuild.Rotate(testChain, s.bob, 1, "sign", pub(s.bobSign2)),
		txbuild.NewSigner(s.bob, "ctl", keys["ctl"]), txbuild.NewSigner(s.bob, "sign", s.bobSign2)))
	l.block(10, sign(t, txbuild.Revoke(testChain, s.bob, 2, "sign", types.REVOCATION_REASON_COMPROMISED, tCompromise),
		txbuild.NewSigner(s.bob, "ctl", keys["ctl"])))
	l.block(10, sign(t, txbuild.Deactivate(testChain, s.carol, 1), txbuild.NewSigner(s.carol, "key-1", s.carolKey)))
	return s
}
