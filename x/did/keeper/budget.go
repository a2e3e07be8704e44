package keeper

import (
	"fmt"

	"github.com/custos-ledger/custos/x/did/types"
)

// MaxBlockWriteBytes is the most one block may write to state, as
// writeCost counts it: its timed actions first (at most
// MaxScheduledWriteBytes), then its txs, in order. A tx whose writes do not
// fit in what is left is refused with types.ErrBlockWriteLimit and writes
// nothing; a timed action that does not fit waits for the next block,
// where timed actions run first.
//
// The bound keeps a block's commit, one badger transaction, inside what
// badger accepts: less than 15% of a memtable, 20,132,659 bytes and
// 209,715 entries with the store's 128 MiB memtables
// (store.CommitCapacity). Badger counts an entry as its key with a 2-byte
// prefix, its value and 12 bytes; writeCost counts the key, the value and
// EntryOverhead (128), so a block within this bound commits at most
// MaxBlockWriteBytes (16,777,216) plus the store's own records (root, last
// commit, layout: under 200 bytes), in at most 131,072 entries: 83% of
// badger's bytes and 63% of its entries. The app refuses to start on a
// store whose capacity is less than MaxBlockWriteBytes + CommitReserve.
const MaxBlockWriteBytes = 16 << 20

// MaxScheduledWriteBytes is the most a block's timed actions may write;
// they run first, and the block's txs have the rest of MaxBlockWriteBytes.
// The first action of a block may write more, up to MaxBlockWriteBytes
// (BeginBlock), so that no action is kept from running by its size.
const MaxScheduledWriteBytes = 4 << 20

// CommitReserve is the room a commit needs beyond the block's writes: the
// store's own records, with a wide margin.
const CommitReserve = 1 << 20

// EntryOverhead is what writeCost adds to each entry's key and value. It
// covers badger's per-entry bytes (a 2-byte key prefix, 2 of metadata, 10
// of version) and makes the byte bound also bound the number of entries
// below badger's (one per 96 bytes of capacity).
const EntryOverhead = 128

// writeCost is what writing value under key (nil: deleting it) costs the
// block's budget.
func writeCost(key, value []byte) int64 {
	return int64(len(key)+len(value)) + EntryOverhead
}

// WriteBudget is what the rest of a block may still write. Not safe for
// concurrent use; a block's execution is sequential.
type WriteBudget struct {
	total, left int64
}

// NewWriteBudget returns the budget of a block that may write n bytes.
func NewWriteBudget(n int64) *WriteBudget { return &WriteBudget{total: n, left: n} }

// Left returns what the block may still write.
func (b *WriteBudget) Left() int64 { return b.left }

// Used returns what the block has written.
func (b *WriteBudget) Used() int64 { return b.total - b.left }

// cost returns what the execution's staged writes cost.
func (e *execution) cost() int64 {
	var n int64
	for _, w := range e.writes {
		n += writeCost(w.key, w.value)
	}
	return n
}

// charge takes the execution's writes from the block's budget, or refuses
// the tx when they do not fit (the budget is unchanged then). Without a
// budget (a check) it charges nothing.
func (e *execution) charge() error {
	b := e.blk.Writes
	if b == nil {
		return nil
	}
	n := e.cost()
	if n > b.left {
		return types.ErrBlockWriteLimit.Wrapf("the transaction writes %d bytes and the block has %d of its %d left; resubmit it for a later block",
			n, b.left, b.total)
	}
	b.left -= n
	return nil
}

// apply performs the staged writes on st, in order.
func (e *execution) apply(st Store) error {
	for _, w := range e.writes {
		var err error
		if w.value == nil {
			err = st.Delete(w.key)
		} else {
			err = st.Set(w.key, w.value)
		}
		if err != nil {
			return fmt.Errorf("keeper: write: %w", err)
		}
	}
	return nil
}
