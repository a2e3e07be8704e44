package app_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
	"github.com/custos-ledger/custos/x/network/pop"
)

const netChain = "custos-network"

// netWorld is an App whose genesis names a 2-of-3 governance DID and 4
// validators of power 10.
type netWorld struct {
	t      *testing.T
	a      *app.App
	height int64
	gov    *didtest.DID
	vals   []ed25519.PrivateKey
}

// consensusKey returns a deterministic validator consensus key.
func consensusKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("custos/test/consensus/" + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func consPub(k ed25519.PrivateKey) []byte { return k.Public().(ed25519.PublicKey) }

// govGenesis returns app_state naming gov's keys, threshold and minimum.
func govGenesis(t *testing.T, gov *didtest.DID, minValidators uint32) []byte {
	g := app.DefaultGenesisState()
	if minValidators > 0 {
		g.Params.MinValidators = minValidators
	}
	if gov != nil {
		g.Governance = &app.GenesisGovernance{Threshold: gov.Doc.Threshold}
		for _, vm := range gov.Doc.VerificationMethods {
			pk, err := types.ParsePublicKey(vm.PublicKey)
			require.NoError(t, err)
			g.Governance.Keys = append(g.Governance.Keys, app.GovernanceKey{ID: vm.Id, PublicKeyMultibase: pk.Multibase()})
		}
	}
	b, err := json.Marshal(g)
	require.NoError(t, err)
	return b
}

func newNetWorld(t *testing.T, withGov bool) *netWorld {
	a, err := app.New(app.DefaultConfig(t.TempDir()))
	require.NoError(t, err)
	t.Cleanup(func() { a.Close() })
	w := &netWorld{t: t, a: a}
	// The governance DID's inception: 3 keys, threshold 2, in
	// authentication and capabilityInvocation (as app_state builds it).
	if withGov {
		w.gov = didtest.MofN(netChain, "governance", 2, 3)
	}
	req := &abci.RequestInitChain{ChainId: netChain, AppStateBytes: govGenesis(t, w.gov, 0), InitialHeight: 1, Time: time.Unix(1_700_000_000, 0)}
	for i := range 4 {
		k := consensusKey(fmt.Sprint("genesis-", i))
		w.vals = append(w.vals, k)
		req.Validators = append(req.Validators, abci.Ed25519ValidatorUpdate(consPub(k), 10))
	}
	_, err = a.InitChain(context.Background(), req)
	require.NoError(t, err)
	w.block() // commit the genesis state
	return w
}

// block finalizes and commits txs as the next height.
func (w *netWorld) block(txs ...[]byte) *abci.ResponseFinalizeBlock {
	w.t.Helper()
	w.height++
	res, err := w.a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: w.height, Time: advBlockTime(w.height), Txs: txs})
	require.NoError(w.t, err)
	_, err = w.a.Commit(context.Background(), &abci.RequestCommit{})
	require.NoError(w.t, err)
	return res
}

func (w *netWorld) check(tx []byte) uint32 {
	res, err := w.a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
	require.NoError(w.t, err)
	return res.Code
}

func (w *netWorld) govVersion() uint64 {
	head, err := keeper.GetHead(w.a.Store(), w.gov.ID)
	require.NoError(w.t, err)
	require.NotNil(w.t, head)
	return head.Version
}

func (w *netWorld) sign(body types.TxBody, fragments ...string) []byte {
	return didtest.Sign(body, w.gov.Signers(fragments...)...)
}

func (w *netWorld) add(k ed25519.PrivateKey, power int64, version uint64) []byte {
	return w.sign(txbuild.AddValidator(netChain, w.gov.ID, version, consPub(k), power, "new", pop.Sign(k)), "k1", "k2")
}

