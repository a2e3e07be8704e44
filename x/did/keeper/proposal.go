package keeper

import (
	"fmt"

	"github.com/custos-ledger/custos/x/did/types"
)

// MaxProposalWriteBytes bounds the sum of the write estimates
// (writeEstimate) of a block's txs. A proposer stops adding txs there, and
// a block over it is refused. It leaves MaxScheduledWriteBytes of the
// block's budget to timed actions, which run first.
const MaxProposalWriteBytes = MaxBlockWriteBytes - MaxScheduledWriteBytes

// Proposal checks the txs of a proposed block, in order, against the
// state the block builds on, before anything executes. It refuses what
// every node would refuse whatever the block's earlier txs do, so an
// honest proposer (which drops those) never builds a block that honest
// nodes refuse, and a byzantine one cannot make them store junk:
//
//   - a tx that does not decode, is over max_tx_bytes, or fails a check
//     that needs no state (chain id, memo, signature count, target DID,
//     operation, the key URLs its signatures name);
//   - a create whose inception document breaks a rule, whose stamp falls
//     short of the chain's stamp_difficulty, that lacks an endorsement the
//     chain's policy asks for, or whose own signatures do not verify under
//     the keys the document itself lists: these are facts of the tx and the
//     params alone (VerifyOwnSignatures checks the signatures);
//   - a tx the block already holds;
//   - a tx that takes the block's write estimate past
//     MaxProposalWriteBytes.
//
// Signatures under stored keys, stale versions and authorization are not
// checked: an earlier tx of the block or a timed action may change them,
// so they stay per-tx results. Signatures are verified through the
// keeper's Facts, so a node that checked the tx before (CheckTx, or a
// batch pass) may find them remembered.
type Proposal struct {
	k       *Keeper
	r       Reader
	chainID string
	seen    map[[32]byte]struct{}
	writes  int64
}

// NewProposal starts checking a block proposed on state r.
func (k *Keeper) NewProposal(r Reader, chainID string) *Proposal {
	return &Proposal{k: k, r: r, chainID: chainID, seen: map[[32]byte]struct{}{}}
}

// Writes returns the write estimate of the txs added so far.
func (p *Proposal) Writes() int64 { return p.writes }

// Add checks the block's next tx with every check but signatures, and
// counts it: its encoding and the checks that need no state, that the
// block does not hold it already, and its write estimate. A registered
// error says why a block must not hold it (nothing is counted then); any
// other error is a store failure. Cheap: a node runs it over a whole
// proposal before it verifies any signature (VerifyOwnSignatures).
func (p *Proposal) Add(raw []byte) error {
	e, err := p.k.prepare(readOnly{p.r}, Block{ChainID: p.chainID}, raw)
	if err != nil {
		return err
	}
	h := [32]byte(e.txHash)
	if _, dup := p.seen[h]; dup {
		return types.ErrDuplicateTx.Wrap("the block already holds this transaction")
	}
	for _, err := range e.urlErrs {
		if err != nil {
			return err
		}
	}
	if op, ok := e.body.Operation.(*types.TxBody_Create); ok {
		if err := e.checkStamp(); err != nil {
			return err
		}
		if _, _, err := e.inception(op.Create); err != nil {
			return err
		}
		if _, err := e.endorsementIndex(); err != nil {
			return err
		}
	}
	n, err := p.k.writeEstimate(p.r, e.id, len(raw), makesVersion(e.body))
	if err != nil {
		return err
	}
	if p.writes+n > MaxProposalWriteBytes {
		return types.ErrBlockWriteLimit.Wrapf("the block's txs are estimated to write %d bytes, this one %d more, the bound is %d",
			p.writes, n, MaxProposalWriteBytes)
	}
	p.seen[h] = struct{}{}
	p.writes += n
	return nil
}

