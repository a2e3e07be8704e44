package bench

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/store"
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// StateSize writes n one-key DIDs through the keeper into a fresh on-disk
// store, in blocks of perBlock, and returns the bytes the store's folder
// takes per DID after closing it.
func StateSize(dir string, n, perBlock int) (float64, error) {
	if err := os.RemoveAll(dir); err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(dir, store.Options{KeepRecent: 1, OutOfTree: types.IsLogKey})
	if err != nil {
		return 0, err
	}
	k := keeper.New(types.DefaultParams(), nil)
	st := db.Pending()
	h := int64(0)
	for done := 0; done < n; done += perBlock {
		txs, _ := didtest.Creates(chainID, "state", done, min(perBlock, n-done))
		h++
		blk := keeper.Block{ChainID: chainID, Height: h, Time: 1_700_000_000 + h}
		for _, tx := range txs {
			if _, err := k.Execute(st, blk, tx); err != nil {
				db.Close()
				return 0, fmt.Errorf("bench: create: %w", err)
			}
		}
		if _, err := db.Commit(h); err != nil {
			db.Close()
			return 0, err
		}
	}
	if err := db.Close(); err != nil {
		return 0, err
	}
	var size int64
	err = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			size += info.Size()
		}
		return err
	})
	return float64(size) / float64(n), err
}
