package commands

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/custos-ledger/custos/app"
)

// pollInterval is how often submit asks the node whether a tx is in a block.
const pollInterval = 100 * time.Millisecond

// resendInterval is how often submit sends a tx again while it is not in a
// block: a node's mempool can lose a tx it has accepted (a full mempool
// drops it when CheckTx answers, a flush or a restart empties it). Sending
// it again costs nothing when the node still holds it ("already exists in
// cache"), and the ledger applies a tx at most once.
const resendInterval = 2 * time.Second

// committed is a transaction the chain accepted.
type committed struct {
	TxHash  string
	Height  int64
	DID     string
	Version uint64
}

// submit broadcasts tx (BroadcastTxSync, so CheckTx refusals come back at
// once) and polls /tx by hash until its block is committed or ctx ends,
// sending the tx again every resendInterval until then. A tx the node
// already holds (the same command run twice: signatures are deterministic)
// is waited for rather than refused.
func (l *ledger) submit(ctx context.Context, tx []byte) (committed, error) {
	hash := cmttypes.Tx(tx).Hash()
	hashHex := strings.ToUpper(hex.EncodeToString(hash))
	res, err := l.rpc.BroadcastTxSync(ctx, tx)
	switch {
	case err != nil && strings.Contains(err.Error(), "tx already exists in cache"):
		// Sent before: wait for it like the first time.
	case err != nil:
		return committed{}, l.nodeError(ctx, err)
	case res.Code != 0:
		return committed{}, fromABCI(res.Code, res.Codespace, res.Log)
	}
	lastSent := time.Now()
	for {
		r, err := l.rpc.Tx(ctx, hash, false)
		if err == nil {
			if r.TxResult.Code != 0 {
				ref := fromABCI(r.TxResult.Code, r.TxResult.Codespace, r.TxResult.Log)
				ref.TxHash, ref.Height = hashHex, r.Height
				return committed{}, ref
			}
			c := committed{TxHash: hashHex, Height: r.Height, DID: string(r.TxResult.Data)}
			for _, ev := range r.TxResult.Events {
				if ev.Type != app.EventType {
					continue
				}
				for _, a := range ev.Attributes {
					if a.Key == "version" {
						c.Version, _ = strconv.ParseUint(a.Value, 10, 64)
					}
				}
			}
			return c, nil
		}
		if ctx.Err() == nil && !strings.Contains(err.Error(), "not found") {
			return committed{}, l.nodeError(ctx, err)
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return committed{}, fmt.Errorf("the node accepted tx %s but it was not committed within --timeout %s: it may still be; check with `custos history DID`, or run the command again (the ledger applies a transaction at most once, and a repeat of a stale one is refused with stale_version)", hashHex, l.timeout)
			}
			return committed{}, ctx.Err()
		case <-time.After(pollInterval):
		}
		if time.Since(lastSent) >= resendInterval {
			// What the node answers does not matter: the /tx lookup decides
			// (a refusal now may only mean that the tx was committed, and
			// its effects make it stale).
			_, _ = l.rpc.BroadcastTxSync(ctx, tx)
			lastSent = time.Now()
		}
	}
}
