package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cometbft/cometbft/light"
	"github.com/cometbft/cometbft/light/provider"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/custos-ledger/custos/proof"
	"github.com/custos-ledger/custos/x/did/types"
)

// Resolution is a verified answer: the state of a DID at Height, under
// AppHash, which header Height+1 carries and the light client verified.
type Resolution struct {
	Height  int64
	AppHash []byte
	// HeaderTime is the time of header Height+1.
	HeaderTime time.Time
	// Head is nil when the DID is proved not registered.
	Head *types.Head
	// Record is the version asked for (the latest by default).
	Record *types.VersionRecord
	// Primary is the node that answered.
	Primary string
	// Witnesses says what every other node did: agreed on header
	// Height+1, was unreachable, or was behind. When none agreed, the
	// header was checked against the validators' signatures only.
	Witnesses []NodeReport
}

// Agreed returns the witnesses that served the same header Height+1.
func (r *Resolution) Agreed() []string {
	var out []string
	for _, w := range r.Witnesses {
		if w.State == NodeAgreed {
			out = append(out, w.Addr)
		}
	}
	return out
}

// Errors a caller may want to tell apart.
var (
	ErrProof  = errors.New("verify: proof does not hold")
	ErrHeader = errors.New("verify: header not verified")
	// ErrStale: a latest-state answer is older than the witnesses' view of
	// the chain or than Config.MaxAge.
	ErrStale = errors.New("verify: the answer is stale")
	// ErrWitness: a witness serves another header at the height the
	// answer is checked against.
	ErrWitness = errors.New("verify: a witness disagrees")
)

// pollInterval is how often a node's status is asked for while waiting for
// a header.
const pollInterval = 100 * time.Millisecond

// Resolve reads a DID (version 0: the latest) as of the primary's latest
// block, so that a change the primary reported committed is seen, and
// verifies it. The answer must be fresh: its height no more than
// Config.MaxLag blocks below the latest height any witness reports, and
// the header that carries its app hash no older than Config.MaxAge by the
// local clock; else the error is ErrStale.
func (c *Client) Resolve(ctx context.Context, id types.ID, version uint64) (*Resolution, error) {
	return c.resolve(ctx, id, version, 0)
}

// ResolveAt is Resolve at a given height (0: the latest, with Resolve's
// freshness checks), e.g. the height a tx committed at; it waits for
// header height+1 to exist. An answer at a given height is as old as
// asked: it is not checked for freshness.
func (c *Client) ResolveAt(ctx context.Context, id types.ID, version uint64, height int64) (*Resolution, error) {
	if height < 0 {
		return nil, fmt.Errorf("verify: height %d is negative", height)
	}
	return c.resolve(ctx, id, version, height)
}

func (c *Client) resolve(ctx context.Context, id types.ID, version uint64, height int64) (*Resolution, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sts := probe(ctx, c.nodes, c.cfg.NodeTimeout)
	if err := c.settleChain(sts); err != nil {
		return nil, err
	}
	p, err := c.pickPrimary(sts)
	if err != nil {
		return nil, err
	}
	c.primary = p
	latest := height == 0
	if latest {
		height = sts[p].latest
		if height < 1 {
			return nil, fmt.Errorf("verify: the node at %s has no block yet", c.nodes[p].addr)
		}
		if err := c.checkLag(height, sts); err != nil {
			return nil, err
		}
	}
	reports, agreeing, err := c.awaitHeader(ctx, height+1, sts)
	if err != nil {
		return nil, err
	}
	witnesses := make([]provider.Provider, 0, len(agreeing))
	for _, i := range agreeing {
		witnesses = append(witnesses, c.nodes[i].provider)
	}
	if len(witnesses) == 0 {
		// No other node answered at all: the header is checked against
		// the validators' signatures alone, and the answer says so.
		witnesses = append(witnesses, c.nodes[p].provider)
	}
	lc, err := light.NewClientFromTrustedStore(c.cfg.ChainID, c.cfg.TrustPeriod, c.nodes[p].provider, witnesses, c.store, c.lightOptions()...)
	if err != nil {
		return nil, fmt.Errorf("verify: light client: %w", err)
	}
	c.light = lc
	res, lb, err := c.resolveAt(ctx, id, version, height)
	if err != nil {
		return nil, err
	}
	if latest {
		if age := time.Since(lb.Time); age > c.cfg.MaxAge {
			return nil, fmt.Errorf("%w: header %d, which carries the app hash of height %d (the latest block of the node at %s), was made at %s, %s ago, more than the maximum age %s: the chain has stalled, the node serves an old view of it, or this computer's clock is off",
				ErrStale, lb.Height, height, c.nodes[p].addr, lb.Time.UTC().Format(time.RFC3339), age.Round(time.Second), c.cfg.MaxAge)
		}
	}
	if err := c.compareWitnesses(ctx, lb, agreeing, reports); err != nil {
		return nil, err
	}
	if err := c.remember(lb); err != nil {
		return nil, fmt.Errorf("verify: remember trusted header: %w", err)
	}
	res.Primary = c.nodes[p].addr
	for i := range c.nodes {
		if i != p {
			res.Witnesses = append(res.Witnesses, *reports[i])
		}
	}
	return res, nil
}

