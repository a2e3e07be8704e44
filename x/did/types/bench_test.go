package types_test

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"testing"

	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/custos-ledger/custos/x/did/types"
)

// signedItems returns n signatures, each by its own key, over 200-byte
// messages (about a tx's sign bytes).
func signedItems(b *testing.B, n int) []types.Signed {
	b.Helper()
	out := make([]types.Signed, n)
	for i := range out {
		var seed [ed25519.SeedSize]byte
		binary.BigEndian.PutUint64(seed[:], uint64(i)+1)
		priv := ed25519.NewKeyFromSeed(seed[:])
		pk, err := types.NewEd25519(priv.Public().(ed25519.PublicKey))
		if err != nil {
			b.Fatal(err)
		}
		msg := make([]byte, 200)
		binary.BigEndian.PutUint64(msg, uint64(i))
		out[i] = types.Signed{Key: pk, Msg: msg, Sig: ed25519.Sign(priv, msg)}
	}
	return out
}

// BenchmarkVerify compares Ed25519 verification as Custos does it
// (curve25519-voi under ZIP-215, PublicKey.Verify) with CometBFT's
// PubKey.VerifySignature (the same rule behind a cache of 4,096 expanded
// keys), over 20,000 keys (the cache misses, as with DID keys) and over 100
// (it hits), and in batches of 2 to 256 (VerifyBatch; ns/op is per
// signature).
//
//	go test ./x/did/types -run '^$' -bench Verify
func BenchmarkVerify(b *testing.B) {
	many := signedItems(b, 20000)
	few := many[:100]
	check := func(b *testing.B, ok bool) {
		if !ok {
			b.Fatal("a valid signature did not verify")
		}
	}
	b.Run("custos", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			it := many[i%len(many)]
			check(b, it.Key.Verify(it.Msg, it.Sig))
		}
	})
	b.Run("cometbft-20000-keys", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			it := many[i%len(many)]
			check(b, cmted25519.PubKey(it.Key.Raw()).VerifySignature(it.Msg, it.Sig))
		}
	})
	b.Run("cometbft-100-keys", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			it := few[i%len(few)]
			check(b, cmted25519.PubKey(it.Key.Raw()).VerifySignature(it.Msg, it.Sig))
		}
	})
	for _, n := range []int{2, 4, 8, 16, 64, 256} {
		b.Run(fmt.Sprintf("batch-%d", n), func(b *testing.B) {
			batch := make([]types.Signed, n)
			for i := 0; i < b.N; i += n {
				for j := range n {
					batch[j] = many[(i+j)%len(many)]
				}
				for _, ok := range types.VerifyBatch(batch) {
					check(b, ok)
				}
			}
		})
	}
}
