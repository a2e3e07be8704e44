package store

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// checksumBenchState commits keys flat entries of 300 bytes (no tree) to a
// new folder and closes it, so that every entry is in a table.
func checksumBenchState(b *testing.B, keys int) string {
	b.Helper()
	dir := b.TempDir()
	opts := DefaultOptions()
	opts.OutOfTree = func([]byte) bool { return true }
	db, err := Open(dir, opts)
	if err != nil {
		b.Fatal(err)
	}
	h := int64(0)
	for i := 0; i < keys; i++ {
		if err := db.PendingSet(benchKey(i), []byte(fmt.Sprintf("%08d-%0292d", i, i))); err != nil {
			b.Fatal(err)
		}
		if (i+1)%20_000 == 0 || i == keys-1 {
			h++
			if _, err := db.Commit(h); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	return dir
}

func benchKey(i int) []byte { return binary.BigEndian.AppendUint64([]byte("k/"), uint64(i)) }

// BenchmarkReadChecksums measures a badger read of a random committed entry
// (what every store read does below the store's own caches) with badger's
// checksums on and off, with the block cache (a block is checked once, when
// it enters the cache) and without (every read loads and checks a 4 KiB
// block). The figure to read is the ratio of on to off in the same run, in
// cpu-ns/op (the process's CPU time per read).
func BenchmarkReadChecksums(b *testing.B) {
	const keys = 200_000 // about 64 MB of tables
	dir := checksumBenchState(b, keys)
	for _, cache := range []struct {
		name string
		opts func(Options) Options
	}{
		{"block-cache", func(o Options) Options { return o }},
		{"no-block-cache", func(o Options) Options { o.noBlockCache = true; return o }},
	} {
		for _, sums := range []struct {
			name string
			opts func(Options) Options
		}{
			{"checksums-on", func(o Options) Options { return o }},
			{"checksums-off", func(o Options) Options { o.noChecksums = true; return o }},
		} {
			b.Run(cache.name+"/"+sums.name, func(b *testing.B) {
				db, err := Open(dir, sums.opts(cache.opts(DefaultOptions())))
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				txn := db.bdb.NewTransaction(false)
				defer txn.Discard()
				read := func(i int) {
					item, err := txn.Get(prefixed(prefixFlat, benchKey(i)))
					if err != nil {
						b.Fatal(err)
					}
					if _, err := valueCopy(item); err != nil {
						b.Fatal(err)
					}
				}
				// Every page of the tables in the page cache (and, with the
				// block cache, every block in it) before timing, so that no
				// variant pays for first touches.
				for i := range keys {
					read(i)
				}
				rng := rand.New(rand.NewPCG(1, 2))
				cpu0 := cpuTime(b)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					read(rng.IntN(keys))
				}
				b.StopTimer()
				// The machine may be shared: CPU time is steadier than ns/op.
				b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkVerifyTables measures the check of every table at open
// (verifyTables), in bytes of tables per second.
func BenchmarkVerifyTables(b *testing.B) {
	dir := checksumBenchState(b, 200_000)
	var size int64
	entries, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sst") {
			info, err := os.Stat(filepath.Join(dir, e.Name()))
			if err != nil {
				b.Fatal(err)
			}
			size += info.Size()
		}
	}
	b.SetBytes(size)
	bo := badger.DefaultOptions(dir).WithLogger(nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := verifyTables(bo); err != nil {
			b.Fatal(err)
		}
	}
}
