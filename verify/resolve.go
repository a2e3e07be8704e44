package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

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
	// Head is nil when the DID is proved not registered.
	Head *types.Head
	// Record is the version asked for (the latest by default).
	Record *types.VersionRecord
}

// Errors a caller may want to tell apart.
var (
	ErrProof  = errors.New("verify: proof does not hold")
	ErrHeader = errors.New("verify: header not verified")
)

// Resolve reads a DID (version 0: the latest) with proofs at the latest
// provable height (the one before the node's last: its app hash is signed in
// the last header) and verifies them.
func (c *Client) Resolve(ctx context.Context, id types.ID, version uint64) (*Resolution, error) {
	return c.ResolveAt(ctx, id, version, 0)
}

// ResolveAt is Resolve at a given height (0: the latest provable), e.g. the
// height a tx committed at; it waits for header height+1 to exist.
func (c *Client) ResolveAt(ctx context.Context, id types.ID, version uint64, height int64) (*Resolution, error) {
	raw, height, lb, err := c.proved(ctx, types.HeadKey(id), height, nil)
	if err != nil {
		return nil, err
	}
	res := &Resolution{Height: height, AppHash: lb.AppHash}
	if raw == nil {
		return res, nil
	}
	var head types.Head
	if err := head.Unmarshal(raw); err != nil {
		return nil, fmt.Errorf("%w: head of %s does not decode: %v", ErrProof, id, err)
	}
	res.Head = &head
	if version == 0 {
		version = head.Version
	}
	if version > head.Version {
		return nil, fmt.Errorf("verify: %s has no version %d (latest is %d)", id, version, head.Version)
	}
	raw, _, _, err = c.proved(ctx, types.VersionKey(id, version), height, lb)
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, fmt.Errorf("%w: version %d of %s is proved absent though its head lists it", ErrProof, version, id)
	}
	var rec types.VersionRecord
	if err := rec.Unmarshal(raw); err != nil {
		return nil, fmt.Errorf("%w: version %d of %s does not decode: %v", ErrProof, version, id, err)
	}
	if rec.Version != version || rec.Document.Id != id.String() {
		return nil, fmt.Errorf("%w: the proved record is not version %d of %s", ErrProof, version, id)
	}
	res.Record = &rec
	return res, nil
}

// proved reads a state key with its proof at height (0: the node picks the
// latest provable one), verifies header height+1 with the light client (or
// uses lb when given, for a second key at the same height) and checks the
// proof against its app hash.
func (c *Client) proved(ctx context.Context, key []byte, height int64, lb *cmttypes.LightBlock) ([]byte, int64, *cmttypes.LightBlock, error) {
	if height > 0 && lb == nil {
		// Header height+1 carries the app hash; wait until it exists.
		if _, err := c.verifiedHeader(ctx, height+1); err != nil {
			return nil, 0, nil, err
		}
	}
	res, err := c.rpc.ABCIQueryWithOptions(ctx, types.QueryPathState, key, rpcclient.ABCIQueryOptions{Height: height, Prove: true})
	if err != nil {
		return nil, 0, nil, fmt.Errorf("verify: query %s: %w", c.cfg.Primary, err)
	}
	r := res.Response
	if r.Code != 0 {
		return nil, 0, nil, fmt.Errorf("verify: the node refused the query (code %d): %s", r.Code, r.Log)
	}
	if height != 0 && r.Height != height {
		return nil, 0, nil, fmt.Errorf("%w: asked for height %d, the answer is for %d", ErrProof, height, r.Height)
	}
	if r.Height < 1 {
		return nil, 0, nil, fmt.Errorf("%w: the answer has no height", ErrProof)
	}
	if !bytes.Equal(r.Key, []byte(proof.KeyPath(key))) {
		return nil, 0, nil, fmt.Errorf("%w: the answer is for another key", ErrProof)
	}
	if lb == nil {
		lb, err = c.verifiedHeader(ctx, r.Height+1)
		if err != nil {
			return nil, 0, nil, err
		}
	}
	value := r.Value
	if len(value) == 0 {
		value = nil
	}
	if err := proof.Verify(r.ProofOps, lb.AppHash, key, value); err != nil {
		return nil, 0, nil, fmt.Errorf("%w at height %d: %v", ErrProof, r.Height, err)
	}
	return value, r.Height, lb, nil
}

// verifiedHeader verifies header h with the light client, waiting briefly
// for it to be produced.
func (c *Client) verifiedHeader(ctx context.Context, h int64) (*cmttypes.LightBlock, error) {
	var lastErr error
	for attempt := 0; attempt < 50; attempt++ {
		lb, err := c.light.VerifyLightBlockAtHeight(ctx, h, time.Now())
		if err == nil {
			if err := c.remember(lb); err != nil {
				return nil, fmt.Errorf("verify: remember trusted header: %w", err)
			}
			return lb, nil
		}
		lastErr = err
		if !isNotYet(err) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return nil, fmt.Errorf("%w: header %d: %v", ErrHeader, h, lastErr)
}

// isNotYet reports whether err says the header does not exist yet.
func isNotYet(err error) bool {
	msg := err.Error()
	return bytes.Contains([]byte(msg), []byte("height requested is too high")) ||
		bytes.Contains([]byte(msg), []byte("light block not found")) ||
		bytes.Contains([]byte(msg), []byte("must be less than or equal to the current blockchain height"))
}
