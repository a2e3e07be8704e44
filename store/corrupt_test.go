package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/store"
)

// corruptState is a state committed to a real badger folder: the expected
// value of every key at each height.
type corruptState struct {
	// closed is the folder after a clean close: every entry in tables.
	closed string
	// crashed is a copy of the folder taken while the store was open, as a
	// SIGKILL leaves it: the entries in the memtable's log.
	crashed string
	final   int64
	// at[h] is every key's value at height h (absent: no value).
	at map[int64]map[string][]byte
}

// outOfTreeLog keeps keys starting with "e/" out of the tree, like a DID's
// versions and history entries.
func outOfTreeLog(key []byte) bool { return bytes.HasPrefix(key, []byte("e/")) }

func corruptOptions() store.Options {
	o := store.DefaultOptions()
	o.OutOfTree = outOfTreeLog
	return o
}

// bigKey holds a value above badger's value threshold (1 MiB), which badger
// keeps in its value log rather than in a table.
const bigKey = "h/big"

// buildCorruptState commits a few heights of distinct, recognisable values
// (about 1.5 MB in all, so the tables have many blocks, and one value of
// 1.2 MB), some in the tree and some out of it.
func buildCorruptState(t *testing.T) corruptState {
	t.Helper()
	st := corruptState{closed: t.TempDir(), at: map[int64]map[string][]byte{}}
	db, err := store.Open(st.closed, corruptOptions())
	require.NoError(t, err)
	cur := map[string][]byte{}
	for h := int64(1); h <= 3; h++ {
		for i := range 1500 {
			var k string
			switch {
			case i%3 == 0:
				k = fmt.Sprintf("e/%06d-%d", i, h) // immutable, out of the tree
			case i%3 == 1:
				k = fmt.Sprintf("h/%06d", i) // rewritten at each height
			default:
				k = fmt.Sprintf("k/%06d-%d", i, h)
			}
			v := []byte(fmt.Sprintf("%s@%d:%s", k, h, strings.Repeat(string(rune('a'+i%26)), 300)))
			require.NoError(t, db.PendingSet([]byte(k), v))
			cur[k] = v
		}
		if h == 2 {
			v := bytes.Repeat([]byte("big value "), 120_000)
			require.NoError(t, db.PendingSet([]byte(bigKey), v))
			cur[bigKey] = v
		}
		_, err := db.Commit(h)
		require.NoError(t, err)
		st.at[h] = cloneState(cur)
	}
	st.final = 3
	st.at[0] = map[string][]byte{} // a log damaged from its start loses every commit
	st.crashed = copyDir(t, st.closed)
	// Badger preallocates the memtable's log (256 MiB) and stops reading it at
	// the first zero entry: keep a page of zeros past the entries, so that the
	// copies each case makes stay small.
	for name := range stateFiles(t, st.crashed, ".mem") {
		path := filepath.Join(st.crashed, name)
		require.NoError(t, os.Truncate(path, usedSize(t, path)+4096))
	}
	require.NoError(t, db.Close())
	return st
}

func cloneState(m map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// copyDir copies the flat folder src into a new temporary folder. Badger
// preallocates its logs (a value log file is 2 GiB, mostly a hole), so only
// the parts with data are copied, and holes stay holes.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	require.NoError(t, err)
	for _, e := range entries {
		require.False(t, e.IsDir(), "unexpected folder %s in the badger folder", e.Name())
		in, err := os.Open(filepath.Join(src, e.Name()))
		require.NoError(t, err)
		out, err := os.Create(filepath.Join(dst, e.Name()))
		require.NoError(t, err)
		size := dataExtents(t, in, func(off, n int64) {
			buf := make([]byte, n)
			_, err := in.ReadAt(buf, off)
			require.NoError(t, err)
			_, err = out.WriteAt(buf, off)
			require.NoError(t, err)
		})
		require.NoError(t, out.Truncate(size))
		require.NoError(t, in.Close())
		require.NoError(t, out.Close())
	}
	return dst
}

// Whence values of lseek that find data and holes (Linux, the BSDs, macOS).
const (
	seekData = 3
	seekHole = 4
)

