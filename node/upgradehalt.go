package node

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/proxy"

	"github.com/custos-ledger/custos/app"
)

// upgradeHalt wraps the application's ABCI clients so that blocksync stops
// cleanly at an upgrade this binary does not know.
//
// The application refuses to execute the upgrade's height: FinalizeBlock
// returns an *app.UpgradeRequiredError before it writes anything, and the
// application has asked the node to stop (app.Halted) when it committed the
// height before. In consensus, CometBFT recovers from that error and Run
// stops the node after its grace period. CometBFT's blocksync reactor does
// not recover: it panics on any FinalizeBlock error, and the process would
// die with Go's status 2 instead of its own. So, while the node blocksyncs,
// the consensus connection ends the blocksync goroutine (runtime.Goexit)
// instead of returning the error: CometBFT gets no result for the height
// and writes nothing of it (blocksync has already put the block itself in
// the block store, as it does before executing every block; a binary that
// knows the upgrade executes it at start). The goroutine's deferred calls
// run: the connection's lock is released, and the blocksync reactor's Stop
// does not wait for the goroutine. Run, which saw app.Halted, stops the
// node at once.
type upgradeHalt struct {
	proxy.ClientCreator
	logger log.Logger
	// blocksyncing reports whether CometBFT's blocksync reactor, rather
	// than consensus, is executing blocks; nil until the CometBFT node is
	// built (the handshake's replay, before, gets the error).
	blocksyncing atomic.Pointer[func() bool]
}

func (u *upgradeHalt) NewABCIClient() (abcicli.Client, error) {
	c, err := u.ClientCreator.NewABCIClient()
	if err != nil {
		return nil, err
	}
	return &upgradeHaltClient{Client: c, u: u}, nil
}

type upgradeHaltClient struct {
	abcicli.Client
	u *upgradeHalt
}

func (c *upgradeHaltClient) FinalizeBlock(ctx context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	res, err := c.Client.FinalizeBlock(ctx, req)
	var up *app.UpgradeRequiredError
	if err != nil && errors.As(err, &up) {
		if syncing := c.u.blocksyncing.Load(); syncing != nil && (*syncing)() {
			c.u.logger.Info("blocksync stops before the upgrade's height", "height", req.Height, "upgrade", up.Name)
			runtime.Goexit()
		}
	}
	return res, err
}