// checkLag refuses a latest height more than MaxLag blocks below the
// highest latest height another node reports.
func (c *Client) checkLag(height int64, sts []status) error {
	top, at := int64(0), -1
	for i, st := range sts {
		if i != c.primary && st.err == nil && st.latest > top {
			top, at = st.latest, i
		}
	}
	if at >= 0 && top-height > c.cfg.MaxLag {
		return fmt.Errorf("%w: the node at %s says its latest block is %d, %d blocks below the latest block %d of witness %s (more than the maximum lag of %d): it is behind, or it serves an old view of the chain; do not trust it, ask another --node first",
			ErrStale, c.nodes[c.primary].addr, height, top-height, top, c.nodes[at].addr, c.cfg.MaxLag)
	}
	return nil
}

// awaitHeader waits until the primary has header h, then up to
// WitnessWait for the other nodes that answered to have it too. It returns
// a report of every node but the primary (agreement still to be checked),
// and the nodes that have h. Whether a node has h is asked for h itself:
// a node's claim of its latest height decides nothing here.
func (c *Client) awaitHeader(ctx context.Context, h int64, sts []status) (map[int]*NodeReport, []int, error) {
	reports := map[int]*NodeReport{}
	for i, st := range sts {
		if i == c.primary {
			continue
		}
		r := &NodeReport{Addr: c.nodes[i].addr, LatestHeight: st.latest}
		if st.err != nil {
			r.State, r.Err = NodeUnreachable, unreachable(st.err)
		}
		reports[i] = r
	}
	for {
		ok, err := c.hasHeader(ctx, c.nodes[c.primary], h)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: header %d: the node at %s: %s", ErrHeader, h, c.nodes[c.primary].addr, printable(err.Error()))
		}
		if ok {
			break
		}
		select {
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("%w: header %d: the node at %s did not make it in time: %v", ErrHeader, h, c.nodes[c.primary].addr, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
	deadline := time.Now().Add(c.cfg.WitnessWait)
	have := map[int]bool{}
	for {
		var pending []int
		for i, r := range reports {
			if r.State == "" && !have[i] {
				pending = append(pending, i)
			}
		}
		type answer struct {
			i   int
			ok  bool
			err error
		}
		ch := make(chan answer, len(pending))
		for _, i := range pending {
			go func() {
				ok, err := c.hasHeader(ctx, c.nodes[i], h)
				ch <- answer{i, ok, err}
			}()
		}
		for range pending {
			a := <-ch
			switch {
			case a.err != nil:
				reports[a.i].State, reports[a.i].Err = NodeUnreachable, unreachable(a.err)
			case a.ok:
				have[a.i] = true
			}
		}
		if allSettled(reports, have) {
			break
		}
		if time.Now().After(deadline) {
			for i, r := range reports {
				if r.State == "" && !have[i] {
					r.State = NodeBehind
				}
			}
			break
		}
		select {
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("%w: header %d: waiting for the witnesses to have it: %v", ErrHeader, h, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
	var out []int
	var behind []string
	for i := range c.nodes {
		r, ok := reports[i]
		switch {
		case !ok:
		case have[i]:
			out = append(out, i)
		case r.State == NodeBehind:
			behind = append(behind, fmt.Sprintf("%s at height %d", r.Addr, r.LatestHeight))
		}
	}
	if len(out) == 0 && len(behind) > 0 {
		// Witnesses answer but none has the header: the primary is ahead
		// of them, and its header cannot be cross-checked.
		return nil, nil, fmt.Errorf("%w: header %d: no witness has it within %s (%s): the node at %s is ahead of the witnesses; try again, or ask other --node addresses",
			ErrHeader, h, c.cfg.WitnessWait, strings.Join(behind, ", "), c.nodes[c.primary].addr)
	}
	return reports, out, nil
}

// allSettled reports whether every node is unreachable or has the header.
func allSettled(reports map[int]*NodeReport, have map[int]bool) bool {
	for i, r := range reports {
		if r.State == "" && !have[i] {
			return false
		}
	}
	return true
}

// hasHeader asks n for header h: false (and no error) when n says it does
// not have it yet.
func (c *Client) hasHeader(ctx context.Context, n *node, h int64) (bool, error) {
	hctx, cancel := context.WithTimeout(ctx, c.cfg.NodeTimeout)
	defer cancel()
	_, err := n.rpc.Header(hctx, &h)
	switch {
	case err == nil:
		return true, nil
	case isNotYet(err):
		return false, nil
	}
	return false, err
}

// compareWitnesses asks each witness that has header lb.Height for it:
// the same header agrees; another one fails the answer.
func (c *Client) compareWitnesses(ctx context.Context, lb *cmttypes.LightBlock, have []int, reports map[int]*NodeReport) error {
	h := lb.Height
	type answer struct {
		i    int
		hash []byte
		err  error
	}
	ch := make(chan answer, len(have))
	for _, i := range have {
		go func() {
			cctx, cancel := context.WithTimeout(ctx, c.cfg.NodeTimeout)
			defer cancel()
			res, err := c.nodes[i].rpc.Commit(cctx, &h)
			if err != nil {
				ch <- answer{i: i, err: err}
				return
			}
			ch <- answer{i: i, hash: res.SignedHeader.Hash()}
		}()
	}
	var conflict []string
	for range have {
		a := <-ch
		r := reports[a.i]
		switch {
		case a.err != nil:
			r.State, r.Err = NodeUnreachable, unreachable(a.err)
		case !bytes.Equal(a.hash, lb.Hash()):
			conflict = append(conflict, fmt.Sprintf("%s has %X", r.Addr, a.hash))
		default:
			r.State = NodeAgreed
		}
	}
	if len(conflict) > 0 {
		return fmt.Errorf("%w: header %d verified from the node at %s is %X, but %s: the chain has forked or a node lies; do not trust this answer",
			ErrWitness, h, c.nodes[c.primary].addr, lb.Hash(), strings.Join(conflict, "; "))
	}
	return nil
}

// resolveAt reads id at height with proofs and checks them against header
// height+1, which the light client verifies.
func (c *Client) resolveAt(ctx context.Context, id types.ID, version uint64, height int64) (*Resolution, *cmttypes.LightBlock, error) {
	lb, err := c.verifiedHeader(ctx, height+1)
	if err != nil {
		return nil, nil, err
	}
	raw, err := c.proved(ctx, types.HeadKey(id), height, lb)
	if err != nil {
		return nil, nil, err
	}
	res := &Resolution{Height: height, AppHash: lb.AppHash, HeaderTime: lb.Time}
	if raw == nil {
		return res, lb, nil
	}
	var head types.Head
	if err := head.Unmarshal(raw); err != nil {
		return nil, nil, fmt.Errorf("%w: head of %s does not decode: %s", ErrProof, id, printable(err.Error()))
	}
	res.Head = &head
	if version == 0 {
		version = head.Version
	}
	if version > head.Version {
		return nil, nil, fmt.Errorf("verify: %s has no version %d (latest is %d)", id, version, head.Version)
	}
	raw, err = c.proved(ctx, types.VersionKey(id, version), height, lb)
	if err != nil {
		return nil, nil, err
	}
	if raw == nil {
		return nil, nil, fmt.Errorf("%w: version %d of %s is proved absent though its head lists it", ErrProof, version, id)
	}
	var rec types.VersionRecord
	if err := rec.Unmarshal(raw); err != nil {
		return nil, nil, fmt.Errorf("%w: version %d of %s does not decode: %s", ErrProof, version, id, printable(err.Error()))
	}
	if rec.Version != version || rec.Document.Id != id.String() {
		return nil, nil, fmt.Errorf("%w: the proved record is not version %d of %s", ErrProof, version, id)
	}
	res.Record = &rec
	return res, lb, nil
}

// proved reads a state key with its proof at height from the primary and
// checks the proof against the app hash of lb (header height+1).
func (c *Client) proved(ctx context.Context, key []byte, height int64, lb *cmttypes.LightBlock) ([]byte, error) {
	n := c.nodes[c.primary]
	res, err := n.rpc.ABCIQueryWithOptions(ctx, types.QueryPathState, key, rpcclient.ABCIQueryOptions{Height: height, Prove: true})
	if err != nil {
		return nil, fmt.Errorf("verify: query %s: %s", n.addr, printable(err.Error()))
	}
	r := res.Response
	if r.Code != 0 {
		return nil, fmt.Errorf("verify: the node at %s refused the query (code %d): %s", n.addr, r.Code, printable(r.Log))
	}
	if r.Height != height {
		return nil, fmt.Errorf("%w: asked for height %d, the answer is for %d", ErrProof, height, r.Height)
	}
	if !bytes.Equal(r.Key, []byte(proof.KeyPath(key))) {
		return nil, fmt.Errorf("%w: the answer is for another key", ErrProof)
	}
	value := r.Value
	if len(value) == 0 {
		value = nil
	}
	if err := proof.Verify(r.ProofOps, lb.AppHash, key, value); err != nil {
		return nil, fmt.Errorf("%w at height %d: %s", ErrProof, height, printable(err.Error()))
	}
	return value, nil
}

// verifiedHeader verifies header h with the light client, waiting briefly
// for it to be produced.
func (c *Client) verifiedHeader(ctx context.Context, h int64) (*cmttypes.LightBlock, error) {
	var lastErr error
	for attempt := 0; attempt < 50; attempt++ {
		lb, err := c.light.VerifyLightBlockAtHeight(ctx, h, time.Now())
		if err == nil {
			return lb, nil
		}
		lastErr = err
		if !isNotYet(err) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: header %d: %v", ErrHeader, h, ctx.Err())
		case <-time.After(2 * pollInterval):
		}
	}
	return nil, fmt.Errorf("%w: header %d: %s", ErrHeader, h, printable(lastErr.Error()))
}

// isNotYet reports whether err says the header does not exist yet.
func isNotYet(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "height requested is too high") ||
		strings.Contains(msg, "light block not found") ||
		strings.Contains(msg, "must be less than or equal to the current blockchain height")
}
