package keeper

import (
	"errors"
	"fmt"
	"slices"

	"github.com/custos-ledger/custos/x/did/types"
)

// Store is the state the keeper reads and writes. Get returns nil for a key
// that has no value.
type Store interface {
	Reader
	Set(key, value []byte) error
	// Delete removes a key that has a value.
	Delete(key []byte) error
	// Scan calls fn with the entries under prefix in key order until fn
	// returns false; fn must not write.
	Scan(prefix []byte, fn func(key, value []byte) bool) error
}

// Reader is read access to state.
type Reader interface {
	Get(key []byte) ([]byte, error)
}

// Block is what the keeper knows of the block a tx executes in.
type Block struct {
	ChainID string
	Height  int64
	// Time is the block header's time in whole Unix seconds.
	Time int64
	// Writes is what the rest of the block may write (nil: unbounded, for
	// checks). Execute and BeginBlock take their writes from it.
	Writes *WriteBudget
}

// Outcome describes an executed transaction.
type Outcome struct {
	DID     types.ID
	Version uint64
	Kind    types.EventKind
	// Event is the history entry the transaction appended.
	Event types.HistoryEntry
	// Extra are further entries the transaction caused (a rotation that
	// cancels pending recoveries, a recovery that supersedes a guardian
	// change), in order.
	Extra []types.HistoryEntry
	// Endorser is the endorser DID whose signature admitted a create
	// under WRITE_POLICY_ENDORSED (zero: none), at EndorserVersion: the
	// create's outcome also depends on that DID's head.
	Endorser        types.ID
	EndorserVersion uint64
}

// Keeper executes transactions under fixed consensus params. A governance
// write-policy change (SetWritePolicyOp) rewrites the params in state; the
// application then makes a new Keeper of them for the next block.
type Keeper struct {
	params types.Params
	// facts answers the rules' pure questions (Facts).
	facts Facts
	// scheduledPerBlock bounds the timed actions one block runs.
	scheduledPerBlock int
}

// ScheduledPerBlock is the most timed actions one block runs (they also
// share MaxScheduledWriteBytes of writes, which binds first when actions
// write more than 1 KiB each): after a long halt, the actions that came due
// meanwhile run over the next blocks, in schedule order, instead of all in
// the first one. It is above what one block of txs can schedule (a 1 MiB
// block holds about 5,200 set-guardians txs, whose actions write about
// 1.3 KB each: about 3,200 fit in the write share).
const ScheduledPerBlock = 4096

// New returns a Keeper that asks facts its pure questions. A nil facts is
// Direct: everything is computed afresh.
func New(params types.Params, facts Facts) *Keeper {
	if facts == nil {
		facts = Direct{}
	}
	return &Keeper{params: params, facts: facts, scheduledPerBlock: ScheduledPerBlock}
}

// Params returns the consensus params the keeper enforces.
func (k *Keeper) Params() types.Params { return k.params }

// execution is one transaction being executed.
type execution struct {
	k    *Keeper
	st   Store
	blk  Block
	id   types.ID
	body *types.TxBody // shared (ParsedTx): read only
	sigs []types.Signature
	// The key URL each signature names, or why its name is not one.
	urls    []types.URL
	urlErrs []error
	msg     []byte
	txHash  []byte
	// bodyBytes and stamp are the tx's body as sent and its stamp (nil:
	// none); endorsement is the index of the signature endorse accepted
	// (noSig: none), which verifyParties leaves out.
	bodyBytes   []byte
	stamp       *types.Stamp
	endorsement int
	// endorser and endorserVersion are the endorser DID endorse accepted
	// and its version then.
	endorser        types.ID
	endorserVersion uint64
	writes          []write
	logged          []types.HistoryEntry
	// dryRun (Check) stages no writes: records are not even encoded.
	dryRun bool

	// Loaded on first use, staged on every change (the last write wins).
	guardians  *types.GuardianState
	recoveries *types.RecoveryState
	// sched is the target's timed actions as its guardian and recovery
	// state imply them, as loaded and as last saved (schedule.go).
	sched actions

	// head is the target's head as last staged by log; finish writes it,
	// with keys, the key records the execution changed. made is the
	// digest of the version record commitVersion wrote, until log chains
	// it.
	head *types.Head
	keys map[string]*types.KeyRecord
	// dropped are the fragments whose records archiveKeys moved out of
	// the head; finish deletes them.
	dropped []string
	// burned are the materials (multicodec) this execution marked
	// compromised.
	burned map[string]bool
	made   []byte
	// loaded is the target's head as the operation read it from the state
	// (empty for a create); keyRecord starts from its key records.
	loaded *types.Head
}

