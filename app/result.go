package app

import (
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
	return Result{Code: r.Code, Codespace: types.Codespace, Log: err.Error()}
}

// CheckTx is the CheckTx answer of the refusal.
func (r Result) CheckTx() *abci.ResponseCheckTx {
	return &abci.ResponseCheckTx{Code: r.Code, Codespace: r.Codespace, Log: r.Log}
}

// ExecTx is the FinalizeBlock tx result of the refusal.
func (r Result) ExecTx() *abci.ExecTxResult {
	return &abci.ExecTxResult{Code: r.Code, Codespace: r.Codespace, Log: r.Log}
}

// Query is the Query answer of the refusal at height.
func (r Result) Query(height int64) *abci.ResponseQuery {
	return &abci.ResponseQuery{Code: r.Code, Codespace: r.Codespace, Log: r.Log, Height: height}
}
