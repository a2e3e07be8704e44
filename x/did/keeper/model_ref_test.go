package keeper_test

import (
	"fmt"
	"slices"

	"github.com/custos-ledger/custos/x/did/types"
)

// The reference model of the keeper for TestModel: plain structs that decide,
// from SPEC §2-§3 alone, whether an operation is accepted, with which
// refusal, and what the DID looks like afterwards. Keys are indices into a
// pool: Ed25519 keys first, then X25519 keys.

// mMethod is a verification method: a fragment and a pool index.
type mMethod struct {
	frag string
	key  int
}

// mDoc is a model document. Every Ed25519 key is in authentication, every
// X25519 key in keyAgreement; capInv lists the controllers.
type mDoc struct {
	methods   []mMethod
	capInv    []string
	threshold uint32
}

func (d mDoc) clone() mDoc {
	return mDoc{slices.Clone(d.methods), slices.Clone(d.capInv), d.threshold}
}

// key returns the pool index under frag.
func (d mDoc) key(frag string) (int, bool) {
	for _, m := range d.methods {
		if m.frag == frag {
			return m.key, true
		}
	}
	return 0, false
}

func (d mDoc) hasKey(k int) bool {
	return slices.ContainsFunc(d.methods, func(m mMethod) bool { return m.key == k })
}

// without returns d with frag removed from the methods and capInv.
func (d mDoc) without(frag string) mDoc {
	out := mDoc{threshold: d.threshold}
	for _, m := range d.methods {
		if m.frag != frag {
			out.methods = append(out.methods, m)
		}
	}
	for _, f := range d.capInv {
		if f != frag {
			out.capInv = append(out.capInv, f)
		}
	}
	return out
}

type opKind int

const (
	opCreate opKind = iota
	opUpdate
	opRotate
	opRevoke
	opDeactivate
)

func (k opKind) String() string {
	return [...]string{"create", "update", "rotate", "revoke", "deactivate"}[k]
}

// mSig is a signature naming id#frag, made with the pool key.
type mSig struct {
	id   types.ID
	frag string
	key  int
}

// mOp is one generated operation.
type mOp struct {
	kind    opKind
	id      types.ID
	chainOK bool
	version uint64
	doc     mDoc // create, update
	frag    string
	newKey  int // rotate
	// reason is a revocation's; a rotation that marks the old key
	// compromised has REVOCATION_REASON_COMPROMISED.
	reason types.RevocationReason
	since  int64
	sigs   []mSig
}

func (o mOp) String() string {
	s := fmt.Sprintf("%s v%d", o.kind, o.version)
	if !o.chainOK {
		s += " wrong-chain"
	}
	switch o.kind {
	case opCreate, opUpdate:
		s += fmt.Sprintf(" doc=%v", o.doc)
	case opRotate:
		s += fmt.Sprintf(" %s->%d reason=%d since=%d", o.frag, o.newKey, o.reason, o.since)
	case opRevoke:
		s += fmt.Sprintf(" %s reason=%d since=%d", o.frag, o.reason, o.since)
	}
	for _, g := range o.sigs {
		s += fmt.Sprintf(" sig(%s#%s by %d)", g.id.String()[11:15], g.frag, g.key)
	}
	return s
}

// mDID is the model state of one DID.
type mDID struct {
	version     uint64
	deactivated bool
	doc         mDoc
	// ever lists every fragment that ever had a key of the DID.
	ever map[string]bool
	// compromised lists the pool keys ever recorded as compromised: they
	// never return to the DID.
	compromised map[int]bool
	// last is the last key period of every fragment in ever.
	last map[string]mPeriod
}

// mPeriod is the last material a fragment named and how it ended.
type mPeriod struct {
	key    int
	status types.KeyStatus
	since  int64 // compromised since, 0 when not given
	until  int64 // when it ended, 0 while valid
}

// compromisedFrom is when a compromised period counts as compromised from.
func (p mPeriod) compromisedFrom() int64 {
	if p.since != 0 && p.since < p.until {
		return p.since
	}
	return p.until
}

// checkSince is the rule on a compromised_since.
func (m *model) checkSince(since int64) *types.Error {
	if since < 0 || since > m.time {
		return types.ErrInvalidTime
	}
	return nil
}

type model struct {
	numEd int
	dids  map[types.ID]*mDID
	// time is the block time the next operation executes at.
	time int64
}

func (m *model) isEd(k int) bool { return k < m.numEd }

