package testnet

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/types"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/node"
)

// Init writes the testnet opts describes and returns its nodes table. Each
// home is made by node.InitHome (so a testnet node is the node `custos init`
// makes), then receives the shared genesis. On failure the node folders it
// wrote are removed.
func Init(opts Options) (Testnet, error) {
	if err := opts.Validate(); err != nil {
		return Testnet{}, err
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return Testnet{}, fmt.Errorf("testnet: cannot resolve %s: %w", opts.Dir, err)
	}
	if err := prepareDir(dir, opts.Overwrite); err != nil {
		return Testnet{}, err
	}
	t := plan(opts, dir)
	done := false
	defer func() {
		if !done {
			for _, n := range t.Nodes {
				_ = os.RemoveAll(n.Home)
			}
		}
	}()
	// Node keys come first, so that each config.toml can name its peers.
	for i := range t.Nodes {
		cfg := cmtcfg.DefaultConfig()
		cfg.SetRoot(t.Nodes[i].Home)
		if err := os.MkdirAll(filepath.Dir(cfg.NodeKeyFile()), 0o700); err != nil {
			return Testnet{}, fmt.Errorf("testnet: cannot create %s: %w", t.Nodes[i].Home, err)
		}
		key, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile())
		if err != nil {
			return Testnet{}, fmt.Errorf("testnet: cannot create the node key of %s: %w", t.Nodes[i].Name, err)
		}
		t.Nodes[i].NodeID = string(key.ID())
	}
	for i := range t.Nodes {
		res, err := node.InitHome(homeOptions(opts, t, i))
		if err != nil {
			return Testnet{}, fmt.Errorf("testnet: %s: %w", t.Nodes[i].Name, err)
		}
		if t.Nodes[i].Role == RoleValidator {
			t.Nodes[i].ValidatorAddress = res.ValidatorAddress
		}
	}
	gen, err := sharedGenesis(t)
	if err != nil {
		return Testnet{}, err
	}
	for _, n := range t.Nodes {
		if err := gen.SaveAs(genesisFile(n.Home)); err != nil {
			return Testnet{}, fmt.Errorf("testnet: cannot write the genesis of %s: %w", n.Name, err)
		}
	}
	if err := t.save(); err != nil {
		return Testnet{}, err
	}
	done = true
	return t, nil
}

// plan lays out names, roles and ports.
func plan(opts Options, dir string) Testnet {
	t := Testnet{ChainID: opts.ChainID, Dir: dir}
	for i := range opts.Validators + opts.FullNodes {
		name := "node" + strconv.Itoa(i)
		role := RoleValidator
		if i >= opts.Validators {
			role = RoleFullNode
		}
		t.Nodes = append(t.Nodes, Node{
			Name:       name,
			Home:       filepath.Join(dir, name),
			Role:       role,
			P2P:        "tcp://" + hostPort(opts.port(i, P2POffset)),
			RPC:        "tcp://" + hostPort(opts.port(i, RPCOffset)),
			Resolver:   hostPort(opts.port(i, ResolverOffset)),
			Prometheus: hostPort(opts.port(i, PrometheusOffset)),
		})
	}
	return t
}

func hostPort(port int) string { return net.JoinHostPort(Host, strconv.Itoa(port)) }

// peers returns node i's persistent peers: a validator keeps the other
// validators, a full node every other node. Validators accept full nodes'
// inbound connections and do not dial them, so a full node that is down
// costs them nothing.
func peers(t Testnet, i int) string {
	var out []string
	for j, n := range t.Nodes {
		if j == i || (t.Nodes[i].Role == RoleValidator && n.Role != RoleValidator) {
			continue
		}
		out = append(out, n.Peer())
	}
	return strings.Join(out, ",")
}

