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

// BenchmarkBlock measures a whole block's state work: 1125 DID creates
// (head, version, event and key record: 4500 leaf writes) set into the
// tree and committed, into a state that already holds 50000 DIDs.
func BenchmarkBlock(b *testing.B) {
	db, err := store.Open(b.TempDir(), store.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	h := int64(0)
	value := []byte(fmt.Sprintf("%0150d", 0))
	block := func(from, n int) {
		for i := from; i < from+n; i++ {
			var k [8]byte
			binary.BigEndian.PutUint64(k[:], uint64(i))
			id := sha256.Sum256(k[:])
			for _, key := range [][]byte{
				append([]byte("h/"), id[:16]...),
				append(append([]byte("v/"), id[:16]...), 0, 0, 0, 0, 0, 0, 0, 1),
				append(append([]byte("e/"), id[:16]...), 0, 0, 0, 0, 0, 0, 0, 1),
				append(append([]byte("k/"), id[:16]...), "key-1"...),
			} {
				if err := db.PendingSet(key, value); err != nil {
					b.Fatal(err)
				}
			}
		}
		h++
		if _, err := db.Commit(h); err != nil {
			b.Fatal(err)
		}
	}
	const warm, per = 50000, 1125
	for i := 0; i < warm; i += 2500 {
		block(i, 2500)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		block(warm+i*per, per)
	}
}
