package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/types"
	cmttime "github.com/cometbft/cometbft/types/time"

	"github.com/custos-ledger/custos/app"
)

const (
	// DefaultChainID is the chain id of a home made without --chain-id.
	DefaultChainID = "custos-local"
	// ValidatorPower is the voting power of the single genesis validator.
	ValidatorPower = 10
	// BlockMaxBytes is the genesis block size limit (1 MiB).
	BlockMaxBytes = 1 << 20
	// DefaultRPCListenAddr is the RPC address written into a new config.toml.
	DefaultRPCListenAddr = "tcp://127.0.0.1:26657"
	// DefaultP2PListenAddr is the P2P address written into a new config.toml.
	DefaultP2PListenAddr = "tcp://127.0.0.1:26656"
	// DefaultPrometheusListenAddr is the instrumentation.prometheus_listen_addr
	// written into a new config.toml: loopback, like the RPC, so that turning
	// metrics on does not serve them on every interface (CometBFT's default
	// is ":26660").
	DefaultPrometheusListenAddr = "127.0.0.1:26660"
	// DefaultTimeoutCommit is the consensus.timeout_commit of a new config.toml.
	DefaultTimeoutCommit = time.Second
)

// ErrHomeExists reports that a home already has a genesis file.
var ErrHomeExists = errors.New("home already initialized")

// InitOptions describe a new single-validator home.
type InitOptions struct {
	// Home is the folder to write; it is created if missing.
	Home string
	// ChainID defaults to DefaultChainID.
	ChainID string
	// Moniker defaults to CometBFT's default (the host name).
	Moniker string
	// Overwrite replaces config.toml and genesis.json of an initialized home
	// that holds no chain data yet. Keys are kept.
	Overwrite bool
	// Configure, if set, edits the CometBFT config before config.toml is
	// written (tests use it for ports and short timeouts).
	Configure func(*cmtcfg.Config)
	// AppState, if set, edits the genesis app_state (the Custos params)
	// before genesis.json is written.
	AppState func(*app.GenesisState)
}

// InitResult describes the home InitHome wrote.
type InitResult struct {
	Home             string `json:"home"`
	ChainID          string `json:"chain_id"`
	Moniker          string `json:"moniker"`
	NodeID           string `json:"node_id"`
	ValidatorAddress string `json:"validator_address"`
}

// InitHome writes a home ready to start as the single validator of a new
// chain: config/config.toml, config/genesis.json (app_state is
// app.DefaultGenesisState()), config/node_key.json,
// config/priv_validator_key.json and data/priv_validator_state.json.
func InitHome(opts InitOptions) (InitResult, error) {
	if opts.ChainID == "" {
		opts.ChainID = DefaultChainID
	}
	if err := CheckChainID(opts.ChainID); err != nil {
		return InitResult{}, err
	}
	if strings.ContainsAny(opts.Moniker, "\"\\") || strings.IndexFunc(opts.Moniker, unicode.IsControl) >= 0 {
		// CometBFT's config template writes the moniker unescaped.
		return InitResult{}, fmt.Errorf("moniker %q contains a quote, backslash or control character: choose a plain name", opts.Moniker)
	}
	cfg := cmtcfg.DefaultConfig()
	if opts.Moniker != "" {
		cfg.Moniker = opts.Moniker
	}
	cfg.RPC.ListenAddress = DefaultRPCListenAddr
	cfg.P2P.ListenAddress = DefaultP2PListenAddr
	cfg.Instrumentation.PrometheusListenAddr = DefaultPrometheusListenAddr
	cfg.Consensus.TimeoutCommit = DefaultTimeoutCommit
	if opts.Configure != nil {
		opts.Configure(cfg)
	}
	cfg.SetRoot(opts.Home)
	if err := cfg.ValidateBasic(); err != nil {
		return InitResult{}, fmt.Errorf("invalid node config: %w", err)
	}
	if err := checkFresh(cfg, opts.Overwrite); err != nil {
		return InitResult{}, err
	}
	for _, dir := range []string{filepath.Dir(cfg.GenesisFile()), cfg.DBDir()} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return InitResult{}, fmt.Errorf("cannot create the home: %w", err)
		}
	}
	custos := DefaultCustosConfig()
	custos.apply(cfg)
	cmtcfg.WriteConfigFile(ConfigFile(opts.Home), cfg)
	if err := appendCustosSection(ConfigFile(opts.Home), custos); err != nil {
		return InitResult{}, err
	}

	pv := loadOrGenPrivValidator(cfg)
	nodeKey, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile())
	if err != nil {
		return InitResult{}, fmt.Errorf("cannot load or create the node key: %w", err)
	}
	appState := app.DefaultGenesisState()
	if opts.AppState != nil {
		opts.AppState(&appState)
	}
	if _, err := appState.ToParams(); err != nil {
		return InitResult{}, fmt.Errorf("invalid genesis params: %w", err)
	}
	gen, err := genesis(opts.ChainID, cfg.Moniker, pv, appState)
	if err != nil {
		return InitResult{}, err
	}
	if err := gen.SaveAs(cfg.GenesisFile()); err != nil {
		return InitResult{}, fmt.Errorf("cannot write the genesis file: %w", err)
	}
	return InitResult{
		Home:             opts.Home,
		ChainID:          gen.ChainID,
		Moniker:          cfg.Moniker,
		NodeID:           string(nodeKey.ID()),
		ValidatorAddress: pv.Key.Address.String(),
	}, nil
}