func homeOptions(opts Options, t Testnet, i int) node.InitOptions {
	n := t.Nodes[i]
	return node.InitOptions{
		Home:    n.Home,
		ChainID: t.ChainID,
		Moniker: n.Name,
		Configure: func(cfg *cmtcfg.Config) {
			cfg.P2P.ListenAddress = n.P2P
			cfg.RPC.ListenAddress = n.RPC
			cfg.P2P.PersistentPeers = peers(t, i)
			// Every peer is on 127.0.0.1, which the address book would
			// otherwise refuse as non-routable and as a duplicate IP.
			cfg.P2P.AllowDuplicateIP = true
			cfg.P2P.AddrBookStrict = false
			cfg.Consensus.TimeoutCommit = opts.TimeoutCommit
			cfg.Instrumentation.Prometheus = opts.Prometheus
			cfg.Instrumentation.PrometheusListenAddr = n.Prometheus
			if opts.Configure != nil {
				opts.Configure(i, cfg)
			}
		},
		AppState: func(g *app.GenesisState) {
			if opts.RecoveryMinDelay > 0 {
				g.Params.RecoveryMinDelay = opts.RecoveryMinDelay.String()
			}
			if opts.RecoveryExpiry > 0 {
				g.Params.RecoveryExpiry = opts.RecoveryExpiry.String()
			}
			if opts.MinValidators > 0 {
				g.Params.MinValidators = opts.MinValidators
			}
			g.Governance = opts.Governance
			if opts.AppState != nil {
				opts.AppState(g)
			}
		},
	}
}

// sharedGenesis returns node0's genesis (consensus params, app_state,
// time) with the validator set replaced by every validator's entry, each
// taken from the single-validator genesis InitHome wrote into its home.
func sharedGenesis(t Testnet) (*types.GenesisDoc, error) {
	gen, err := types.GenesisDocFromFile(genesisFile(t.Nodes[0].Home))
	if err != nil {
		return nil, fmt.Errorf("testnet: %w", err)
	}
	gen.Validators = nil
	for _, n := range t.Validators() {
		own, err := types.GenesisDocFromFile(genesisFile(n.Home))
		if err != nil {
			return nil, fmt.Errorf("testnet: %w", err)
		}
		if len(own.Validators) != 1 {
			return nil, fmt.Errorf("testnet: %s: want one validator in its own genesis, found %d", n.Name, len(own.Validators))
		}
		gen.Validators = append(gen.Validators, own.Validators[0])
	}
	if err := gen.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("testnet: invalid genesis: %w", err)
	}
	return gen, nil
}

func genesisFile(home string) string { return filepath.Join(home, "config", "genesis.json") }

// prepareDir makes sure dir can receive a new testnet: missing or empty,
// or (with overwrite) holding a testnet none of whose nodes runs, which it
// then removes.
func prepareDir(dir string, overwrite bool) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return fmt.Errorf("testnet: cannot read %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return nil
	}
	if !overwrite {
		return fmt.Errorf("testnet: %s is not empty: pass --overwrite to replace the testnet in it, or choose another --output-dir", dir)
	}
	old, err := Load(dir)
	if err != nil {
		return fmt.Errorf("testnet: --overwrite replaces only a testnet, and %s holds none (no %s): empty it yourself or choose another --output-dir", dir, TableFile)
	}
	for _, n := range old.Nodes {
		for _, addr := range []string{n.P2P, n.RPC} {
			if addr = strings.TrimPrefix(addr, "tcp://"); inUse(addr) {
				return fmt.Errorf("testnet: %s of the testnet in %s seems to run (%s is in use): stop it first, e.g. make localnet-stop", n.Name, dir, addr)
			}
		}
	}
	for _, n := range old.Nodes {
		if err := os.RemoveAll(n.Home); err != nil {
			return fmt.Errorf("testnet: cannot remove %s: %w", n.Home, err)
		}
	}
	for _, f := range []string{TableFile, PortsFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("testnet: %w", err)
		}
	}
	return nil
}

// inUse reports whether a listener already holds addr.
func inUse(addr string) bool {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return true
	}
	_ = l.Close()
	return false
}
