package testnet

import (
	"errors"
	"fmt"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/custos-ledger/custos/app"
)

const (
	// DefaultBasePort is the first port of node0's block.
	DefaultBasePort = 26600
	// DefaultChainID is the chain id of a testnet made without one.
	DefaultChainID = "custos-testnet"
	// DefaultTimeoutCommit is the consensus.timeout_commit of testnet nodes.
	DefaultTimeoutCommit = 500 * time.Millisecond
	// MaxNodes bounds validators plus full nodes.
	MaxNodes = 100

	// PortStride is the number of ports reserved per node.
	PortStride = 10
	// P2POffset, RPCOffset, ResolverOffset and PrometheusOffset place a
	// node's servers in its block of PortStride ports.
	P2POffset        = 0
	RPCOffset        = 1
	ResolverOffset   = 2
	PrometheusOffset = 3
	// MinPort is the lowest base port (no privileged ports).
	MinPort = 1024
	// MaxPort is the highest port a testnet may use: Linux hands out
	// 32768 and up to outgoing connections.
	MaxPort = 32767

	// Host is the address every node listens on.
	Host = "127.0.0.1"
)

// Options describe a testnet to write.
type Options struct {
	// Dir is the folder that receives node0, node1... It must be missing
	// or empty, unless Overwrite.
	Dir string
	// Validators is the number of validators (at least 1).
	Validators int
	// FullNodes is the number of non-validator full nodes.
	FullNodes int
	// BasePort is the first port of node0's block.
	BasePort int
	// ChainID is the chain id of the genesis.
	ChainID string
	// TimeoutCommit is every node's consensus.timeout_commit.
	TimeoutCommit time.Duration
	// RecoveryMinDelay and RecoveryExpiry set the genesis params of the same
	// names; zero keeps app.DefaultGenesisState's.
	RecoveryMinDelay time.Duration
	RecoveryExpiry   time.Duration
	// Prometheus turns on CometBFT's Prometheus metrics on each node's
	// Prometheus port.
	Prometheus bool
	// Overwrite replaces the testnet in Dir (its node folders and tables),
	// if none of its nodes is running. Other files in Dir are kept.
	Overwrite bool
	// Configure, if set, edits node i's CometBFT config after the testnet
	// settings are applied (tests use it for shorter timeouts).
	Configure func(i int, cfg *cmtcfg.Config)
	// Governance, if set, is the genesis app_state.governance: the keys
	// and threshold of the governance DID (custos testnet init makes
	// them in node0's test keyring).
	Governance *app.GenesisGovernance
	// MinValidators sets the genesis param min_validators (0 keeps the
	// app's default, 4).
	MinValidators uint32
	// AppState, if set, edits the genesis app_state last (custos testnet
	// init sets the write policy with it; DefaultOptions leaves the app's
	// defaults: an open chain without stamps or rate limits).
	AppState func(*app.GenesisState)
}

// DefaultOptions returns the options of `custos testnet init` without flags
// (4 validators, no full nodes) for dir.
func DefaultOptions(dir string) Options {
	return Options{
		Dir:           dir,
		Validators:    4,
		BasePort:      DefaultBasePort,
		ChainID:       DefaultChainID,
		TimeoutCommit: DefaultTimeoutCommit,
		Prometheus:    true,
	}
}

// Validate reports the first thing wrong with the options.
func (o Options) Validate() error {
	switch {
	case o.Dir == "":
		return errors.New("testnet: empty output folder: give one, e.g. --output-dir ./mytestnet")
	case o.Validators < 1:
		return fmt.Errorf("testnet: %d validators: a network needs at least 1", o.Validators)
	case o.FullNodes < 0:
		return fmt.Errorf("testnet: %d full nodes: give 0 or more", o.FullNodes)
	case o.Validators+o.FullNodes > MaxNodes:
		return fmt.Errorf("testnet: %d nodes: at most %d on one machine", o.Validators+o.FullNodes, MaxNodes)
	case o.ChainID == "":
		return fmt.Errorf("testnet: empty chain id: give one, e.g. %s", DefaultChainID)
	case o.TimeoutCommit <= 0:
		return fmt.Errorf("testnet: timeout_commit %v: give a positive duration, e.g. %v", o.TimeoutCommit, DefaultTimeoutCommit)
	case o.RecoveryMinDelay < 0 || o.RecoveryExpiry < 0:
		return errors.New("testnet: negative recovery delay or expiry")
	case o.BasePort < MinPort:
		return fmt.Errorf("testnet: base port %d: use %d or more", o.BasePort, MinPort)
	}
	if last := o.BasePort + PortStride*(o.Validators+o.FullNodes) - 1; last > MaxPort {
		return fmt.Errorf("testnet: %d nodes from base port %d need ports up to %d, past %d: use a base port of at most %d",
			o.Validators+o.FullNodes, o.BasePort, last, MaxPort, MaxPort+1-PortStride*(o.Validators+o.FullNodes))
	}
	return nil
}

// port returns the port of node i at offset off.
func (o Options) port(i, off int) int { return o.BasePort + PortStride*i + off }