type write struct {
	key   []byte
	value []byte // nil: delete the key
}

// Execute runs one transaction. On success its writes are in st and taken
// from the block's write budget; on a refusal (types.Registered(err) !=
// nil) st is untouched. A tx that passes every rule but whose writes do
// not fit in what the block may still write is refused with
// types.ErrBlockWriteLimit.
func (k *Keeper) Execute(st Store, blk Block, txBytes []byte) (Outcome, error) {
	e, err := k.prepare(st, blk, txBytes)
	if err != nil {
		return Outcome{}, err
	}
	out, err := e.run()
	if err != nil {
		return Outcome{}, err
	}
	if err := e.finish(); err != nil {
		return Outcome{}, err
	}
	if err := e.charge(); err != nil {
		return Outcome{}, err
	}
	if err := e.apply(st); err != nil {
		return Outcome{}, err
	}
	return out, nil
}

// Check runs every check of Execute against st and writes nothing.
func (k *Keeper) Check(st Reader, blk Block, txBytes []byte) (Outcome, error) {
	e, err := k.prepare(readOnly{st}, blk, txBytes)
	if err != nil {
		return Outcome{}, err
	}
	e.dryRun = true
	return e.run()
}

type readOnly struct{ Reader }

func (readOnly) Set([]byte, []byte) error { return errWriteDuringCheck }
func (readOnly) Delete([]byte) error      { return errWriteDuringCheck }
func (readOnly) Scan([]byte, func(key, value []byte) bool) error {
	return errors.New("keeper: scan during check")
}

var errWriteDuringCheck = errors.New("keeper: write during check")

// prepare parses the tx (through Facts) and runs the checks that
// need no state, cheapest first: size, encoding, chain id, memo (length,
// then text), signature count, target DID.
func (k *Keeper) prepare(st Store, blk Block, txBytes []byte) (*execution, error) {
	p, err := k.Parse(txBytes)
	if err != nil {
		return nil, err
	}
	h := p.hash
	tx, body := p.tx, p.body
	if body.ChainId != blk.ChainID {
		return nil, types.ErrWrongChainID.Wrapf("signed for %q, this chain is %q", types.Truncate(body.ChainId), blk.ChainID)
	}
	if len(body.Memo) > int(k.params.MaxMemoBytes) {
		return nil, types.ErrMemoTooLarge.Wrapf("%d bytes, the limit is %d", len(body.Memo), k.params.MaxMemoBytes)
	}
	if err := types.ValidateMemo(body.Memo); err != nil {
		return nil, err
	}
	if len(tx.Signatures) > int(k.params.MaxSignatures) {
		return nil, types.ErrTooManySignatures.Wrapf("%d signatures, the limit is %d", len(tx.Signatures), k.params.MaxSignatures)
	}
	if p.idErr != nil {
		return nil, p.idErr
	}
	if body.Operation == nil {
		return nil, types.ErrNoOperation.Wrap("the body names no operation")
	}
	if _, create := body.Operation.(*types.TxBody_Create); tx.Stamp != nil && !create {
		return nil, types.ErrStampInvalid.Wrap("only a create carries a stamp")
	}
	return &execution{
		k: k, st: st, blk: blk, id: p.id, body: body, sigs: tx.Signatures, urls: p.urls, urlErrs: p.urlErrs,
		msg: p.msg, txHash: h[:], bodyBytes: tx.Body, stamp: tx.Stamp, endorsement: noSig,
	}, nil
}