// CheckChainID refuses a chain id CometBFT would refuse or a shell would
// split: too long, or with a space or control character.
func CheckChainID(id string) error {
	if len(id) > types.MaxChainIDLen {
		return fmt.Errorf("chain id %q is too long: use at most %d bytes", id, types.MaxChainIDLen)
	}
	if i := strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }); i >= 0 {
		return fmt.Errorf("chain id %q contains a space or control character: use letters, digits and dashes", id)
	}
	return nil
}

// checkFresh refuses to initialize over an existing genesis (unless
// overwrite) and ever over chain data, whose validator state and blocks
// belong to the old genesis.
func checkFresh(cfg *cmtcfg.Config, overwrite bool) error {
	if !exists(cfg.GenesisFile()) {
		return nil
	}
	if !overwrite {
		return fmt.Errorf("%w: %s exists; pass --overwrite to replace the config and genesis (keys are kept) or choose another --home",
			ErrHomeExists, cfg.GenesisFile())
	}
	if p, ok := ChainData(cfg); ok {
		return fmt.Errorf("%w and holds chain data (%s): --overwrite cannot reuse it; move %s away or choose another --home",
			ErrHomeExists, p, cfg.DBDir())
	}
	return nil
}

// ChainData reports whether the home cfg describes holds blocks or
// application state, and names the first it found: such a home belongs to
// the genesis it started from.
func ChainData(cfg *cmtcfg.Config) (string, bool) {
	for _, p := range []string{filepath.Join(cfg.DBDir(), "blockstore.db"), AppDataDir(cfg.RootDir)} {
		if exists(p) {
			return p, true
		}
	}
	return "", false
}

func loadOrGenPrivValidator(cfg *cmtcfg.Config) *privval.FilePV {
	key, state := cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile()
	if exists(key) && !exists(state) {
		pv := privval.LoadFilePVEmptyState(key, state)
		pv.LastSignState.Save()
		return pv
	}
	return privval.LoadOrGenFilePV(key, state)
}

func genesis(chainID, moniker string, pv *privval.FilePV, state app.GenesisState) (*types.GenesisDoc, error) {
	appState, err := json.Marshal(state)
	if err != nil {
		return nil, fmt.Errorf("cannot encode the genesis app_state: %w", err)
	}
	gen := &types.GenesisDoc{
		GenesisTime:     cmttime.Now(),
		ChainID:         chainID,
		InitialHeight:   1,
		ConsensusParams: ConsensusParams(),
		Validators: []types.GenesisValidator{{
			Address: pv.Key.Address,
			PubKey:  pv.Key.PubKey,
			Power:   ValidatorPower,
			Name:    moniker,
		}},
		AppState: appState,
	}
	if err := gen.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("invalid genesis: %w", err)
	}
	return gen, nil
}

// ConsensusParams are the CometBFT consensus params of a new genesis:
// CometBFT's defaults with blocks of at most BlockMaxBytes and no gas.
func ConsensusParams() *types.ConsensusParams {
	params := types.DefaultConsensusParams()
	params.Block.MaxBytes = BlockMaxBytes
	params.Block.MaxGas = -1
	return params
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// genesisMonikers reads the names of the genesis validators in the
// genesis file, by raw Ed25519 consensus key (app.Config.GenesisMonikers).
func genesisMonikers(file string) (map[string]string, error) {
	gen, err := types.GenesisDocFromFile(file)
	if err != nil {
		return nil, fmt.Errorf("cannot read the genesis file: %w", err)
	}
	out := make(map[string]string, len(gen.Validators))
	for _, v := range gen.Validators {
		if v.PubKey != nil {
			out[string(v.PubKey.Bytes())] = v.Name
		}
	}
	return out, nil
}