func (w *netWorld) validators() map[string]int64 {
	snap, err := w.a.Store().Snapshot()
	require.NoError(w.t, err)
	defer snap.Close()
	out := map[string]int64{}
	for _, k := range append(append([]ed25519.PrivateKey(nil), w.vals...), consensusKey("new-0"), consensusKey("new-1")) {
		v, err := keeper.GetValidator(snap, consPub(k))
		require.NoError(w.t, err)
		if v != nil {
			out[string(consPub(k))] = v.Power
		}
	}
	return out
}

// TestValidatorOpsRefused sends every kind of refused validator change,
// through CheckTx and in a block: each gets its named code, and the block
// leaves the app hash and the set as they were.
func TestValidatorOpsRefused(t *testing.T) {
	w := newNetWorld(t, true)
	other := didtest.Single(netChain, "not-governance")
	last := w.block(other.Create())
	require.Zero(t, last.TxResults[0].Code)
	v := w.govVersion()
	require.EqualValues(t, 1, v)
	newKey := consensusKey("new-0")
	member := consPub(w.vals[0])
	wrongPop := pop.Sign(consensusKey("someone-else"))
	smallOrder := didtest.SmallOrderEd25519()[1]
	cases := []struct {
		name string
		tx   []byte
		want *types.Error
	}{
		{"one signature of a 2-of-3 governance", w.sign(txbuild.AddValidator(netChain, w.gov.ID, v, consPub(newKey), 5, "n", pop.Sign(newKey)), "k1"), types.ErrThresholdNotMet},
		{"power change of a third in one block", w.add(newKey, 14, v), types.ErrValidatorPowerChange},
		{"set-power moving a third", w.sign(txbuild.SetValidatorPower(netChain, w.gov.ID, v, member, 24), "k1", "k3"), types.ErrValidatorPowerChange},
		{"removal below the minimum of 4", w.sign(txbuild.RemoveValidator(netChain, w.gov.ID, v, member), "k2", "k3"), types.ErrValidatorSetTooSmall},
		{"add of a member", w.add(w.vals[1], 5, v), types.ErrValidatorExists},
		{"add without proof of possession", w.sign(txbuild.AddValidator(netChain, w.gov.ID, v, consPub(newKey), 5, "n", nil), "k1", "k2"), types.ErrValidatorPossession},
		{"add with another key's proof of possession", w.sign(txbuild.AddValidator(netChain, w.gov.ID, v, consPub(newKey), 5, "n", wrongPop), "k1", "k2"), types.ErrValidatorPossession},
		{"add of a 31-byte key", w.sign(txbuild.AddValidator(netChain, w.gov.ID, v, consPub(newKey)[:31], 5, "n", pop.Sign(newKey)), "k1", "k2"), types.ErrInvalidValidatorKey},
		{"add of a small-order key", w.sign(txbuild.AddValidator(netChain, w.gov.ID, v, smallOrder, 5, "n", pop.Sign(newKey)), "k1", "k2"), types.ErrInvalidValidatorKey},
		{"add with power 0", w.add(newKey, 0, v), types.ErrValidatorPower},
		{"add with power past the maximum", w.add(newKey, types.MaxTotalVotingPower+1, v), types.ErrValidatorPower},
		{"set-power of a non-member", w.sign(txbuild.SetValidatorPower(netChain, w.gov.ID, v, consPub(newKey), 5), "k1", "k2"), types.ErrValidatorNotFound},
		{"removal of a non-member", w.sign(txbuild.RemoveValidator(netChain, w.gov.ID, v, consPub(newKey)), "k1", "k2"), types.ErrValidatorNotFound},
		{"a change targeting another DID", didtest.Sign(txbuild.AddValidator(netChain, other.ID, 1, consPub(newKey), 5, "n", pop.Sign(newKey)), other.Signer("k1")), types.ErrNotGovernance},
		{"governance target signed by another DID", didtest.Sign(txbuild.AddValidator(netChain, w.gov.ID, v, consPub(newKey), 5, "n", pop.Sign(newKey)), other.Signer("k1")), types.ErrUnknownSigner},
		{"a stale governance version", w.add(newKey, 5, v+1), types.ErrStaleVersion},
		{"a moniker with a line break", w.sign(txbuild.AddValidator(netChain, w.gov.ID, v, consPub(newKey), 5, "a\nb", pop.Sign(newKey)), "k1", "k2"), types.ErrInvalidOperation},
	}
	before := w.validators()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want.Code, w.check(tc.tx), "CheckTx: want %s", tc.want.Name)
			res := w.block(tc.tx)
			require.Equal(t, tc.want.Code, res.TxResults[0].Code, "FinalizeBlock: want %s, got %s", tc.want.Name, res.TxResults[0].Log)
			require.Equal(t, last.AppHash, res.AppHash, "a refused change changed the state")
			require.Empty(t, res.ValidatorUpdates)
			require.Equal(t, before, w.validators())
			require.Equal(t, v, w.govVersion())
		})
	}
}

