package app

import (
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/custos-ledger/custos/x/did/types"
)

// Result is how a refusal reaches ABCI: the code of the registered error
// behind it, in codespace custos, with the error's text as the log. Every
// ABCI answer that carries an error (CheckTx, FinalizeBlock's tx results,
// Query, the node's queued checks) is built from one.
type Result struct {
	Code      uint32
	Codespace string
	Log       string
	// RetryAt is, for a rate_limited refusal, when the operation is
	// allowed again (Unix seconds of block time); it also goes out as the
	// attributes of a RefusalEventType event.
	RetryAt int64
}

// RefusalEventType is the ABCI event type of a refusal that says when to
// try again (rate_limited): attributes retry_at (RFC 3339, UTC) and
// retry_at_unix.
const RefusalEventType = "custos.refusal"

func (r Result) events() []abci.Event {
	if r.RetryAt == 0 {
		return nil
	}
	return []abci.Event{{Type: RefusalEventType, Attributes: []abci.EventAttribute{
		{Key: "code", Value: strconv.FormatUint(uint64(r.Code), 10)},
		{Key: "retry_at", Value: time.Unix(r.RetryAt, 0).UTC().Format(time.RFC3339)},
		{Key: "retry_at_unix", Value: strconv.FormatInt(r.RetryAt, 10)},
	}}}
}

// ResultOf maps err to its Result. An error that is not registered (a
// store failure) becomes node_unavailable: the node could not decide. The
// block path never gets there: FinalizeBlock stops on such an error
// instead of answering it.
func ResultOf(err error) Result {
	r := types.Registered(err)
	if r == nil {
		r = types.ErrNodeUnavailable
		err = types.ErrNodeUnavailable.Wrap(err.Error())
	}
	return Result{Code: r.Code, Codespace: types.Codespace, Log: err.Error(), RetryAt: types.RetryAt(err)}
}

// CheckTx is the CheckTx answer of the refusal.
func (r Result) CheckTx() *abci.ResponseCheckTx {
	return &abci.ResponseCheckTx{Code: r.Code, Codespace: r.Codespace, Log: r.Log, Events: r.events()}
}

// ExecTx is the FinalizeBlock tx result of the refusal.
func (r Result) ExecTx() *abci.ExecTxResult {
	return &abci.ExecTxResult{Code: r.Code, Codespace: r.Codespace, Log: r.Log, Events: r.events()}
}

// Query is the Query answer of the refusal at height.
func (r Result) Query(height int64) *abci.ResponseQuery {
	return &abci.ResponseQuery{Code: r.Code, Codespace: r.Codespace, Log: r.Log, Height: height}
}
