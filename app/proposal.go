package app

import (
	"context"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/custos-ledger/custos/x/did/types"
)

// PrepareProposal builds this node's block from the mempool's txs, in
// their order: it leaves out every tx that ProcessProposal would refuse
// (keeper.Proposal: undecodable, a create whose own signatures fail, a
// duplicate) and every tx that would take the block's write estimate past
// its bound, so that the block it proposes is one every honest node
// accepts. Of txs that share a version slot (keeper.VersionSlot: one
// target, one expected version), of which at most one can apply, it keeps
// the first maxPerVersionSlot. The mempool's txs passed CheckTx, so their signatures
// are cached: preparing verifies none again.
func (a *App) PrepareProposal(_ context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	if a.keeper() == nil {
		return nil, fmt.Errorf("app: PrepareProposal before InitChain")
	}
	snap, err := a.db.Snapshot()
	if err != nil {
		return nil, fmt.Errorf("app: prepare proposal at height %d: %w", req.Height, err)
	}
	defer snap.Close()
	k, err := a.keeperAt(snap, snap.Commit().Height)
	if err != nil {
		return nil, fmt.Errorf("app: prepare proposal at height %d: %w", req.Height, err)
	}
	if _, err := a.requiredUpgrade(snap, req.Height); err != nil {
		// This binary cannot execute the height: it proposes nothing
		// (the node is stopping, HaltErr).
		a.cfg.Logger.Error("proposing an empty block", "height", req.Height, "err", err)
		return &abci.ResponsePrepareProposal{}, nil
	}
	p := k.NewProposal(snap, a.chainID)
	txs := make([][]byte, 0, len(req.Txs))
	var refusals []error
	// At most maxPerVersionSlot txs per version slot (keeper.VersionSlot):
	// the mempool checks each tx against the committed state alone, so it
	// holds any number of txs built on one version of one DID, of which one
	// can apply. The rest would take the block's space only to fail; they
	// stay in the mempool until its recheck after this block drops them as
	// stale.
	type slot struct {
		id types.ID
		v  uint64
	}
	taken := map[slot]int{}
	superseded := 0
	for _, tx := range req.Txs {
		id, v, versioned := k.VersionSlot(tx)
		if versioned && taken[slot{id, v}] >= maxPerVersionSlot {
			superseded++
			continue
		}
		err := p.VerifyOwnSignatures(tx)
		if err == nil {
			err = p.Add(tx)
		}
		if err != nil {
			if types.Registered(err) == nil {
				return nil, fmt.Errorf("app: prepare proposal at height %d: %w", req.Height, err)
			}
			refusals = append(refusals, err)
			continue
		}
		if versioned {
			taken[slot{id, v}]++
		}
		txs = append(txs, tx)
	}
	if len(refusals) > 0 || superseded > 0 {
		var first error
		if len(refusals) > 0 {
			first = refusals[0]
		}
		a.cfg.Logger.Info("proposal leaves txs out", "height", req.Height, "kept", len(txs), "left_out", len(refusals),
			"superseded", superseded, "first", first, "write_estimate", p.Writes())
	}
	return &abci.ResponsePrepareProposal{Txs: txs}, nil
}

// maxPerVersionSlot is how many txs of one version slot a proposal
// keeps: one can apply, and a few more let clients that raced on one
// version (two officers sending at once) see stale_version in the block
// rather than wait for a tx the recheck drops. A spammer's copies take no
// more room than that.
const maxPerVersionSlot = 4

// proposalChunk is how many signatures ProcessProposal verifies together
// before it checks their txs: a batch big enough to verify at the batch's
// price (0.6 times one by one from 8 up), small enough that a junk block
// costs little more than its first bad tx.
const proposalChunk = 128

// ProcessProposal accepts a proposed block unless it holds a tx that every
// honest node refuses whatever the state (keeper.Proposal), the same tx
// twice, or txs whose write estimate exceeds the block's bound: an honest
// proposer builds none of these (PrepareProposal). Stale versions and
// authorization stay per-tx results.
//
// The checks that need no signature run over the whole block first. Then,
// about 128 signatures' worth of txs at a time, the signatures CheckTx has not seen are
// verified in one batch pass (as FinalizeBlock would) and the creates'
// own signatures are checked, so a junk block is refused after its first
// bad chunk. What was verified is cached, and FinalizeBlock of the block
// accepted skips its own batch pass: no signature is verified twice.
func (a *App) ProcessProposal(_ context.Context, req *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	if a.keeper() == nil {
		return nil, fmt.Errorf("app: ProcessProposal before InitChain")
	}
	snap, err := a.db.Snapshot()
	if err != nil {
		return nil, fmt.Errorf("app: process proposal at height %d: %w", req.Height, err)
	}
	defer snap.Close()
	k, err := a.keeperAt(snap, snap.Commit().Height)
	if err != nil {
		return nil, fmt.Errorf("app: process proposal at height %d: %w", req.Height, err)
	}
	if _, err := a.requiredUpgrade(snap, req.Height); err != nil {
		// This binary cannot judge a block it cannot execute: it votes
		// for none (the node is stopping, HaltErr).
		a.cfg.Logger.Error("proposal refused", "height", req.Height, "err", err)
		return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}, nil
	}
	p := k.NewProposal(snap, a.chainID)
	reject := func(i int, err error) (*abci.ResponseProcessProposal, error) {
		if types.Registered(err) == nil {
			return nil, fmt.Errorf("app: process proposal at height %d: %w", req.Height, err)
		}
		a.cfg.Logger.Info("proposal refused", "height", req.Height, "proposer", fmt.Sprintf("%X", req.ProposerAddress), "tx", i, "err", err)
		return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}, nil
	}
	for i, tx := range req.Txs {
		if err := p.Add(tx); err != nil {
			return reject(i, err)
		}
	}
	for lo := 0; lo < len(req.Txs); {
		hi, sigs := lo, 0
		for hi < len(req.Txs) && sigs < proposalChunk {
			sigs += k.Signatures(req.Txs[hi])
			hi++
		}
		a.acc.PrepareProposal(k, snap, req.Txs[lo:hi])
		for i := lo; i < hi; i++ {
			if err := p.VerifyOwnSignatures(req.Txs[i]); err != nil {
				return reject(i, err)
			}
		}
		lo = hi
	}
	a.acc.ProposalAccepted(req.Hash)
	return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_ACCEPT}, nil
}