// dataExtents calls fn with each stretch of f that holds data, in order,
// and returns f's size. Where the file system cannot tell, the whole file
// is one stretch.
func dataExtents(t *testing.T, f *os.File, fn func(off, n int64)) int64 {
	t.Helper()
	info, err := f.Stat()
	require.NoError(t, err)
	size := info.Size()
	for off := int64(0); off < size; {
		start, err := f.Seek(off, seekData)
		if err != nil { // ENXIO: no data past off; EINVAL: not supported
			if off == 0 && !errors.Is(err, syscall.ENXIO) {
				fn(0, size)
			}
			break
		}
		end, err := f.Seek(start, seekHole)
		require.NoError(t, err)
		fn(start, end-start)
		off = end
	}
	return size
}

// usedSize is the size of a file without its trailing zeros.
func usedSize(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var used int64
	dataExtents(t, f, func(off, n int64) {
		buf := make([]byte, n)
		_, err := f.ReadAt(buf, off)
		require.NoError(t, err)
		if trimmed := int64(len(bytes.TrimRight(buf, "\x00"))); trimmed > 0 {
			used = off + trimmed
		}
	})
	return used
}

// stateFiles returns the files of the badger folder whose name ends in ext,
// with their sizes, in name order.
func stateFiles(t *testing.T, dir, ext string) map[string]int64 {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string]int64{}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ext) {
			info, err := e.Info()
			require.NoError(t, err)
			out[e.Name()] = info.Size()
		}
	}
	return out
}

// outcome is what reopening a damaged state gave.
type outcome struct {
	openErr  error // Open refused the state
	readErrs int   // reads that failed with an error
}

// checkDamaged opens the damaged state in dir and reads every key at the
// committed height and one height below (through the tree). It fails the
// test when Open panics or when any read answers a value (or an absence)
// other than the committed one without an error: damage must be reported,
// never served.
func checkDamaged(t *testing.T, st corruptState, dir string) outcome {
	t.Helper()
	var db *store.DB
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("store.Open panicked on a damaged state: %v", r)
			}
		}()
		db, err = store.Open(dir, corruptOptions())
	}()
	if err != nil {
		return outcome{openErr: err}
	}
	defer db.Close()
	var o outcome
	last := db.LastCommit()
	want, ok := st.at[last.Height]
	if !ok {
		t.Fatalf("reopened at height %d, which was never committed", last.Height)
	}
	keys := make([]string, 0, len(st.at[st.final]))
	for k := range st.at[st.final] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		got, err := db.Get([]byte(k))
		if err != nil {
			o.readErrs++
			continue
		}
		requireSame(t, want[k], got, "Get(%q) at height %d", k, last.Height)
	}
	if below := last.Height - 1; below >= 1 {
		for _, k := range keys {
			if outOfTreeLog([]byte(k)) {
				continue
			}
			got, err := db.GetAt(below, []byte(k))
			if err != nil {
				o.readErrs++
				continue
			}
			requireSame(t, st.at[below][k], got, "GetAt(%d, %q)", below, k)
		}
	}
	return o
}

// damage is one way of damaging one file of a state.
type damage struct {
	name  string
	dir   string // the state folder to copy
	file  string
	apply func(t *testing.T, path string, size int64)
}

func flipAt(off int64) func(*testing.T, string, int64) {
	return func(t *testing.T, path string, size int64) {
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		require.NoError(t, err)
		defer f.Close()
		buf := make([]byte, min(int64(16), size-off))
		_, err = f.ReadAt(buf, off)
		require.NoError(t, err)
		for i := range buf {
			buf[i] ^= 0x5a
		}
		_, err = f.WriteAt(buf, off)
		require.NoError(t, err)
	}
}

func truncateTo(to int64) func(*testing.T, string, int64) {
	return func(t *testing.T, path string, _ int64) { require.NoError(t, os.Truncate(path, to)) }
}

// damages returns, for each file of dir whose name ends in one of exts, 16
// flipped bytes at 12 places spread over its used part and at its end, and
// truncations to 0, half and one and 100 bytes short.
func damages(t *testing.T, label, dir string, exts ...string) []damage {
	t.Helper()
	var out []damage
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		if !slices.ContainsFunc(exts, func(ext string) bool { return strings.HasSuffix(e.Name(), ext) }) {
			continue
		}
		used := usedSize(t, filepath.Join(dir, e.Name()))
		if used < 32 {
			continue
		}
		name := label + " " + e.Name()
		for i := range int64(12) {
			off := used * i / 12
			out = append(out, damage{name: fmt.Sprintf("%s flip@%d", name, off), dir: dir, file: e.Name(), apply: flipAt(off)})
		}
		out = append(out, damage{name: name + " flip end", dir: dir, file: e.Name(), apply: flipAt(used - 16)})
		for _, to := range []int64{0, used / 2, used - 100, used - 1} {
			if to < 0 {
				continue
			}
			out = append(out, damage{name: fmt.Sprintf("%s truncate to %d", name, to), dir: dir, file: e.Name(), apply: truncateTo(to)})
		}
	}
	return out
}

