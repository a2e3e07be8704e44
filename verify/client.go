package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/light"
	"github.com/cometbft/cometbft/light/provider"
	lighthttp "github.com/cometbft/cometbft/light/provider/http"
	dbs "github.com/cometbft/cometbft/light/store/db"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
)

// Config says whom to ask and what to trust.
type Config struct {
	// ChainID is the chain to follow.
	ChainID string
	// Primary is the RPC address of the node answering queries.
	Primary string
	// Witnesses are RPC addresses of other nodes the light client
	// cross-checks headers with; at least one.
	Witnesses []string
	// TrustHeight and TrustHash are a header the user trusts. When unset,
	// the client trusts a TrustFile's header, else Genesis's validators.
	TrustHeight int64
	TrustHash   []byte
	// Genesis is the chain's genesis; its validators are trusted to have
	// signed header 1 when no trust point is given.
	Genesis *cmttypes.GenesisDoc
	// TrustPeriod is how long a trusted header stays usable.
	TrustPeriod time.Duration
	// TrustFile, if set, remembers the last verified header between runs.
	TrustFile string
	// Logger receives the light client's log lines (nil: none).
	Logger log.Logger
}

// DefaultTrustPeriod is the trust period when Config leaves it zero.
const DefaultTrustPeriod = 14 * 24 * time.Hour

// Client verifies answers of Custos nodes.
type Client struct {
	cfg     Config
	rpc     *rpchttp.HTTP
	light   *light.Client
	started time.Time
}

// trustPoint is what a TrustFile holds.
type trustPoint struct {
	ChainID string `json:"chain_id"`
	Height  int64  `json:"height"`
	Hash    []byte `json:"hash"`
}

// New starts a light client for cfg: it fetches and verifies its first
// trusted header.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.ChainID == "" || cfg.Primary == "" {
		return nil, errors.New("verify: chain id and primary node are required")
	}
	if len(cfg.Witnesses) == 0 {
		return nil, errors.New("verify: at least one witness node is required (repeat --node)")
	}
	if cfg.TrustPeriod == 0 {
		cfg.TrustPeriod = DefaultTrustPeriod
	}
	if cfg.Logger == nil {
		cfg.Logger = log.NewNopLogger()
	}
	primary, err := lighthttp.New(cfg.ChainID, cfg.Primary)
	if err != nil {
		return nil, fmt.Errorf("verify: primary %s: %w", cfg.Primary, err)
	}
	var witnesses []provider.Provider
	for _, w := range cfg.Witnesses {
		p, err := lighthttp.New(cfg.ChainID, w)
		if err != nil {
			return nil, fmt.Errorf("verify: witness %s: %w", w, err)
		}
		witnesses = append(witnesses, p)
	}
	opts, err := trustOptions(ctx, cfg, primary)
	if err != nil {
		return nil, err
	}
	lc, err := light.NewClient(ctx, cfg.ChainID, opts, primary, witnesses,
		dbs.New(dbm.NewMemDB(), cfg.ChainID), light.Logger(cfg.Logger), light.MaxRetryAttempts(3))
	if err != nil {
		return nil, fmt.Errorf("verify: light client: %w", err)
	}
	rpc, err := rpchttp.New(cfg.Primary, "/websocket")
	if err != nil {
		return nil, fmt.Errorf("verify: primary %s: %w", cfg.Primary, err)
	}
	return &Client{cfg: cfg, rpc: rpc, light: lc}, nil
}

// trustOptions picks the trust point: the one given, the one remembered,
// or header 1 checked against the genesis validators.
func trustOptions(ctx context.Context, cfg Config, primary provider.Provider) (light.TrustOptions, error) {
	opts := light.TrustOptions{Period: cfg.TrustPeriod}
	switch {
	case cfg.TrustHeight > 0:
		if len(cfg.TrustHash) == 0 {
			return opts, errors.New("verify: a trust height needs its trust hash")
		}
		opts.Height, opts.Hash = cfg.TrustHeight, cfg.TrustHash
		return opts, nil
	case cfg.TrustFile != "":
		if tp, err := readTrust(cfg.TrustFile); err == nil && tp.ChainID == cfg.ChainID {
			opts.Height, opts.Hash = tp.Height, tp.Hash
			return opts, nil
		}
	}
	if cfg.Genesis == nil {
		return opts, errors.New("verify: no trust point: give a trust height and hash, or the chain's genesis")
	}
	if cfg.Genesis.ChainID != cfg.ChainID {
		return opts, fmt.Errorf("verify: the genesis is of chain %q, not %q", cfg.Genesis.ChainID, cfg.ChainID)
	}
	vals := make([]*cmttypes.Validator, 0, len(cfg.Genesis.Validators))
	for _, v := range cfg.Genesis.Validators {
		vals = append(vals, cmttypes.NewValidator(v.PubKey, v.Power))
	}
	genVals := cmttypes.NewValidatorSet(vals)
	h := cfg.Genesis.InitialHeight
	if h < 1 {
		h = 1
	}
	lb, err := primary.LightBlock(ctx, h)
	if err != nil {
		return opts, fmt.Errorf("verify: fetch header %d: %w", h, err)
	}
	if err := lb.ValidateBasic(cfg.ChainID); err != nil {
		return opts, fmt.Errorf("verify: header %d: %w", h, err)
	}
	if err := genVals.VerifyCommitLight(cfg.ChainID, lb.Commit.BlockID, h, lb.Commit); err != nil {
		return opts, fmt.Errorf("verify: header %d is not signed by the genesis validators: %w", h, err)
	}
	opts.Height, opts.Hash = h, lb.Hash()
	return opts, nil
}

func readTrust(path string) (trustPoint, error) {
	var tp trustPoint
	b, err := os.ReadFile(path)
	if err != nil {
		return tp, err
	}
	err = json.Unmarshal(b, &tp)
	return tp, err
}

// remember writes the last verified header to the TrustFile, if any.
func (c *Client) remember(lb *cmttypes.LightBlock) error {
	if c.cfg.TrustFile == "" {
		return nil
	}
	b, err := json.MarshalIndent(trustPoint{ChainID: c.cfg.ChainID, Height: lb.Height, Hash: lb.Hash()}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.cfg.TrustFile), 0o700); err != nil {
		return err
	}
	tmp := c.cfg.TrustFile + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, c.cfg.TrustFile)
}

// Close releases the light client.
func (c *Client) Close() error { return c.light.Cleanup() }
