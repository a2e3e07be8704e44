package verify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/node/nodetest"
	"github.com/custos-ledger/custos/verify"
	"github.com/custos-ledger/custos/x/did/txbuild"
)

func newClient(t testing.TB, primary string, witnesses ...string) (*verify.Client, error) {
	t.Helper()
	gen, err := cmttypes.GenesisDocFromFile(genesisFile)
	require.NoError(t, err)
	if len(witnesses) == 0 {
		witnesses = []string{nodeAddr}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := verify.New(ctx, verify.Config{ChainID: chainID, Primary: primary, Witnesses: witnesses, Genesis: gen})
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

func TestVerifiedResolution(t *testing.T) {
	id, k, h1, err := createDID("verified")
	require.NoError(t, err)
	k2 := testKey("verified-2")
	body := txbuild.Rotate(chainID, id, 1, "key-1", pubOf(k2))
	h2, err := submit(body, txbuild.NewSigner(id, "key-1", k), txbuild.NewSigner(id, "key-1", k2))
	require.NoError(t, err)

	c, err := newClient(t, startProxy(t, nil)) // an honest proxy changes nothing
	require.NoError(t, err)
	ctx := context.Background()

	res, err := c.ResolveAt(ctx, id, 0, h2)
	require.NoError(t, err)
	require.Equal(t, uint64(2), res.Record.Version)
	require.Equal(t, pubOf(k2).Multicodec(), res.Record.Document.VerificationMethods[0].PublicKey)

	old, err := c.ResolveAt(ctx, id, 1, h2)
	require.NoError(t, err, "an old version proves too")
	require.Equal(t, pubOf(k).Multicodec(), old.Record.Document.VerificationMethods[0].PublicKey)

	before, err := c.ResolveAt(ctx, id, 0, h1-1)
	require.NoError(t, err)
	require.Nil(t, before.Head, "before its create the DID is proved absent")

	missing, _, err := txbuild.Create(chainID, txbuild.SimpleDocument("key-1", pubOf(testKey("never"))), "")
	require.NoError(t, err)
	nf, err := c.Resolve(ctx, missing, 0)
	require.NoError(t, err)
	require.Nil(t, nf.Head, "notFound comes with a valid non-inclusion proof")
}

func TestTamperingIsCaught(t *testing.T) {
	id, _, h, err := createDID("tamper")
	require.NoError(t, err)
	cases := []struct {
		name   string
		tamper tamperFunc
		want   error
	}{
		{"document", func(m string, res map[string]any) {
			if r := abciResponse(m, res); r != nil {
				flipBase64(r, "value")
			}
		}, verify.ErrProof},
		{"document claimed absent", func(m string, res map[string]any) {
			if r := abciResponse(m, res); r != nil {
				r["value"] = nil
			}
		}, verify.ErrProof},
		{"proof", func(m string, res map[string]any) {
			if r := abciResponse(m, res); r != nil {
				ops := r["proofOps"].(map[string]any)["ops"].([]any)
				flipBase64(ops[0].(map[string]any), "data")
			}
		}, verify.ErrProof},
		{"height", func(m string, res map[string]any) {
			if r := abciResponse(m, res); r != nil {
				r["height"] = "2"
			}
		}, verify.ErrProof},
		{"app hash in the header", func(m string, res map[string]any) {
			if m != "commit" {
				return
			}
			hdr := res["signed_header"].(map[string]any)["header"].(map[string]any)
			hdr["app_hash"] = "00000000000000000000000000000000000000000000000000000000000000AA"
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newClient(t, startProxy(t, tc.tamper))
			if err == nil {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				_, err = c.ResolveAt(ctx, id, 0, h)
			}
			require.Error(t, err, "the tampered answer was accepted")
			if tc.want != nil {
				require.True(t, errors.Is(err, tc.want), "got %v", err)
			}
		})
	}
}

func TestHeaderFromAnotherChain(t *testing.T) {
	other := nodetest.Start(t, nodetest.Home(t)) // chain "custos-local", not "custos-verify"
	c := nodetest.Client(t, other)
	nodetest.WaitForHeight(t, c, 2, 20*time.Second)
	addr := other.Config().RPC.ListenAddress
	_, err := newClient(t, addr)
	require.Error(t, err, "a primary of another chain")
	// The light client cannot tell a witness's chain until it fetches a
	// header from it: the mismatch shows when the answer is verified.
	id, _, h, err := createDID("other-chain")
	require.NoError(t, err)
	vc, err := newClient(t, nodeAddr, addr)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err = vc.ResolveAt(ctx, id, 0, h)
	}
	require.Error(t, err, "a witness of another chain")
}

func TestTrustPointAndFile(t *testing.T) {
	id, _, h, err := createDID("trust")
	require.NoError(t, err)
	ctx := context.Background()
	file := t.TempDir() + "/trusted.json"
	gen, err := cmttypes.GenesisDocFromFile(genesisFile)
	require.NoError(t, err)
	c, err := verify.New(ctx, verify.Config{ChainID: chainID, Primary: nodeAddr, Witnesses: []string{nodeAddr}, Genesis: gen, TrustFile: file})
	require.NoError(t, err)
	_, err = c.ResolveAt(ctx, id, 0, h)
	require.NoError(t, err)
	c.Close()
	require.FileExists(t, file)

	// Next time the remembered header is the trust point: no genesis needed.
	c, err = verify.New(ctx, verify.Config{ChainID: chainID, Primary: nodeAddr, Witnesses: []string{nodeAddr}, TrustFile: file})
	require.NoError(t, err)
	defer c.Close()
	res, err := c.Resolve(ctx, id, 0)
	require.NoError(t, err)
	require.Equal(t, id.String(), res.Record.Document.Id)

	// A wrong trust hash is refused.
	_, err = verify.New(ctx, verify.Config{ChainID: chainID, Primary: nodeAddr, Witnesses: []string{nodeAddr},
		TrustHeight: 2, TrustHash: make([]byte, 32)})
	require.Error(t, err)
}
