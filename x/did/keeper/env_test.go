package keeper_test

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app/accel"
	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/store"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

const testChain = "custos-test"

// env is a keeper over a real in-memory badger store; every exec runs in its
// own block, committed.
type env struct {
	t  testing.TB
	db *store.DB
	k  *keeper.Keeper
	// facts is what k asks its pure questions, audited.
	facts  *auditing
	height int64
	// ns prefixes the names of the keys e.key derives; see in.
	ns string
	// skew moves block time forward (see advance).
	skew int64
	// timed collects what BeginBlock did in the blocks exec ran.
	timed []keeper.Outcome
	// journal, when not nil, records every check and exec and what it
	// answered (differential_test.go).
	journal *[]call
	// unaudited skips the checks that the answers the keeper was handed
	// stay intact (auditing): a test that makes the facts wrong on
	// purpose compares results instead.
	unaudited bool
}

func newEnv(t testing.TB) *env {
	db, err := store.Open("", store.Options{InMemory: true, OutOfTree: types.IsLogKey})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, db: db}
	e.use(accel.NewFacts(keeperMemories))
	// Runs before the store closes (cleanups run last first).
	t.Cleanup(func() {
		if !e.unaudited {
			require.NoError(t, e.facts.checkVersions(db))
		}
	})
	return e
}

// exec runs tx in a new block at time 1_700_000_000 + height and commits.
func (e *env) exec(tx []byte) (keeper.Outcome, error) {
	blk := e.nextBlock()
	e.height++
	timed, terr := e.k.BeginBlock(e.db.Pending(), blk)
	require.NoError(e.t, terr)
	e.timed = append(e.timed, timed...)
	out, err := e.k.Execute(e.db.Pending(), blk, tx)
	if err != nil && types.Registered(err) == nil {
		if e.unaudited { // wrong on purpose: the journal shows the fault
			e.note(false, tx, out, err, timed)
			return out, err
		}
		e.t.Fatalf("node fault: %v", err)
	}
	// Execution shares the tx's parsing with later checks and executions
	// of the same bytes: it must leave it as it found it.
	e.audit(tx)
	if !e.unaudited && e.height%16 == 0 { // the check reads every record handed out
		require.NoError(e.t, e.facts.checkVersions(e.db.Pending()))
	}
	_, cerr := e.db.Commit(e.height)
	require.NoError(e.t, cerr)
	e.note(false, tx, out, err, timed)
	return out, err
}

// audit checks that the parsing of tx the keeper was handed is intact.
func (e *env) audit(tx []byte) {
	if !e.unaudited {
		require.NoError(e.t, e.facts.checkParsed(tx))
	}
}

// key returns the key named name in the keeper tests' domain.
func key(name string) ed25519.PrivateKey { return didtest.KeyIn("test key", name) }

func pub(k ed25519.PrivateKey) types.PublicKey { return didtest.Pub(k) }

func (e *env) sign(body types.TxBody, signers ...txbuild.Signer) []byte {
	tx, err := txbuild.Sign(body, signers...)
	require.NoError(e.t, err)
	return tx
}

// create registers a one-key DID and returns it.
func (e *env) create(k ed25519.PrivateKey) types.ID {
	id, tx := didtest.OneKey(testChain, k, "")
	_, err := e.exec(tx)
	require.NoError(e.t, err)
	return id
}

func (e *env) head(id types.ID) *types.Head {
	h, err := keeper.GetHead(e.db, id)
	require.NoError(e.t, err)
	return h
}

// keeperMemories are the memories of package accel that serve the keeper,
// without the signature cache: the facts of newEnv.
var keeperMemories = accel.Config{ParseCache: 8192, VersionCache: 16384, OrderCache: 16384}

// newEnvWith is newEnv with the keeper asking f (nil: keeper.Direct).
func newEnvWith(t testing.TB, f keeper.Facts) *env {
	e := newEnv(t)
	e.use(f)
	return e
}

// use makes e's keeper ask f, audited.
func (e *env) use(f keeper.Facts) { e.useParams(types.DefaultParams(), f) }

// useParams makes e's keeper enforce params and ask f, audited.
func (e *env) useParams(params types.Params, f keeper.Facts) {
	if f == nil {
		f = keeper.Direct{}
	}
	e.facts = newAuditing(f, params)
	e.k = keeper.New(params, e.facts)
}

// nextBlock is the block the next exec runs in.
func (e *env) nextBlock() keeper.Block {
	h := e.height + 1
	return keeper.Block{ChainID: testChain, Height: h, Time: 1_700_000_000 + h + e.skew}
}

// advance commits an empty block seconds (at least 1) after the last one,
// running the timed actions that came due; it returns them.
func (e *env) advance(seconds int64) []keeper.Outcome {
	e.t.Helper()
	require.GreaterOrEqual(e.t, seconds, int64(1))
	e.skew += seconds - 1
	blk := e.nextBlock()
	e.height++
	timed, err := e.k.BeginBlock(e.db.Pending(), blk)
	require.NoError(e.t, err)
	_, err = e.db.Commit(e.height)
	require.NoError(e.t, err)
	e.timed = append(e.timed, timed...)
	return timed
}