// step decides op and applies it when accepted.
func (m *model) step(op mOp) *types.Error {
	if !op.chainOK {
		return types.ErrWrongChainID
	}
	if op.kind == opCreate {
		return m.create(op)
	}
	d := m.dids[op.id]
	switch {
	case d == nil:
		return types.ErrDIDNotFound
	case d.deactivated:
		return types.ErrDeactivated
	case op.version != d.version:
		return types.ErrStaleVersion
	}
	cur := d.doc
	var next mDoc
	if op.kind == opRevoke {
		if _, ok := cur.key(op.frag); !ok {
			return m.markCompromised(d, op)
		}
	}
	switch op.kind {
	case opUpdate:
		if err := m.validate(op.doc); err != nil {
			return err
		}
		next = op.doc
	case opRotate:
		switch {
		case op.reason == types.REVOCATION_REASON_COMPROMISED:
			if err := m.checkSince(op.since); err != nil {
				return err
			}
		case op.since != 0:
			return types.ErrInvalidOperation
		}
		old, ok := cur.key(op.frag)
		switch {
		case !ok:
			return types.ErrKeyNotFound
		case m.isEd(old) != m.isEd(op.newKey):
			return types.ErrKeyTypeMismatch
		case cur.hasKey(op.newKey):
			return types.ErrDuplicateKey
		}
		next = cur.clone()
		for i := range next.methods {
			if next.methods[i].frag == op.frag {
				next.methods[i].key = op.newKey
			}
		}
	case opRevoke:
		if _, ok := cur.key(op.frag); !ok {
			return types.ErrKeyNotFound
		}
		switch {
		case op.reason == types.REVOCATION_REASON_RETIRED && op.since != 0:
			return types.ErrInvalidOperation
		case op.reason == types.REVOCATION_REASON_COMPROMISED && (op.since < 0 || op.since > m.time):
			return types.ErrInvalidTime
		case op.reason != types.REVOCATION_REASON_RETIRED && op.reason != types.REVOCATION_REASON_COMPROMISED:
			return types.ErrInvalidOperation
		}
		next = cur.without(op.frag)
		if len(next.capInv) < int(next.threshold) {
			return types.ErrWouldLoseControl
		}
	case opDeactivate:
	}
	for _, mm := range next.methods {
		if !cur.hasKey(mm.key) && d.compromised[mm.key] {
			return types.ErrKeyCompromised
		}
	}
	current, proposed, err := m.verify(op.id, &cur, next, op.sigs)
	if err != nil {
		return err
	}
	n := 0
	for _, f := range cur.capInv {
		if current[f] {
			n++
		}
	}
	if n < int(cur.threshold) {
		return types.ErrThresholdNotMet
	}
	if err := m.possession(&cur, next, proposed); err != nil {
		return err
	}
	if (op.kind == opRevoke || op.kind == opRotate) && op.reason == types.REVOCATION_REASON_COMPROMISED {
		k, _ := cur.key(op.frag)
		d.compromised[k] = true
	}
	for _, mm := range cur.methods {
		nk, kept := next.key(mm.frag)
		switch {
		case op.kind == opDeactivate || !kept:
			st := types.KEY_STATUS_RETIRED
			if op.kind == opRevoke && op.reason == types.REVOCATION_REASON_COMPROMISED {
				st = types.KEY_STATUS_COMPROMISED
			}
			d.last[mm.frag] = mPeriod{key: mm.key, status: st, since: op.since, until: m.time}
		case nk != mm.key:
			d.last[mm.frag] = mPeriod{key: nk, status: types.KEY_STATUS_VALID}
		}
	}
	for _, mm := range next.methods {
		if _, had := cur.key(mm.frag); !had {
			d.last[mm.frag] = mPeriod{key: mm.key, status: types.KEY_STATUS_VALID}
		}
	}
	d.version++
	d.doc = next
	d.deactivated = op.kind == opDeactivate
	for _, mm := range next.methods {
		d.ever[mm.frag] = true
	}
	return nil
}

func (m *model) create(op mOp) *types.Error {
	if op.version != 0 {
		return types.ErrStaleVersion
	}
	if err := m.validate(op.doc); err != nil {
		return err
	}
	if m.dids[op.id] != nil {
		return types.ErrDIDExists
	}
	_, proposed, err := m.verify(op.id, nil, op.doc, op.sigs)
	if err != nil {
		return err
	}
	if err := m.possession(nil, op.doc, proposed); err != nil {
		return err
	}
	d := &mDID{version: 1, doc: op.doc, ever: map[string]bool{}, compromised: map[int]bool{}, last: map[string]mPeriod{}}
	for _, mm := range op.doc.methods {
		d.ever[mm.frag] = true
		d.last[mm.frag] = mPeriod{key: mm.key, status: types.KEY_STATUS_VALID}
	}
	m.dids[op.id] = d
	return nil
}

