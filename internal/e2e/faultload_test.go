package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// promise is a tx the client was told is committed: the DID's version it
// made, at which height, with which tx hash.
type promise struct {
	id      types.ID
	version uint64
	height  int64
	txHash  []byte
}

// faultLoad streams creates and rotations to the nodes of a cluster, each
// worker over its own DIDs, through BroadcastTxCommit (even workers) or
// BroadcastTxSync and polling /tx (odd workers), each tx to the next node in
// turn. It records every promise and counts the rest.
type faultLoad struct {
	c       *cluster
	chainID string
	stop    chan struct{}
	wg      sync.WaitGroup

	mu                 sync.Mutex
	promises           []promise
	creates, rotations int // promised
	unknown            int // no answer: the tx may or may not be in
	behind             int // refused by CheckTx on a node still behind
	refused            []string
}

// faultLoadMaxTxs bounds the txs one worker sends.
const faultLoadMaxTxs = 1500

// ownDID is a DID a worker created, its version and controller key as the
// worker was told. A DID whose last tx had no answer is left alone.
type ownDID struct {
	id      types.ID
	version uint64
	key     ed25519.PrivateKey
}

func startFaultLoad(c *cluster, workers int) *faultLoad {
	l := &faultLoad{c: c, chainID: c.net.ChainID, stop: make(chan struct{})}
	for w := range workers {
		l.wg.Go(func() { l.work(w) })
	}
	return l
}

// halt stops the workers and waits for their last tx (bounded by the
// submit timeouts).
func (l *faultLoad) halt() {
	close(l.stop)
	l.wg.Wait()
}

func (l *faultLoad) stopped() bool {
	select {
	case <-l.stop:
		return true
	default:
		return false
	}
}

func (l *faultLoad) work(w int) {
	rng := rand.New(rand.NewPCG(uint64(w), 6))
	var mine []*ownDID
	nodes := len(l.c.clients)
	for n := 0; n < faultLoadMaxTxs && !l.stopped(); n++ {
		target := (w + n) % nodes
		var d *ownDID
		var tx []byte
		var next ed25519.PrivateKey
		if len(mine) > 0 && rng.IntN(2) == 0 {
			d = mine[rng.IntN(len(mine))]
			next = testKey(fmt.Sprintf("fault-%d-%d-rotated", w, n))
			var err error
			tx, err = txbuild.Sign(txbuild.Rotate(l.chainID, d.id, d.version, "key-1", pubOf(next)),
				txbuild.NewSigner(d.id, "key-1", d.key), txbuild.NewSigner(d.id, "key-1", next))
			if err != nil {
				panic(err)
			}
		} else {
			next = testKey(fmt.Sprintf("fault-%d-%d", w, n))
			var id types.ID
			id, tx = newCreate(l.c.t, l.chainID, next)
			d = &ownDID{id: id}
		}
		// A node commits a block a moment after another: a careful client
		// waits until the node it writes to has the version it builds on.
		caughtUp := d.version == 0 || l.knows(target, d)
		height, code, log, err := l.submit(target, tx, w%2 == 1)
		l.mu.Lock()
		switch {
		case err != nil:
			l.unknown++
			mine = drop(mine, d)
		case code != 0 && height == 0 && !caughtUp:
			// CheckTx ran on a node still behind the version the worker
			// heard of from another node: not in its mempool, so the
			// DID stays as the worker knows it.
			l.behind++
		case code != 0:
			l.refused = append(l.refused, fmt.Sprintf("%s v%d via %s: code %d: %s", d.id, d.version, l.c.net.Nodes[target].Name, code, log))
			mine = drop(mine, d)
		default:
			h := sha256.Sum256(tx)
			if d.version == 0 {
				l.creates++
				mine = append(mine, d)
			} else {
				l.rotations++
			}
			d.version++
			d.key = next
			l.promises = append(l.promises, promise{id: d.id, version: d.version, height: height, txHash: h[:]})
		}
		l.mu.Unlock()
		if err != nil {
			select { // a dead node answers at once: do not spin
			case <-l.stop:
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// knows waits (briefly) until node i has committed d's version.
func (l *faultLoad) knows(i int, d *ownDID) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	for {
		res, err := l.c.clients[i].ABCIQuery(ctx, types.QueryPathDID, []byte(d.id.String()))
		if err == nil && res.Response.Code == 0 {
			var got types.QueryDIDResponse
			if got.Unmarshal(res.Response.Value) == nil && got.Head.Version >= d.version {
				return true
			}
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func drop(ds []*ownDID, d *ownDID) []*ownDID {
	for i, x := range ds {
		if x == d {
			return append(ds[:i], ds[i+1:]...)
		}
	}
	return ds
}

// submit sends tx to node i and waits for its block: the height, the
// result code and log (height 0 when CheckTx refused it), or an error when
// the outcome is unknown.
func (l *faultLoad) submit(i int, tx []byte, sync bool) (int64, uint32, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c := l.c.clients[i]
	if !sync {
		return commit(ctx, c, tx)
	}
	res, err := c.BroadcastTxSync(ctx, tx)
	if err != nil {
		return 0, 0, "", err
	}
	if res.Code != 0 {
		return 0, res.Code, res.Log, nil
	}
	hash := sha256.Sum256(tx)
	for k := 0; ; k++ {
		// Ask the node it was sent to, and another when that one is down.
		r, err := l.c.clients[(i+k)%len(l.c.clients)].Tx(ctx, hash[:], false)
		if err == nil {
			return r.Height, r.TxResult.Code, r.TxResult.Log, nil
		}
		select {
		case <-ctx.Done():
			return 0, 0, "", errors.New("not seen in a block in time")
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// snapshot returns the promises so far and the counters.
func (l *faultLoad) snapshot() (ps []promise, creates, rotations, unknown, behind int, refused []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]promise(nil), l.promises...), l.creates, l.rotations, l.unknown, l.behind, append([]string(nil), l.refused...)
}
