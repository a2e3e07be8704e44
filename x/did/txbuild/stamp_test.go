package txbuild_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// BenchmarkFindStamp is what a create costs its writer on one core at the
// network's default difficulty (2^22 hashes on average; each run a fresh
// body, so the figure averages over luck). Run it briefly: -benchtime 5x.
func BenchmarkFindStamp(b *testing.B) {
	for i := 0; i < b.N; i++ {
		body := []byte(fmt.Sprintf("a create body of a few hundred bytes %0300d", i))
		s, err := txbuild.FindStamp(context.Background(), body, types.DefaultStampDifficulty, nil)
		if err != nil || types.CheckStamp(s, body, types.DefaultStampDifficulty) != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckStamp is what verifying a stamp costs every node.
func BenchmarkCheckStamp(b *testing.B) {
	body := []byte(fmt.Sprintf("a create body of a few hundred bytes %0300d", 0))
	s, err := txbuild.FindStamp(context.Background(), body, 12, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := types.CheckStamp(s, body, 12); err != nil {
			b.Fatal(err)
		}
	}
}

// A stamp found for a body checks for it, at the difficulty asked.
func TestFindStamp(t *testing.T) {
	for _, bits := range []uint32{1, 8, 12} {
		body := []byte(fmt.Sprintf("body %d", bits))
		s, err := txbuild.FindStamp(context.Background(), body, bits, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := types.CheckStamp(s, body, bits); err != nil {
			t.Fatalf("%d bits: %v", bits, err)
		}
	}
}
