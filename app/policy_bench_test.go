package app_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// junkCreate is the create of a document with n Ed25519 controller keys
// (threshold 1), signed by every key, the last signature broken: the
// worst create a sender can make for free without the write policy (n-1
// signatures verify before the last fails). label makes its keys fresh.
func junkCreate(tb testing.TB, label string, n int) []byte {
	doc := types.Document{Threshold: 1}
	keys := make([]ed25519.PrivateKey, n)
	for i := range keys {
		keys[i] = didtest.KeyIn("junk", fmt.Sprintf("%s/%d", label, i))
		f := fmt.Sprintf("k%d", i)
		doc.VerificationMethods = append(doc.VerificationMethods, types.VerificationMethod{Id: f, PublicKey: pubOf(keys[i]).Multicodec()})
		doc.CapabilityInvocation = append(doc.CapabilityInvocation, f)
	}
	id, body, err := txbuild.Create(goldenChain, doc, "")
	require.NoError(tb, err)
	signers := make([]txbuild.Signer, n)
	for i, k := range keys {
		signers[i] = txbuild.NewSigner(id, fmt.Sprintf("k%d", i), k)
	}
	tx, err := txbuild.Sign(body, signers...)
	require.NoError(tb, err)
	var env types.Tx
	require.NoError(tb, env.Unmarshal(tx))
	env.Signatures[n-1].Signature[0] ^= 1
	out, err := env.Marshal()
	require.NoError(tb, err)
	return out
}

// BenchmarkCheckTxJunk measures CheckTx of the worst junk create (32
// signatures, the last bad; each iteration a fresh one, so nothing is
// cached) under each write policy: without one every signature but the
// last verifies before the refusal; with a stamp the create is refused at
// the stamp, with endorsement at the missing endorsement, before any
// signature. Run it briefly: -benchtime 200x.
func BenchmarkCheckTxJunk(b *testing.B) {
	for _, tc := range []struct {
		name string
		edit func(*app.GenesisState)
		want *types.Error
	}{
		{"no-policy", func(*app.GenesisState) {}, types.ErrBadSignature},
		{"stamp", func(g *app.GenesisState) { g.Params.StampDifficulty = types.DefaultStampDifficulty }, types.ErrStampMissing},
		{"endorsed", func(g *app.GenesisState) {
			g.Params.WritePolicy = app.PolicyEndorsed
			g.Params.Endorsers = []string{"did:custos:7Kq3s1pLwcwdqMtqY1bSyc"}
		}, types.ErrNotEndorsed},
	} {
		b.Run(tc.name, func(b *testing.B) {
			a := newApp(b, b.TempDir())
			defer a.Close()
			initChainWith(b, a, tc.edit)
			txs := make([][]byte, b.N)
			for i := range txs {
				txs[i] = junkCreate(b, fmt.Sprintf("%s/%d", tc.name, i), 32)
			}
			ctx := context.Background()
			b.ResetTimer()
			for _, tx := range txs {
				res, err := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: tx})
				if err != nil || res.Code != tc.want.Code {
					b.Fatal(err, res.Log)
				}
			}
		})
	}
}

// BenchmarkCheckTxCreatePolicy measures CheckTx of an honest one-key
// create (fresh each iteration) on an open chain without stamps, with a
// stamp (pre-computed at 12 bits: verifying costs one hash whatever the
// difficulty) and on an endorsed chain (one more signature, the
// endorser's): the differences are what each policy adds per create on
// every node. Run it briefly: -benchtime 200x.
func BenchmarkCheckTxCreatePolicy(b *testing.B) {
	ek := seedKey("bench endorser")
	eid, ecreate, err := txbuild.Create(goldenChain, txbuild.SimpleDocument("key-1", pubOf(ek)), "")
	require.NoError(b, err)
	for _, tc := range []struct {
		name string
		edit func(*app.GenesisState)
		make func(i int) []byte
	}{
		{"open", func(*app.GenesisState) {}, func(i int) []byte { return signedCreates(b, 1, i)[0] }},
		{"stamp", func(g *app.GenesisState) { g.Params.StampDifficulty = 12 }, func(i int) []byte {
			tx, err := txbuild.AddStamp(context.Background(), signedCreates(b, 1, i)[0], 12, nil)
			require.NoError(b, err)
			return tx
		}},
		{"endorsed", func(g *app.GenesisState) {
			g.Params.WritePolicy = app.PolicyEndorsed
			g.Params.Endorsers = []string{eid.String()}
		}, func(i int) []byte {
			k := didtest.KeyIn("bench endorsed", fmt.Sprint(i))
			id, body, err := txbuild.Create(goldenChain, txbuild.SimpleDocument("key-1", pubOf(k)), "")
			require.NoError(b, err)
			tx, err := txbuild.Sign(body, txbuild.NewSigner(id, "key-1", k), txbuild.NewSigner(eid, "key-1", ek))
			require.NoError(b, err)
			return tx
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			a := newApp(b, b.TempDir())
			defer a.Close()
			initChainWith(b, a, tc.edit)
			if tc.name == "endorsed" {
				commitOK(b, a, 1, [][]byte{didSign(b, ecreate, eid, ek)})
			}
			txs := make([][]byte, b.N)
			for i := range txs {
				txs[i] = tc.make(i)
			}
			ctx := context.Background()
			b.ResetTimer()
			for _, tx := range txs {
				res, err := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: tx})
				if err != nil || res.Code != 0 {
					b.Fatal(err, res.Log)
				}
			}
		})
	}
}
