package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	cmtcrypto "github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/ceremony"
	"github.com/custos-ledger/custos/node"
	"github.com/custos-ledger/custos/resolver"
	"github.com/custos-ledger/custos/testnet"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// TestValidatorSetChanges runs a 4-validator network whose genesis names a
// governance DID. A fifth home (the testnet's full node, which blocksyncs)
// is added as a validator by a governance-signed tx with its proof of
// possession, and then signs blocks (its address in a commit); then its
// power is changed, a genesis validator is removed (its address leaves
// the commits), and the chain still advances.
func TestValidatorSetChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("starts node processes")
	}
	govKey := testKey("governance")
	gov := &app.GenesisGovernance{Threshold: 1, Keys: []app.GovernanceKey{{ID: "gov-1", PublicKeyMultibase: pubOf(govKey).Multibase()}}}
	c := newCluster(t, 4, 1, func(o *testnet.Options) { o.Governance = gov })
	validators, newcomer := []int{0, 1, 2, 3}, 4
	for _, i := range validators {
		c.start(i)
	}
	c.start(newcomer)
	c.waitHeight(2, 60*time.Second, validators...)
	ctx := ctxT(t, 3*time.Minute)
	chainID := c.net.ChainID
	doc, err := gov.Document()
	require.NoError(t, err)
	govID, err := txbuild.DID(chainID, doc)
	require.NoError(t, err)
	signer := txbuild.NewSigner(govID, "gov-1", govKey)

	cfg, err := node.LoadConfig(c.net.Nodes[newcomer].Home, node.Overrides{})
	require.NoError(t, err)
	info, err := ceremony.InfoFromHome(cfg, "")
	require.NoError(t, err)
	newPub := info.PubKey.Value
	version := uint64(1)
	govTx := func(body types.TxBody) int64 {
		t.Helper()
		tx, err := txbuild.Sign(body, signer)
		require.NoError(t, err)
		h, code, log, err := commit(ctx, c.clients[0], tx)
		require.NoError(t, err)
		require.Zero(t, code, log)
		version++
		return h
	}

	// Add: 13 of 40 is below a third. CometBFT applies it at h+2, so the
	// newcomer's precommit for h+2 is in the LastCommit of block h+3.
	h := govTx(txbuild.AddValidator(chainID, govID, version, newPub, 13, info.Moniker, info.ProofOfPossession))
	signedAt := c.waitSignature(ctx, ed25519.PubKey(newPub).Address(), h+3, true)
	t.Logf("validator added at height %d; its signature is in the commit of height %d", h, signedAt)

	// Set-power: 13 -> 10.
	h = govTx(txbuild.SetValidatorPower(chainID, govID, version, newPub, 10))
	c.waitHeight(h+3, 30*time.Second, 0)
	vals, err := c.clients[0].Validators(ctx, ptr(h+3), nil, nil)
	require.NoError(t, err)
	require.Equal(t, int64(10), powerOf(vals.Validators, ed25519.PubKey(newPub).Address()))

	// Remove genesis validator node3 (10 of 50): 5 -> 4, the minimum.
	pv3 := consensusPub(t, c, 3)
	h = govTx(txbuild.RemoveValidator(chainID, govID, version, pv3.Bytes()))
	gone := c.waitSignature(ctx, pv3.Address(), h+3, false)
	c.waitHeight(gone+5, 30*time.Second, 0, newcomer)
	vals, err = c.clients[0].Validators(ctx, ptr(gone), nil, nil)
	require.NoError(t, err)
	require.Len(t, vals.Validators, 4)
	require.Zero(t, powerOf(vals.Validators, pv3.Address()))
	t.Logf("validator removed at height %d; the chain went on to %d", h, c.top(ctx, 0))

	// The resolver serves the set and its public history.
	res := httpGet(ctx, t, "http://"+c.net.Nodes[newcomer].Resolver+"/1.0/network/validators")
	require.Equal(t, http.StatusOK, res.code, res.body)
	var set resolver.Validators
	require.NoError(t, json.Unmarshal([]byte(res.body), &set))
	require.Equal(t, govID.String(), set.Governance)
	require.Len(t, set.Validators, 4)
	require.EqualValues(t, 40, set.TotalPower)
	byKey := map[string]resolver.Validator{}
	for _, v := range set.Validators {
		byKey[v.PublicKey] = v
	}
	require.EqualValues(t, 10, byKey[base64.StdEncoding.EncodeToString(newPub)].Power)
	require.Equal(t, info.Moniker, byKey[base64.StdEncoding.EncodeToString(newPub)].Moniker)
	res = httpGet(ctx, t, "http://"+c.net.Nodes[0].Resolver+"/1.0/network/history")
	require.Equal(t, http.StatusOK, res.code, res.body)
	var hist resolver.History
	require.NoError(t, json.Unmarshal([]byte(res.body), &hist))
	var ops []string
	for _, e := range hist.Events {
		ops = append(ops, e.Operation)
	}
	require.Equal(t, []string{"create", "addValidator", "setValidatorPower", "removeValidator"}, ops)
	require.Equal(t, base64.StdEncoding.EncodeToString(pv3.Bytes()), hist.Events[3].Validator.PublicKey)
}

// waitSignature waits for the first block at or above from whose
// LastCommit has (present) or lacks (!present) a commit signature by
// addr, and returns its height.
func (c *cluster) waitSignature(ctx context.Context, addr cmtcrypto.Address, from int64, present bool) int64 {
	c.t.Helper()
	for h := from; ; h++ {
		c.waitHeight(h, 30*time.Second, 0)
		b, err := c.clients[0].Block(ctx, ptr(h))
		require.NoError(c.t, err)
		found := false
		for _, s := range b.Block.LastCommit.Signatures {
			if s.BlockIDFlag == cmttypes.BlockIDFlagCommit && s.ValidatorAddress.String() == addr.String() {
				found = true
			}
		}
		if found == present {
			return h
		}
		require.Less(c.t, h, from+20, "no block from %d on %s a signature by %s", from, map[bool]string{true: "has", false: "lacks"}[present], addr)
	}
}

func consensusPub(t *testing.T, c *cluster, i int) ed25519.PubKey {
	cfg, err := node.LoadConfig(c.net.Nodes[i].Home, node.Overrides{})
	require.NoError(t, err)
	info, err := ceremony.InfoFromHome(cfg, "")
	require.NoError(t, err)
	return ed25519.PubKey(info.PubKey.Value)
}

func powerOf(vals []*cmttypes.Validator, addr cmtcrypto.Address) int64 {
	for _, v := range vals {
		if v.Address.String() == addr.String() {
			return v.VotingPower
		}
	}
	return 0
}

func ptr(h int64) *int64 { return &h }
