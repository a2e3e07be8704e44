package keeper

import (
	"github.com/custos-ledger/custos/x/did/types"
)

// Facts answers the questions the rules ask whose answers depend on their
// arguments alone: how a tx's bytes parse, what a stored version record
// holds, whether a key is of prime order, whether a key signed some bytes.
// An implementation may remember answers or compute them ahead of time
// (package app/accel does both), but it must give the answer Direct
// gives, for any arguments, whenever it is asked: it may change the cost
// of a rule, never its result. The keeper never learns whether an answer
// was remembered.
//
// Each answer is pure for a reason the rules keep:
//   - ParseTx is a function of the bytes and of the keeper's params, which
//     are fixed for a chain (genesis);
//   - a version record never changes once written: every change of a DID
//     writes its next version (commitVersion), and a refused tx writes
//     nothing, so the record of (id, n) read from any state that has one
//     is the record every later state holds;
//   - CheckPrimeOrder and Verify are functions of the key and the bytes.
type Facts interface {
	// ParseTx returns ParseTx(raw, params).
	ParseTx(raw []byte, params types.Params) (*ParsedTx, error)
	// Version returns GetVersion(r, id, n). The record may be shared:
	// callers must not modify it.
	Version(r Reader, id types.ID, n uint64) (*types.VersionRecord, error)
	// CheckPrimeOrder returns pk.CheckPrimeOrder().
	CheckPrimeOrder(pk types.PublicKey) error
	// Verify returns pk.Verify(msg, sig).
	Verify(pk types.PublicKey, msg, sig []byte) bool
}

// Direct computes every fact afresh and remembers nothing.
type Direct struct{}

var _ Facts = Direct{}

// ParseTx parses raw (ParseTx).
func (Direct) ParseTx(raw []byte, params types.Params) (*ParsedTx, error) {
	return ParseTx(raw, params)
}

// Version reads and decodes the record (GetVersion).
func (Direct) Version(r Reader, id types.ID, n uint64) (*types.VersionRecord, error) {
	return GetVersion(r, id, n)
}

// CheckPrimeOrder checks pk (types.PublicKey.CheckPrimeOrder).
func (Direct) CheckPrimeOrder(pk types.PublicKey) error { return pk.CheckPrimeOrder() }

// Verify reports whether pk signed msg.
func (Direct) Verify(pk types.PublicKey, msg, sig []byte) bool { return pk.Verify(msg, sig) }
