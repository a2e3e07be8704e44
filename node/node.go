package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtflags "github.com/cometbft/cometbft/libs/cli/flags"
	"github.com/cometbft/cometbft/libs/log"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/resolver"
)

// Node is a CometBFT node running the Custos application in the same
// process. Build it with New, then Start and Stop it once.
type Node struct {
	cmt      *cmtnode.Node
	app      *app.App
	cfg      *cmtcfg.Config
	opts     options
	resolver *resolver.Server // nil when off or not started
	logger   log.Logger
	mu       sync.Mutex
	started  bool
	stopped  bool
	stopErr  error
}

// AppDataDir returns the folder of the application's database in a home.
func AppDataDir(home string) string {
	return filepath.Join(home, "data", "custos")
}

// NewLogger returns the node's logger writing to w, in the config's
// log_format and filtered by its log_level.
func NewLogger(cfg *cmtcfg.Config, w io.Writer) (log.Logger, error) {
	var logger log.Logger
	if cfg.LogFormat == cmtcfg.LogFormatJSON {
		logger = log.NewTMJSONLogger(log.NewSyncWriter(w))
	} else {
		logger = log.NewTMLogger(log.NewSyncWriter(w))
	}
	logger, err := cmtflags.ParseLogLevel(cfg.LogLevel, logger, cmtcfg.DefaultLogLevel)
	if err != nil {
		return nil, fmt.Errorf("invalid log level %q (%w): use e.g. info, debug or consensus:debug,*:error", cfg.LogLevel, err)
	}
	return logger, nil
}

// Option adds to what a node runs.
type Option func(*options)

type options struct {
	resolver     *resolver.Config
	resolverSoft bool
}

// WithResolver serves the HTTP resolver (package resolver) from the node's
// own state while the node runs. With bestEffort, an address already in
// use is logged and the node runs without a resolver (for the default
// address, which several local nodes share); otherwise it fails Start.
func WithResolver(cfg resolver.Config, bestEffort bool) Option {
	return func(o *options) {
		o.resolver = &cfg
		o.resolverSoft = bestEffort
	}
}

// New opens the application under AppDataDir(cfg.RootDir) and builds, but
// does not start, a CometBFT node for the home cfg describes (as loaded by
// LoadConfig). Building replays stored blocks into the application.
func New(cfg *cmtcfg.Config, logger log.Logger, opts ...Option) (*Node, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	if o.resolver != nil {
		if err := o.resolver.Validate(); err != nil {
			return nil, err
		}
	}
	for _, f := range []string{cfg.GenesisFile(), cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile(), cfg.NodeKeyFile()} {
		if !exists(f) {
			return nil, fmt.Errorf("home %s is missing %s: run `custos init --home %s` first", cfg.RootDir, f, cfg.RootDir)
		}
	}
	nodeKey, err := p2p.LoadNodeKey(cfg.NodeKeyFile())
	if err != nil {
		return nil, fmt.Errorf("cannot load the node key: %w", err)
	}
	appCfg := app.DefaultConfig(AppDataDir(cfg.RootDir))
	appCfg.Logger = logger.With("module", "app")
	if appCfg.GenesisMonikers, err = genesisMonikers(cfg.GenesisFile()); err != nil {
		return nil, err
	}
	a, err := app.New(appCfg)
	if err != nil {
		return nil, fmt.Errorf("cannot open the application state in %s: %w", appCfg.DataDir, err)
	}
	// One mutex per ABCI connection, and none for CheckTx: first-time
	// checks are queued and answered in batches whose signatures the app
	// verifies together, beside FinalizeBlock; the app is built for it
	// (accel.BatchedCheckTx). Blocksync stops at an upgrade this binary
	// does not know (upgradeHalt).
	clients := &upgradeHalt{ClientCreator: a.ClientCreator(), logger: logger.With("module", "app")}
	cmt, err := cmtnode.NewNode(cfg,
		privval.LoadFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile()),
		nodeKey,
		clients,
		cmtnode.DefaultGenesisDocProviderFunc(cfg),
		cmtcfg.DefaultDBProvider,
		cmtnode.DefaultMetricsProvider(cfg.Instrumentation),
		logger,
	)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("cannot build the node: %w", err), a.Close())
	}
	blocksyncing := cmt.ConsensusReactor().WaitSync
	clients.blocksyncing.Store(&blocksyncing)
	return &Node{cmt: cmt, app: a, cfg: cfg, opts: o, logger: logger}, nil
}

// Start starts consensus, P2P, the RPC server and, if configured, the
// resolver. If it fails, the node has released what it held and only Stop
// may still be called.
func (n *Node) Start() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.started || n.stopped {
		return errors.New("node: Start called twice or after Stop")
	}
	// The resolver's address is bound first, so that a busy port fails
	// before consensus starts.
	if err := n.listenResolver(); err != nil {
		n.stopped = true
		n.cmt.OnStop()
		n.stopErr = errors.Join(err, n.app.Close())
		return n.stopErr
	}
	if err := n.cmt.Start(); err != nil {
		n.stopped = true
		n.cmt.OnStop() // closes the stores and listeners NewNode and OnStart opened
		err = fmt.Errorf("cannot start the node: %w", err)
		// CometBFT's RPC listener formats the cause with %v, hence the string test.
		if errors.Is(err, syscall.EADDRINUSE) || strings.Contains(err.Error(), "address already in use") {
			err = fmt.Errorf("%w: another process uses the RPC or P2P address; choose others with --rpc.laddr and --p2p.laddr", err)
		}
		if n.resolver != nil {
			err = errors.Join(err, n.resolver.Shutdown(context.Background()))
		}
		n.stopErr = errors.Join(err, n.app.Close())
		return n.stopErr
	}
	if srv := n.resolver; srv != nil {
		srv.Serve()
		go func() {
			if err := <-srv.Err(); err != nil {
				n.logger.Error("the resolver stopped serving", "err", err)
			}
		}()
	}
	n.started = true
	return nil
}

