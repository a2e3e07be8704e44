package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/ristretto/v2/z"
)

// ErrCorrupt is returned when the state on disk fails a checksum or is
// otherwise unreadable: at Open, when a table is damaged, and by a read,
// when what it reads is. The node must not serve it; restore the data dir
// from a backup or sync the chain again (docs/operators.md).
var ErrCorrupt = errors.New("store: state on disk is corrupt")

// verifyTables checks every table (.sst) that the MANIFEST of the badger
// folder bo.Dir names against its checksums before badger opens it: each
// block, the index and the footer. Badger opens tables on goroutines of its
// own, where a damaged footer or block panics (slice bounds) beyond the
// reach of any recover, and it verifies checksums only as far as it is
// told to; here a damaged table is an error naming it. It reads every table
// once. A MANIFEST that cannot be read, or a table it names that is
// missing, is left to badger.Open, which reports them.
func verifyTables(bo badger.Options) error {
	f, err := os.Open(filepath.Join(bo.Dir, badger.ManifestFilename))
	if errors.Is(err, os.ErrNotExist) {
		return nil // a new store
	}
	if err != nil {
		return fmt.Errorf("store: open the manifest: %w", err)
	}
	defer f.Close()
	m, _, err := badger.ReplayManifestFile(f, bo.ExternalMagicVersion, bo)
	if err != nil {
		return nil
	}
	ids := make([]uint64, 0, len(m.Tables))
	for id := range m.Tables {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		tm := m.Tables[id]
		path := table.NewFilename(id, bo.Dir)
		if tm.KeyID != 0 {
			continue // encrypted: Custos never encrypts, and badger checks it
		}
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err := verifyTable(path, tm.Compression, bo.BlockSize); err != nil {
			return fmt.Errorf("%w: table %s: %v", ErrCorrupt, path, err)
		}
	}
	return nil
}

// verifyTable opens one table read-only with badger's own reader, which
// checks the footer and the index against their checksums and then
// every block (options.OnTableRead), and recovers its panics.
func verifyTable(path string, compression options.CompressionType, blockSize int) (err error) {
	mf, err := z.OpenMmapFile(path, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unreadable (damaged footer or block): %s", oneLine(fmt.Sprint(r)))
		}
		// Unmap without Table.DecrRef, which would delete the file.
		if cerr := mf.Close(-1); err == nil && cerr != nil {
			err = cerr
		}
	}()
	_, err = table.OpenTable(mf, table.Options{
		ReadOnly: true, ChkMode: options.OnTableRead, Compression: compression, BlockSize: blockSize})
	return err
}

// oneLine returns a panic's message on one line, at most 300 bytes: badger's
// carry a dump of the table's footer.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// valueCopy returns the value of item. Every value the store writes is
// non-empty (PendingSet refuses empty values, and the store's own records
// are never empty), so an empty value is damage: badger answers one,
// without an error, when it cannot read or verify a value in its value log
// (it only logs the failure).
func valueCopy(item *badger.Item) ([]byte, error) {
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, fmt.Errorf("%w: key %x: %v", ErrCorrupt, item.Key(), err)
	}
	if len(v) == 0 {
		return nil, fmt.Errorf("%w: key %x: its value is unreadable (damaged value log)", ErrCorrupt, item.Key())
	}
	return v, nil
}

// recoverDamage turns a panic of badger's while reading (it parses a block's
// layout before checking the block's checksum, and a damaged layout slices
// out of range) into ErrCorrupt. Deferred by the store's reads.
func recoverDamage(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: a read failed: %s", ErrCorrupt, oneLine(fmt.Sprint(r)))
	}
}