// TestValidatorChanges adds, re-weights and removes validators: each change
// reaches CometBFT as a validator update, bumps the governance DID's
// version and lands in its history; a second change in one block is
// refused.
func TestValidatorChanges(t *testing.T) {
	w := newNetWorld(t, true)
	k0, k1 := consensusKey("new-0"), consensusKey("new-1")
	v := w.govVersion()

	res := w.block(w.add(k0, 13, v))
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	require.Equal(t, []abci.ValidatorUpdate{abci.Ed25519ValidatorUpdate(consPub(k0), 13)}, res.ValidatorUpdates)
	require.Equal(t, v+1, w.govVersion())
	require.EqualValues(t, 13, w.validators()[string(consPub(k0))])

	// Two changes built on consecutive versions in one block: the second
	// is refused, whatever it is.
	v = w.govVersion()
	res = w.block(
		w.sign(txbuild.SetValidatorPower(netChain, w.gov.ID, v, consPub(k0), 20), "k1", "k2"),
		w.add(k1, 5, v+1),
	)
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	require.Equal(t, types.ErrValidatorChangeLimit.Code, res.TxResults[1].Code, res.TxResults[1].Log)
	require.Equal(t, []abci.ValidatorUpdate{abci.Ed25519ValidatorUpdate(consPub(k0), 20)}, res.ValidatorUpdates)

	// A removal: 5 validators, the minimum is 4.
	v = w.govVersion()
	res = w.block(w.sign(txbuild.RemoveValidator(netChain, w.gov.ID, v, consPub(w.vals[3])), "k2", "k3"))
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	require.Equal(t, []abci.ValidatorUpdate{abci.Ed25519ValidatorUpdate(consPub(w.vals[3]), 0)}, res.ValidatorUpdates)
	_, gone := w.validators()[string(consPub(w.vals[3]))]
	require.False(t, gone)

	// Now at the minimum again: a second removal is refused.
	v = w.govVersion()
	res = w.block(w.sign(txbuild.RemoveValidator(netChain, w.gov.ID, v, consPub(w.vals[2])), "k2", "k3"))
	require.Equal(t, types.ErrValidatorSetTooSmall.Code, res.TxResults[0].Code, res.TxResults[0].Log)

	// The governance DID's history: created, then the three changes.
	var kinds []types.EventKind
	for seq := uint64(1); seq <= 4; seq++ {
		raw, err := w.a.Store().Get(types.EventKey(w.gov.ID, seq))
		require.NoError(t, err)
		var e types.HistoryEntry
		require.NoError(t, e.Unmarshal(raw))
		kinds = append(kinds, e.Kind)
		if e.Kind == types.EVENT_KIND_VALIDATOR_POWER_SET {
			require.Equal(t, &types.ValidatorChange{PubKey: consPub(k0), Power: 20, OldPower: 13, Moniker: "new"}, e.Validator)
		}
	}
	require.Equal(t, []types.EventKind{types.EVENT_KIND_CREATED, types.EVENT_KIND_VALIDATOR_ADDED, types.EVENT_KIND_VALIDATOR_POWER_SET, types.EVENT_KIND_VALIDATOR_REMOVED}, kinds)

	// The set as /network/validators answers it: 3 genesis validators
	// and new-0, in key order, the sum and the height of the last change.
	q, err := w.a.Query(context.Background(), &abci.RequestQuery{Path: types.QueryPathValidators})
	require.NoError(t, err)
	require.Zero(t, q.Code, q.Log)
	var resp types.QueryValidatorsResponse
	require.NoError(t, resp.Unmarshal(q.Value))
	require.Equal(t, w.gov.ID.String(), resp.Governance)
	require.EqualValues(t, 4, resp.MinValidators)
	require.EqualValues(t, 4, resp.Set.Count)
	require.EqualValues(t, 50, resp.Set.TotalPower)
	require.EqualValues(t, 4, resp.Set.LastChange)
	powers := map[string]int64{}
	for i, v := range resp.Validators {
		require.Equal(t, resp.Set.Members[i], v.PubKey)
		if i > 0 {
			require.Negative(t, bytes.Compare(resp.Validators[i-1].PubKey, v.PubKey))
		}
		powers[string(v.PubKey)] = v.Power
	}
	require.Equal(t, w.validators(), powers)
	require.Equal(t, "new", resp.Validators[slices.IndexFunc(resp.Validators, func(v types.Validator) bool { return bytes.Equal(v.PubKey, consPub(k0)) })].Moniker)
}