// now is the time of the last block.
func (e *env) now() int64 { return 1_700_000_000 + e.height + e.skew }

// check runs tx through Keeper.Check against the state the next exec sees.
func (e *env) check(tx []byte) (keeper.Outcome, error) {
	out, err := e.k.Check(e.db.Pending(), e.nextBlock(), tx)
	e.audit(tx)
	e.note(true, tx, out, err, nil)
	return out, err
}

// appHash is the app hash of the last committed block.
func (e *env) appHash() []byte { return e.db.LastCommit().AppHash }

// in points e at the subtest t and gives it its own key namespace, so that
// the cases of a table can share one store (opening an in-memory store
// costs about 150ms) without sharing a DID.
func (e *env) in(t *testing.T) *env {
	e.t = t
	e.ns = t.Name() + "/"
	return e
}

// key is key(name) in e's namespace.
func (e *env) key(name string) ed25519.PrivateKey { return key(e.ns + name) }

// fk is e.key(frag) under frag.
func (e *env) fk(frag string) fk { return fk{frag, e.key(frag)} }

// xpub is xpub(name) in e's namespace.
func (e *env) xpub(name string) types.PublicKey { return xpub(e.ns + name) }

// refuse executes tx, requires the refusal want, and requires that the
// refusal changed nothing: the committed app hash and the target's head are
// what they were before.
func (e *env) refuse(tx []byte, want *types.Error) {
	e.t.Helper()
	var target *types.ID
	if _, body, err := types.DecodeTx(tx, 1<<20); err == nil {
		if id, err := types.ParseID(body.Did); err == nil {
			target = &id
		}
	}
	var before *types.Head
	if target != nil {
		before = e.head(*target)
	}
	hash := e.db.PendingRoot()
	_, err := e.exec(tx)
	require.ErrorIs(e.t, err, want)
	require.Equal(e.t, hash, e.appHash(), "a refused tx changed the app hash")
	if target != nil {
		require.Equal(e.t, before, e.head(*target), "a refused tx changed the head")
	}
}

// tamper decodes a tx envelope, lets f change it, and encodes it again.
func tamper(t testing.TB, tx []byte, f func(*types.Tx)) []byte {
	var env types.Tx
	require.NoError(t, env.Unmarshal(tx))
	f(&env)
	b, err := env.Marshal()
	require.NoError(t, err)
	return b
}

// xpub returns a deterministic X25519 public key for a name.
func xpub(name string) types.PublicKey {
	seed := sha256.Sum256([]byte("custos test x25519 " + name))
	sk, err := ecdh.X25519().NewPrivateKey(seed[:])
	if err != nil {
		panic(err)
	}
	pk, err := types.NewX25519(sk.PublicKey().Bytes())
	if err != nil {
		panic(err)
	}
	return pk
}

// fk names a private key under a fragment.
type fk struct {
	frag string
	k    ed25519.PrivateKey
}

// as returns signers of id for the given fragments and keys, in order.
func as(id types.ID, keys ...fk) []txbuild.Signer {
	out := make([]txbuild.Signer, len(keys))
	for i, f := range keys {
		out[i] = txbuild.NewSigner(id, f.frag, f.k)
	}
	return out
}

// vm is a verification method.
func vm(frag string, pk types.PublicKey) types.VerificationMethod {
	return types.VerificationMethod{Id: frag, PublicKey: pk.Multicodec()}
}

// controlled returns a document whose methods are the Ed25519 keys
// e.key(frag) for every frag of ctl, all in authentication and
// capabilityInvocation, with the given threshold.
func (e *env) controlled(threshold uint32, ctl ...string) types.Document {
	d := types.Document{Threshold: threshold}
	for _, f := range ctl {
		d.VerificationMethods = append(d.VerificationMethods, vm(f, pub(e.key(f))))
	}
	d.Authentication = append([]string(nil), ctl...)
	d.CapabilityInvocation = append([]string(nil), ctl...)
	return d
}

// createDoc registers doc signed by signers (built once the DID is known)
// and returns the DID.
func (e *env) createDoc(doc types.Document, keys ...fk) types.ID {
	e.t.Helper()
	id, body, err := txbuild.Create(testChain, doc, "")
	require.NoError(e.t, err)
	_, err = e.exec(e.sign(body, as(id, keys...)...))
	require.NoError(e.t, err)
	return id
}

// current returns the current version record of id.
func (e *env) current(id types.ID) *types.VersionRecord {
	_, rec, err := keeper.Resolve(e.db, id)
	require.NoError(e.t, err)
	require.NotNil(e.t, rec)
	return rec
}

// keyRecord returns the record of id's fragment.
func (e *env) keyRecord(id types.ID, frag string) *types.KeyRecord {
	kr, err := keeper.GetKeyRecord(e.db, id, frag)
	require.NoError(e.t, err)
	require.NotNil(e.t, kr, "no key record for %s", frag)
	return kr
}