func (e *execution) run() (Outcome, error) {
	switch op := e.body.Operation.(type) {
	case *types.TxBody_Create:
		return e.create(op.Create)
	case *types.TxBody_Update:
		return e.update(op.Update)
	case *types.TxBody_RotateKey:
		return e.rotate(op.RotateKey)
	case *types.TxBody_RevokeKey:
		return e.revoke(op.RevokeKey)
	case *types.TxBody_Deactivate:
		return e.deactivate(op.Deactivate)
	case *types.TxBody_SetGuardians:
		return e.setGuardians(op.SetGuardians)
	case *types.TxBody_RecoveryInitiate:
		return e.recoveryInitiate(op.RecoveryInitiate)
	case *types.TxBody_RecoveryApprove:
		return e.recoveryApprove(op.RecoveryApprove)
	case *types.TxBody_RecoveryCancel:
		return e.recoveryCancel(op.RecoveryCancel)
	case *types.TxBody_AddValidator:
		return e.addValidator(op.AddValidator)
	case *types.TxBody_SetValidatorPower:
		return e.setValidatorPower(op.SetValidatorPower)
	case *types.TxBody_RemoveValidator:
		return e.removeValidator(op.RemoveValidator)
	case *types.TxBody_ScheduleUpgrade:
		return e.scheduleUpgrade(op.ScheduleUpgrade)
	case *types.TxBody_CancelUpgrade:
		return e.cancelUpgrade(op.CancelUpgrade)
	case *types.TxBody_SetWritePolicy:
		return e.setWritePolicy(op.SetWritePolicy)
	}
	return Outcome{}, types.ErrNoOperation.Wrap("unknown operation")
}

// DependsOnlyOnHead reports whether, under params p, the acceptance of a
// tx with body's operation (accepted, or refused and with which error) is
// decided by the tx and its target's head alone, so that a tx accepted
// against one state is accepted against every later state in which the
// target's head is the same (types.HeadKey holds the same bytes), at any
// later block time, under the same params p. The params are the one other
// input: a governance write-policy change (SetWritePolicyOp) can turn an
// accepted open create into a refused one, so a caller that remembers an
// acceptance must also remember the params (the keeper) it was decided
// under. The recheck shortcut of package app/accel relies on it to skip
// rechecking such txs in full.
//
// It holds for the operations of the target's controllers: create (the
// target has no head), update, rotate, revoke and deactivate. Each reads
// the head (version, deactivation, key records, compromise marks and
// rate-limit windows), the version record the head names (which never
// changes), the tx and the params; the rules of block time they apply (a
// compromise time not after the block's; a rate-limit window, which only
// closes as time passes) stay true as time passes. What else they read
// (pending recoveries and guardian changes, which a rotation or a
// deactivation cancels) changes what they do, never whether they are
// accepted. It does not hold for the guardian and recovery operations,
// which read the target's guardian and recovery state and the guardians'
// DIDs, nor for the validator operations, which read the validator set,
// nor for a create under WRITE_POLICY_ENDORSED, which reads its
// endorser's head. A rule that makes an operation's acceptance read
// anything else must make this return false for it.
func DependsOnlyOnHead(p types.Params, body *types.TxBody) bool {
	switch body.Operation.(type) {
	case *types.TxBody_Create:
		return p.WritePolicy == types.WRITE_POLICY_OPEN
	case *types.TxBody_Update, *types.TxBody_RotateKey, *types.TxBody_RevokeKey, *types.TxBody_Deactivate:
		return true
	}
	return false
}

// finish stages the schedule entries the target's saved guardian and
// recovery state now imply (reschedule) and the target's head, with the
// key records the execution changed, in fragment order.
func (e *execution) finish() error {
	if e.dryRun {
		return nil
	}
	if err := e.reschedule(); err != nil {
		return err
	}
	if e.head == nil {
		if len(e.keys) > 0 {
			return fmt.Errorf("keeper: key records of %s changed without a history entry", e.id)
		}
		return nil
	}
	fragments := make([]string, 0, len(e.keys))
	for f := range e.keys {
		fragments = append(fragments, f)
	}
	slices.Sort(fragments)
	for _, f := range fragments {
		e.head.SetKeyRecord(f, *e.keys[f])
	}
	for _, f := range e.dropped {
		e.head.DeleteKeyRecord(f)
	}
	return e.put(types.HeadKey(e.id), e.head)
}

// put stages a write; writes apply only once every check has passed.
func (e *execution) put(key []byte, m interface{ Marshal() ([]byte, error) }) error {
	if e.dryRun {
		return nil
	}
	b, err := m.Marshal()
	if err != nil {
		return fmt.Errorf("keeper: encode: %w", err)
	}
	e.writes = append(e.writes, write{key: key, value: b})
	return nil
}