// TestRotatedGovernanceKeys rotates the governance DID's keys with an
// ordinary update: afterwards the old keys cannot change the validator
// set and the new ones can.
func TestRotatedGovernanceKeys(t *testing.T) {
	w := newNetWorld(t, true)
	next := didtest.MofN(netChain, "governance-next", 2, 2)
	doc := didtest.CloneDoc(next.Doc)
	v := w.govVersion()
	// The update is signed by 2 current keys and by both new keys
	// (proof of possession); the new keys have the same fragments k1, k2.
	body := txbuild.Update(netChain, w.gov.ID, v, doc)
	signers := append(w.gov.Signers("k1", "k2"), next.Signer("k1"), next.Signer("k2"))
	for i := range signers {
		signers[i].URL.ID = w.gov.ID
	}
	res := w.block(didtest.Sign(body, signers...))
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)

	v = w.govVersion()
	k0 := consensusKey("new-0")
	old := w.add(k0, 5, v)
	require.Equal(t, types.ErrBadSignature.Code, w.check(old), "the old keys still sign for governance")
	res = w.block(old)
	require.Equal(t, types.ErrBadSignature.Code, res.TxResults[0].Code, res.TxResults[0].Log)
	// The old k3 is no key of the DID any more.
	stale := w.sign(txbuild.AddValidator(netChain, w.gov.ID, v, consPub(k0), 5, "n", pop.Sign(k0)), "k3")
	res = w.block(stale)
	require.Equal(t, types.ErrUnknownSigner.Code, res.TxResults[0].Code, res.TxResults[0].Log)

	fresh := txbuild.AddValidator(netChain, w.gov.ID, v, consPub(k0), 5, "n", pop.Sign(k0))
	nsigners := next.Signers("k1", "k2")
	for i := range nsigners {
		nsigners[i].URL.ID = w.gov.ID
	}
	res = w.block(didtest.Sign(fresh, nsigners...))
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	require.Len(t, res.ValidatorUpdates, 1)
}

// TestNoGovernance: a genesis without governance refuses every
// validator change.
func TestNoGovernance(t *testing.T) {
	w := newNetWorld(t, false)
	gov := didtest.MofN(netChain, "governance", 2, 3)
	k0 := consensusKey("new-0")
	tx := didtest.Sign(txbuild.AddValidator(netChain, gov.ID, 1, consPub(k0), 5, "n", pop.Sign(k0)), gov.Signers("k1", "k2")...)
	require.Equal(t, types.ErrNoGovernance.Code, w.check(tx))
	res := w.block(tx)
	require.Equal(t, types.ErrNoGovernance.Code, res.TxResults[0].Code)
}