// listenResolver builds the resolver and binds its address, if the node
// serves one.
func (n *Node) listenResolver() error {
	if n.opts.resolver == nil {
		return nil
	}
	src := resolver.NewLocalSource(n.app.Store(), n.blockTime)
	srv, err := resolver.New(*n.opts.resolver, src, n.logger.With("module", "resolver"))
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		if n.opts.resolverSoft && errors.Is(err, syscall.EADDRINUSE) {
			n.logger.Error("the resolver is not served: its address is in use; give another with --resolver.laddr, or turn it off with --resolver.laddr off",
				"addr", n.opts.resolver.ListenAddr)
			return nil
		}
		if errors.Is(err, syscall.EADDRINUSE) {
			err = fmt.Errorf("%w: another process uses the resolver's address; choose another with --resolver.laddr, or turn it off with --resolver.laddr off", err)
		}
		return err
	}
	n.resolver = srv
	return nil
}

// blockTime is the time of a stored block, for the resolver.
func (n *Node) blockTime(height int64) (time.Time, bool) {
	meta := n.cmt.BlockStore().LoadBlockMeta(height)
	if meta == nil {
		return time.Time{}, false
	}
	return meta.Header.Time, true
}

// ResolverAddr returns the address the resolver listens on, or "" when the
// node serves none.
func (n *Node) ResolverAddr() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.resolver == nil || n.resolver.Addr() == nil {
		return ""
	}
	return n.resolver.Addr().String()
}

// Stop stops the node, waits for it and closes the application. It may be
// called more than once and returns the first result.
func (n *Node) Stop() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.stopped {
		return n.stopErr
	}
	n.stopped = true
	var errs []error
	// The resolver reads the application's store: it stops first.
	if n.resolver != nil {
		if err := n.resolver.Shutdown(context.Background()); err != nil {
			errs = append(errs, fmt.Errorf("stopping the resolver: %w", err))
		}
	}
	if n.started {
		if err := n.cmt.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stopping the node: %w", err))
		}
		n.cmt.Wait()
	} else {
		n.cmt.OnStop() // built but never started: release the stores
	}
	if err := n.app.Close(); err != nil {
		errs = append(errs, fmt.Errorf("closing the application: %w", err))
	}
	n.stopErr = errors.Join(errs...)
	return n.stopErr
}

// Quit returns a channel closed when the CometBFT node stops.
func (n *Node) Quit() <-chan struct{} { return n.cmt.Quit() }

// Config returns the node's CometBFT config.
func (n *Node) Config() *cmtcfg.Config { return n.cfg }

// App returns the application the node runs.
func (n *Node) App() *app.App { return n.app }

// CometBFT returns the underlying CometBFT node (block store, event bus...).
func (n *Node) CometBFT() *cmtnode.Node { return n.cmt }

// UpgradeHaltGrace is how long a node that must stop for an upgrade keeps
// serving its peers (the last block and its commit, to a peer still one
// block behind) before it stops. Meanwhile it proposes empty blocks and
// accepts no proposal at the upgrade's height. A node still catching up
// by blocksync stops at once.
const UpgradeHaltGrace = 5 * time.Second

// Run builds and starts a node for cfg and runs it until ctx is done, then
// stops it cleanly. A node that stops on its own is an error; one the
// application stops, having committed the last height before an upgrade
// this binary does not know, returns the application's
// *app.UpgradeRequiredError.
func Run(ctx context.Context, cfg *cmtcfg.Config, logger log.Logger, opts ...Option) error {
	n, err := New(cfg, logger, opts...)
	if err != nil {
		return err
	}
	if err := n.Start(); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		logger.Info("shutting down", "reason", context.Cause(ctx))
		return n.Stop()
	case <-n.app.Halted():
		if n.cmt.ConsensusReactor().WaitSync() {
			// Catching up by blocksync: the peers are ahead and need
			// nothing from this node (upgradeHalt).
			logger.Info("stopping", "reason", n.app.HaltErr())
			return errors.Join(n.app.HaltErr(), n.Stop())
		}
		// Peers one block behind still need the last block and its
		// commit from this node: serve them a little before stopping.
		logger.Info("stopping after a grace period", "reason", n.app.HaltErr(), "grace", UpgradeHaltGrace)
		select {
		case <-ctx.Done():
		case <-n.Quit():
		case <-time.After(UpgradeHaltGrace):
		}
		return errors.Join(n.app.HaltErr(), n.Stop())
	case <-n.Quit():
		if err := n.app.HaltErr(); err != nil {
			return errors.Join(err, n.Stop())
		}
		return errors.Join(errors.New("the node stopped on its own: see the log above"), n.Stop())
	}
}
