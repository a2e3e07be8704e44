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
	if _, err := fill(db, "state", 0, n, perBlock); err != nil {
		db.Close()
		return 0, err
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

// fillResolvable writes what the resolver reads of genesis (the chain id
// and the parameters) at height 1, then n one-key DIDs, 1,000 a block, and
// returns the DIDs.
func fillResolvable(db *store.DB, n int) ([]types.ID, error) {
	params := types.DefaultParams()
	raw, err := params.Marshal()
	if err != nil {
		return nil, err
	}
	if err := db.PendingSet(types.ChainIDKey(), []byte(chainID)); err != nil {
		return nil, err
	}
	if err := db.PendingSet(types.ParamsKey(), raw); err != nil {
		return nil, err
	}
	if _, err := db.Commit(1); err != nil {
		return nil, err
	}
	return fill(db, "resolver", 1, n, 1000)
}

// fill executes the creates of n one-key DIDs of run through the keeper,
// perBlock a block, in the blocks after height, and returns the DIDs.
func fill(db *store.DB, run string, height int64, n, perBlock int) ([]types.ID, error) {
	k := keeper.New(types.DefaultParams(), nil)
	st := db.Pending()
	ids := make([]types.ID, 0, n)
	h := height
	for done := 0; done < n; done += perBlock {
		txs, blockIDs := didtest.Creates(chainID, run, done, min(perBlock, n-done))
		h++
		blk := keeper.Block{ChainID: chainID, Height: h, Time: 1_700_000_000 + h}
		for _, tx := range txs {
			if _, err := k.Execute(st, blk, tx); err != nil {
				return nil, fmt.Errorf("bench: create: %w", err)
			}
		}
		if _, err := db.Commit(h); err != nil {
			return nil, err
		}
		ids = append(ids, blockIDs...)
	}
	return ids, nil
}