// TestGovernanceGenesis: the governance DID is created at InitChain from
// app_state, with the DID a create of the same document derives; a bad
// governance section is refused when the genesis is parsed.
func TestGovernanceGenesis(t *testing.T) {
	w := newNetWorld(t, true)
	id, ok, err := keeper.GovernanceDID(w.a.Store())
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, w.gov.ID, id)

	key := didtest.PubOf("g1").Multibase()
	for _, tc := range []struct{ name, gov string }{
		{"threshold above the keys", `{"threshold": 2, "keys": [{"id": "g1", "public_key_multibase": "` + key + `"}]}`},
		{"threshold 0", `{"threshold": 0, "keys": [{"id": "g1", "public_key_multibase": "` + key + `"}]}`},
		{"a bad key", `{"threshold": 1, "keys": [{"id": "g1", "public_key_multibase": "zabc"}]}`},
		{"a bad fragment", `{"threshold": 1, "keys": [{"id": "g 1", "public_key_multibase": "` + key + `"}]}`},
		{"an unknown field", `{"threshold": 1, "keys": [{"id": "g1", "public_key_multibase": "` + key + `", "x": 1}]}`},
		{"keys without threshold", `{"keys": [{"id": "g1", "public_key_multibase": "` + key + `"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := fmt.Sprintf(`{"params": %s, "governance": %s}`, mustJSON(t, app.DefaultGenesisState().Params), tc.gov)
			_, err := app.ParseGenesisState([]byte(raw))
			require.Error(t, err)
		})
	}
	raw := fmt.Sprintf(`{"params": %s, "governance": {"threshold": 1, "keys": [{"id": "g1", "public_key_multibase": "%s"}]}}`, mustJSON(t, app.DefaultGenesisState().Params), key)
	_, err = app.ParseGenesisState([]byte(raw))
	require.NoError(t, err)
}

// TestMaxTotalVotingPowerAgrees: the ledger's bound is CometBFT's.
func TestMaxTotalVotingPowerAgrees(t *testing.T) {
	require.Equal(t, cmttypes.MaxTotalVotingPower, types.MaxTotalVotingPower)
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// goldenNetworkAppHash is the app hash after the blocks of
// TestGoldenNetworkAppHash: it changes only when a rule or the encoding of
// the governance DID, the validator set or a validator operation changes
// (a consensus break).
const goldenNetworkAppHash = "e4007c28563315f99a93ff7f5104824538b2ea03e03e8b237349556f2ea045c3" // AppVersion 5

// TestGoldenNetworkAppHash runs a fixed genesis (a 2-of-3 governance DID,
// 4 validators) and fixed blocks (an add, a set-power, a removal, a
// refused second change) and pins the app hash.
func TestGoldenNetworkAppHash(t *testing.T) {
	w := newNetWorld(t, true)
	k0 := consensusKey("new-0")
	v := w.govVersion()
	w.block(w.add(k0, 13, v))
	res := w.block(
		w.sign(txbuild.SetValidatorPower(netChain, w.gov.ID, v+1, consPub(k0), 20), "k1", "k2"),
		w.add(consensusKey("new-1"), 5, v+2),
	)
	require.Equal(t, types.ErrValidatorChangeLimit.Code, res.TxResults[1].Code)
	res = w.block(w.sign(txbuild.RemoveValidator(netChain, w.gov.ID, v+2, consPub(w.vals[3])), "k2", "k3"))
	require.Zero(t, res.TxResults[0].Code, res.TxResults[0].Log)
	require.Equal(t, goldenNetworkAppHash, fmt.Sprintf("%x", res.AppHash), "the golden network app hash changed: a consensus break")
}