// VerifyOwnSignatures checks the signatures of a create under the keys its
// own inception document lists: every signature must name one of them and
// verify, and every signing key must be of prime order and have signed, or
// the create fails whatever the state. Other operations are signed by
// stored keys and are not checked here. The tx must have passed Add's checks (a tx that does
// not decode gets its decoding error).
func (p *Proposal) VerifyOwnSignatures(raw []byte) error {
	e, err := p.k.prepare(readOnly{p.r}, Block{ChainID: p.chainID}, raw)
	if err != nil {
		return err
	}
	op, ok := e.body.Operation.(*types.TxBody_Create)
	if !ok {
		return nil
	}
	_, keys, err := e.inception(op.Create)
	if err != nil {
		return err
	}
	// The endorsement is verified at execution, under the endorser's keys
	// as they are then.
	if e.endorsement, err = e.endorsementIndex(); err != nil {
		return err
	}
	s, err := e.verifySignatures(nil, keys)
	if err != nil {
		return err
	}
	return e.requirePossession(nil, keys, s)
}

// Signatures returns how many signatures the tx carries (0 for a tx that
// does not decode).
func (k *Keeper) Signatures(raw []byte) int {
	p, err := k.Parse(raw)
	if err != nil {
		return 0
	}
	return len(p.tx.Signatures)
}

// writeEstimate is what a tx of txLen bytes on target is taken to write,
// from the state the block builds on: what the target has that an
// operation rewrites (its head, its guardian and recovery state, and its
// current version when the operation makes a new one), twice the tx (a new
// document, a history entry, a proposal are made of what the tx brings)
// and estimateSlack. It is a function of the tx and committed state only,
// so every node computes the same. It covers what each honest operation
// writes (TestWriteEstimateCoversHonestOps); a tx it misjudges is still
// bounded by the block's write budget at execution (Execute).
func (k *Keeper) writeEstimate(r Reader, target types.ID, txLen int, version bool) (int64, error) {
	n := int64(2*txLen) + estimateSlack
	raw, err := r.Get(types.HeadKey(target))
	if err != nil || raw == nil {
		return n, err
	}
	n += int64(len(raw))
	if version {
		var head types.Head
		if err := head.Unmarshal(raw); err != nil {
			return 0, fmt.Errorf("keeper: corrupt head of %s: %w", target, err)
		}
		v, err := k.facts.Version(r, target, head.Version)
		if err != nil {
			return 0, err
		}
		if v != nil {
			n += int64(v.Size())
		}
	}
	for _, key := range [][]byte{types.GuardiansKey(target), types.RecoveriesKey(target)} {
		raw, err := r.Get(key)
		if err != nil {
			return 0, err
		}
		n += int64(len(raw))
	}
	return n, nil
}

// makesVersion reports whether the operation writes a new version of its
// target's document when it executes (the guardian and recovery
// operations change other state; a recovery's version is made by its
// timed action).
func makesVersion(body *types.TxBody) bool {
	switch body.Operation.(type) {
	case *types.TxBody_SetGuardians, *types.TxBody_RecoveryInitiate, *types.TxBody_RecoveryApprove, *types.TxBody_RecoveryCancel:
		return false
	}
	return true
}

// estimateSlack is what writeEstimate adds to every tx: the records an
// operation writes beyond what the tx and the target's state are made of
// (heights, times, hashes, the log), and EntryOverhead for each of the
// entries it writes (at most 6: head, version, history entry, guardian and
// recovery state, a schedule entry).
const estimateSlack = 512 + 6*EntryOverhead

// VersionSlot returns the target and expected version of a tx whose
// operation must expect its target's current version exactly: every
// operation but the recovery ones, which guardians may build on an older
// version. A create expects 0. ok is false for any other tx, or one that
// does not parse. Of the txs of a block that share a slot at most one can
// apply when the slot's operations make a version (the first that does
// uses the version up and the others fail as stale or as already
// created); a guardian change makes none, but each is counted against the
// target's rate limit.
func (k *Keeper) VersionSlot(raw []byte) (id types.ID, version uint64, ok bool) {
	p, err := k.Parse(raw)
	if err != nil || p.idErr != nil || p.body.Operation == nil {
		return types.ID{}, 0, false
	}
	switch p.body.Operation.(type) {
	case *types.TxBody_RecoveryInitiate, *types.TxBody_RecoveryApprove, *types.TxBody_RecoveryCancel:
		return types.ID{}, 0, false
	}
	return p.id, p.body.ExpectedVersion, true
}
