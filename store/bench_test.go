package store_test

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/custos-ledger/custos/store"
)

// BenchmarkCommit measures committing blocks of 6000 leaf writes (about
// 1500 creates) into a tree that already holds 40000 leaves.
func BenchmarkCommit(b *testing.B) {
	db, err := store.Open(b.TempDir(), store.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	key := func(i int) []byte {
		var k [8]byte
		binary.BigEndian.PutUint64(k[:], uint64(i))
		h := sha256.Sum256(k[:])
		return h[:20]
	}
	h := int64(0)
	write := func(from, n int) {
		for i := from; i < from+n; i++ {
			if err := db.PendingSet(key(i), []byte(fmt.Sprintf("value-%d-%0200d", i, i))); err != nil {
				b.Fatal(err)
			}
		}
		h++
	}
	for i := 0; i < 40000; i += 8000 {
		write(i, 8000)
		if _, err := db.Commit(h); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		write(40000+i*6000, 6000)
		b.StartTimer()
		if _, err := db.Commit(h); err != nil {
			b.Fatal(err)
		}
	}
}