// validate is the part of the document rules the generator can break:
// at least one method, no material twice, controllers that sign, a
// threshold in range.
func (m *model) validate(d mDoc) *types.Error {
	if len(d.methods) == 0 {
		return types.ErrInvalidDocument
	}
	seen := map[int]bool{}
	for _, mm := range d.methods {
		if seen[mm.key] {
			return types.ErrDuplicateKey
		}
		seen[mm.key] = true
	}
	for _, f := range d.capInv {
		if k, _ := d.key(f); !m.isEd(k) {
			return types.ErrInvalidDocument // a controller must be able to sign
		}
	}
	if len(d.capInv) == 0 || d.threshold == 0 || int(d.threshold) > len(d.capInv) {
		return types.ErrInvalidDocument
	}
	return nil
}

// verify checks each signature against the signing key its fragment has in
// cur and in next, and reports which fragments signed with which. Before
// any signature is checked, every one must name a signing key, and there
// must be no more of them than the distinct signing keys of cur and next.
func (m *model) verify(id types.ID, cur *mDoc, next mDoc, sigs []mSig) (current, proposed map[string]bool, err *types.Error) {
	current, proposed = map[string]bool{}, map[string]bool{}
	materials := map[int]bool{}
	for _, d := range []*mDoc{cur, &next} {
		if d == nil {
			continue
		}
		for _, mm := range d.methods {
			if m.isEd(mm.key) {
				materials[mm.key] = true
			}
		}
	}
	for _, s := range sigs {
		if s.id != id {
			return nil, nil, types.ErrUnknownSigner
		}
		_, inCur := cur.keyOrNone(s.frag, m)
		_, inNext := next.keyOrNone(s.frag, m)
		if !inCur && !inNext {
			return nil, nil, types.ErrUnknownSigner
		}
	}
	if len(sigs) > len(materials) {
		return nil, nil, types.ErrExcessSignatures
	}
	for _, s := range sigs {
		if s.id != id {
			return nil, nil, types.ErrUnknownSigner
		}
		curKey, nextKey := -1, -1
		if cur != nil {
			if k, ok := cur.key(s.frag); ok && m.isEd(k) {
				curKey = k
			}
		}
		if k, ok := next.key(s.frag); ok && m.isEd(k) && k != curKey {
			nextKey = k
		}
		if curKey < 0 && nextKey < 0 {
			return nil, nil, types.ErrUnknownSigner
		}
		switch s.key {
		case curKey:
			current[s.frag] = true
		case nextKey:
			proposed[s.frag] = true
		default:
			return nil, nil, types.ErrBadSignature
		}
	}
	return current, proposed, nil
}

// possession requires a signature by every Ed25519 key of next that cur
// does not hold.
func (m *model) possession(cur *mDoc, next mDoc, proposed map[string]bool) *types.Error {
	for _, mm := range next.methods {
		if !m.isEd(mm.key) || (cur != nil && cur.hasKey(mm.key)) {
			continue
		}
		if !proposed[mm.frag] {
			return types.ErrMissingPossession
		}
	}
	return nil
}

// markCompromised is a revocation of a fragment the document no longer
// lists: it records the fragment's last material compromised, only ever
// to an earlier time, with the controllers' signatures.
func (m *model) markCompromised(d *mDID, op mOp) *types.Error {
	p, ok := d.last[op.frag]
	switch {
	case !ok:
		return types.ErrKeyNotFound
	case op.reason != types.REVOCATION_REASON_COMPROMISED:
		return types.ErrInvalidOperation
	}
	if err := m.checkSince(op.since); err != nil {
		return err
	}
	if d.doc.hasKey(p.key) {
		return types.ErrInvalidOperation
	}
	q := p
	q.status, q.since = types.KEY_STATUS_COMPROMISED, op.since
	if p.status == types.KEY_STATUS_COMPROMISED && p.compromisedFrom() <= q.compromisedFrom() {
		return types.ErrAlreadyCompromised
	}
	cur := d.doc
	current, _, err := m.verify(op.id, &cur, cur, op.sigs)
	if err != nil {
		return err
	}
	n := 0
	for _, f := range cur.capInv {
		if current[f] {
			n++
		}
	}
	if n < int(cur.threshold) {
		return types.ErrThresholdNotMet
	}
	d.last[op.frag] = q
	d.compromised[p.key] = true
	d.version++
	return nil
}

// keyOrNone returns the signing key fragment f has in d (nil d: none).
func (d *mDoc) keyOrNone(f string, m *model) (int, bool) {
	if d == nil {
		return -1, false
	}
	k, ok := d.key(f)
	if !ok || !m.isEd(k) {
		return -1, false
	}
	return k, true
}