// requireSame fails the test when a read answered got instead of want,
// naming the read without printing the values (some are 1.2 MB).
func requireSame(t *testing.T, want, got []byte, read string, args ...any) {
	t.Helper()
	if !bytes.Equal(want, got) {
		t.Fatalf("%s served a wrong answer without an error: %d bytes (%.40q...), want %d bytes (%.40q...)",
			fmt.Sprintf(read, args...), len(got), got, len(want), want)
	}
}

// TestCorruptedStateIsReported damages the files of a committed state (16
// flipped bytes at places spread over each table, value log, manifest and
// memtable log, and truncations) and reopens it: every read must give the
// committed answer (of the last height or, after losing the tail of a log,
// an earlier one) or an error, and Open must return an error, not panic.
// Flips in tables, which hold every entry after a clean close, must all be
// noticed.
func TestCorruptedStateIsReported(t *testing.T) {
	st := buildCorruptState(t)
	require.Greater(t, usedSize(t, filepath.Join(st.closed, "000001.vlog")), int64(1<<20),
		"the big value is not in the value log")
	cases := damages(t, "closed", st.closed, ".sst", ".vlog", "MANIFEST")
	cases = append(cases, damages(t, "crashed", st.crashed, ".mem")...)
	var tableFlips, noticed atomic.Int32
	t.Run("damage", func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel() // mostly waiting for the disk
				dir := copyDir(t, tc.dir)
				path := filepath.Join(dir, tc.file)
				info, err := os.Stat(path)
				require.NoError(t, err)
				tc.apply(t, path, info.Size())
				o := checkDamaged(t, st, dir)
				if strings.HasSuffix(tc.file, ".sst") && strings.Contains(tc.name, " flip") {
					tableFlips.Add(1)
					if o.openErr != nil || o.readErrs > 0 {
						noticed.Add(1)
					}
				}
				if o.openErr != nil {
					t.Logf("open: %v", o.openErr)
				}
			})
		}
	})
	require.NotZero(t, tableFlips.Load())
	require.Equal(t, tableFlips.Load(), noticed.Load(), "flips in tables that went unnoticed")
}

// TestDamageWhileOpenIsReported damages the tables of a state after the
// store opened it (16 flipped bytes in every 4 KiB of their data, before any
// read brought the blocks into badger's cache), as a disk failing under a
// running node would, and reads every key: no read may panic or answer a
// value other than the committed one. Badger answers a read of a block
// that fails its checksum as if the key were absent, so absence is allowed
// here (docs/state.md, "Damage on disk", says what that leaves open); a
// damaged block layout, which badger parses before it checks the checksum,
// must be an error.
func TestDamageWhileOpenIsReported(t *testing.T) {
	st := buildCorruptState(t)
	dir := copyDir(t, st.closed)
	db, err := store.Open(dir, corruptOptions())
	require.NoError(t, err)
	defer db.Close()
	for name, size := range stateFiles(t, dir, ".sst") {
		for off := int64(4096); off < size*8/10; off += 4096 {
			flipAt(off)(t, filepath.Join(dir, name), size)
		}
	}
	var ok, failed, absent int
	for k, want := range st.at[st.final] {
		var got []byte
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("Get(%q) panicked after damage: %v", k, r)
				}
			}()
			got, err = db.Get([]byte(k))
		}()
		switch {
		case err != nil:
			require.ErrorIs(t, err, store.ErrCorrupt)
			failed++
		case got == nil:
			absent++
		default:
			requireSame(t, want, got, "Get(%q) after damage", k)
			ok++
		}
	}
	t.Logf("%d read right, %d failed, %d read as absent", ok, failed, absent)
	require.NotZero(t, failed, "no read noticed the damage")
}
