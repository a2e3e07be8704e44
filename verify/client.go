package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/light"
	"github.com/cometbft/cometbft/light/provider"
	lighthttp "github.com/cometbft/cometbft/light/provider/http"
	lightstore "github.com/cometbft/cometbft/light/store"
	dbs "github.com/cometbft/cometbft/light/store/db"
	cmttypes "github.com/cometbft/cometbft/types"
)

// Config says whom to ask and what to trust.
type Config struct {
	// ChainID is the chain to follow. When empty, it is the chain of the
	// nodes (every node that answers must serve the same one); the trust
	// point binds it all the same.
	ChainID string
	// Primary is the RPC address of the node answering queries. When it
	// does not answer, the first witness that does answers instead.
	Primary string
	// Witnesses are RPC addresses of other nodes the light client
	// cross-checks headers with; at least one (it may be Primary itself,
	// which checks the validators' signatures but not another node's view).
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
	// TrustFile, if set, remembers the highest verified header between
	// runs; it never moves to a lower height.
	TrustFile string
	// MaxLag is how many blocks the height of a latest-state answer may
	// trail the highest latest height a witness reports
	// (DefaultMaxLag when 0).
	MaxLag int64
	// MaxAge is how much older than the local clock the header that
	// carries a latest-state answer's app hash may be (DefaultMaxAge when 0).
	MaxAge time.Duration
	// WitnessWait bounds how long an answer waits, once the primary has
	// the header it is checked against, for the witnesses to have it too;
	// a witness still below it is counted behind (DefaultWitnessWait when 0).
	WitnessWait time.Duration
	// NodeTimeout bounds one status request to a node; a node that does
	// not answer within it is unreachable (DefaultNodeTimeout when 0).
	NodeTimeout time.Duration
	// Logger receives the light client's log lines (nil: none).
	Logger log.Logger
}

// Defaults of Config.
const (
	DefaultTrustPeriod = 14 * 24 * time.Hour
	DefaultMaxLag      = 3
	DefaultMaxAge      = 10 * time.Second
	DefaultWitnessWait = 3 * time.Second
	DefaultNodeTimeout = 5 * time.Second
)

// TrustKind says where a client's trust point came from.
type TrustKind int

const (
	// TrustGiven: Config.TrustHeight and TrustHash.
	TrustGiven TrustKind = iota + 1
	// TrustRemembered: the header in Config.TrustFile.
	TrustRemembered
	// TrustGenesis: header 1 as signed by Config.Genesis's validators.
	TrustGenesis
)

// Errors of New a caller may want to tell apart.
var (
	// ErrNoTrustPoint: no trust height, no trust file, no genesis.
	ErrNoTrustPoint = errors.New("verify: no trust point")
	// ErrTrustFile: the trust file exists but cannot be used.
	ErrTrustFile = errors.New("verify: the trust file cannot be used")
	// ErrNoNode: no node answered.
	ErrNoNode = errors.New("verify: no node answered")
)

// Client verifies answers of Custos nodes. Its methods may be called from
// several goroutines; they run one at a time.
type Client struct {
	cfg   Config
	nodes []*node // distinct addresses: Primary first, then Witnesses
	trust TrustKind

	mu      sync.Mutex
	primary int // index in nodes of the node that answers
	store   lightstore.Store
	light   *light.Client
}

// trustPoint is what a TrustFile holds.
type trustPoint struct {
	ChainID string `json:"chain_id"`
	Height  int64  `json:"height"`
	Hash    []byte `json:"hash"`
}

// New starts a light client for cfg: it asks every node for its status,
// picks the first that answers as the primary, and fetches and verifies
// its first trusted header.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.Primary == "" {
		return nil, errors.New("verify: a primary node is required")
	}
	if len(cfg.Witnesses) == 0 {
		return nil, errors.New("verify: at least one witness node is required (repeat --node)")
	}
	if cfg.TrustPeriod == 0 {
		cfg.TrustPeriod = DefaultTrustPeriod
	}
	if cfg.MaxLag <= 0 {
		cfg.MaxLag = DefaultMaxLag
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.WitnessWait <= 0 {
		cfg.WitnessWait = DefaultWitnessWait
	}
	if cfg.NodeTimeout <= 0 {
		cfg.NodeTimeout = DefaultNodeTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = log.NewNopLogger()
	}
	c := &Client{cfg: cfg}
	seen := map[string]bool{}
	for _, addr := range append([]string{cfg.Primary}, cfg.Witnesses...) {
		if seen[addr] {
			continue
		}
		seen[addr] = true
		n, err := newNode(addr)
		if err != nil {
			return nil, fmt.Errorf("verify: node %s: %w", addr, err)
		}
		c.nodes = append(c.nodes, n)
	}
	sts := probe(ctx, c.nodes, cfg.NodeTimeout)
	if err := c.settleChain(sts); err != nil {
		return nil, err
	}
	for _, n := range c.nodes {
		n.provider = lighthttp.NewWithClient(c.cfg.ChainID, n.rpc)
	}
	primary, err := c.pickPrimary(sts)
	if err != nil {
		return nil, err
	}
	c.primary = primary
	opts, kind, err := c.trustOptions(ctx)
	if err != nil {
		return nil, err
	}
	c.trust = kind
	c.store = dbs.New(dbm.NewMemDB(), c.cfg.ChainID)
	witnesses := c.reachableWitnesses(sts, opts.Height)
	c.light, err = light.NewClient(ctx, c.cfg.ChainID, opts, c.nodes[primary].provider, witnesses, c.store, c.lightOptions()...)
	if err != nil {
		return nil, fmt.Errorf("verify: light client: %w", err)
	}
	return c, nil
}

func (c *Client) lightOptions() []light.Option {
	return []light.Option{light.Logger(c.cfg.Logger), light.MaxRetryAttempts(3)}
}

// settleChain checks that every node that answered serves one chain, the
// configured one, and settles the chain id when none was configured.
func (c *Client) settleChain(sts []status) error {
	for i, st := range sts {
		if st.err != nil {
			continue
		}
		if c.cfg.ChainID == "" {
			c.cfg.ChainID = st.chainID
		}
		if st.chainID != c.cfg.ChainID {
			return fmt.Errorf("verify: the node at %s serves chain %q, not %q: every --node must be of one chain", c.nodes[i].addr, printable(st.chainID), c.cfg.ChainID)
		}
	}
	return nil
}

// pickPrimary returns the current primary when it answered, else the
// first node that did.
func (c *Client) pickPrimary(sts []status) (int, error) {
	if sts[c.primary].err == nil {
		return c.primary, nil
	}
	for i, st := range sts {
		if st.err == nil {
			return i, nil
		}
	}
	var why []string
	for i, st := range sts {
		why = append(why, c.nodes[i].addr+" ("+unreachable(st.err)+")")
	}
	return 0, fmt.Errorf("%w: %s", ErrNoNode, strings.Join(why, ", "))
}

// reachableWitnesses returns the providers of the nodes other than the
// primary that answered and have the trusted header at height (the light
// client compares it with them; one without it would make the light client
// wait out its long pause for a lagging witness); when there are none, the
// primary itself, so that the light client still checks the validators'
// signatures.
func (c *Client) reachableWitnesses(sts []status, height int64) []provider.Provider {
	var out []provider.Provider
	for i, st := range sts {
		if i != c.primary && st.err == nil && st.latest >= height {
			out = append(out, c.nodes[i].provider)
		}
	}
	if len(out) == 0 {
		out = append(out, c.nodes[c.primary].provider)
	}
	return out
}

// Primary returns the address of the node that answers now.
func (c *Client) Primary() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nodes[c.primary].addr
}

// ChainID returns the chain the client follows.
func (c *Client) ChainID() string { return c.cfg.ChainID }

// Trust says where the client's trust point came from.
func (c *Client) Trust() TrustKind { return c.trust }

// trustOptions picks the trust point: the one given, the one remembered,
// or header 1 checked against the genesis validators.
func (c *Client) trustOptions(ctx context.Context) (light.TrustOptions, TrustKind, error) {
	cfg := c.cfg
	opts := light.TrustOptions{Period: cfg.TrustPeriod}
	if cfg.TrustHeight != 0 || len(cfg.TrustHash) != 0 {
		if cfg.TrustHeight <= 0 || len(cfg.TrustHash) == 0 {
			return opts, 0, errors.New("verify: a trust point is a positive height and the hash of its header")
		}
		opts.Height, opts.Hash = cfg.TrustHeight, cfg.TrustHash
		return opts, TrustGiven, nil
	}
	if cfg.TrustFile != "" {
		tp, ok, err := readTrust(cfg.TrustFile, cfg.ChainID)
		if err != nil {
			return opts, 0, err
		}
		if ok {
			opts.Height, opts.Hash = tp.Height, tp.Hash
			return opts, TrustRemembered, nil
		}
	}
	if cfg.Genesis == nil {
		return opts, 0, fmt.Errorf("%w for chain %s: give a trust height and hash, or the chain's genesis", ErrNoTrustPoint, cfg.ChainID)
	}
	if cfg.Genesis.ChainID != cfg.ChainID {
		return opts, 0, fmt.Errorf("verify: the genesis is of chain %q, not %q", cfg.Genesis.ChainID, cfg.ChainID)
	}
	vals := make([]*cmttypes.Validator, 0, len(cfg.Genesis.Validators))
	for _, v := range cfg.Genesis.Validators {
		vals = append(vals, cmttypes.NewValidator(v.PubKey, v.Power))
	}
	genVals := cmttypes.NewValidatorSet(vals)
	h := max(cfg.Genesis.InitialHeight, 1)
	lb, err := c.nodes[c.primary].provider.LightBlock(ctx, h)
	if err != nil {
		return opts, 0, fmt.Errorf("verify: fetch header %d from %s: %w", h, c.nodes[c.primary].addr, err)
	}
	if err := lb.ValidateBasic(cfg.ChainID); err != nil {
		return opts, 0, fmt.Errorf("verify: header %d: %s", h, printable(err.Error()))
	}
	if err := genVals.VerifyCommitLight(cfg.ChainID, lb.Commit.BlockID, h, lb.Commit); err != nil {
		return opts, 0, fmt.Errorf("verify: header %d is not signed by the genesis validators: %w", h, err)
	}
	opts.Height, opts.Hash = h, lb.Hash()
	return opts, TrustGenesis, nil
}

// readTrust reads a trust file of chainID. A missing file is no trust
// point (ok false); a file that is not a valid trust point of chainID is an
// ErrTrustFile that says what is wrong with it.
func readTrust(path, chainID string) (trustPoint, bool, error) {
	var tp trustPoint
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return tp, false, nil
	}
	if err != nil {
		return tp, false, fmt.Errorf("%w: %s: %v", ErrTrustFile, path, err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&tp); err != nil {
		return tp, false, fmt.Errorf("%w: %s is not a trust file (%s)", ErrTrustFile, path, printable(err.Error()))
	}
	switch {
	case tp.ChainID != chainID:
		return tp, false, fmt.Errorf("%w: %s holds a header of chain %q, not of %q", ErrTrustFile, path, printable(tp.ChainID), chainID)
	case tp.Height <= 0:
		return tp, false, fmt.Errorf("%w: %s holds height %d: a header's height is positive", ErrTrustFile, path, tp.Height)
	case len(tp.Hash) != 32:
		return tp, false, fmt.Errorf("%w: %s holds a hash of %d bytes, not 32", ErrTrustFile, path, len(tp.Hash))
	}
	return tp, true, nil
}

// remember writes lb to the TrustFile, if any, when it is higher than the
// header the file holds. A file that is not a trust point of this chain
// is left as it is.
func (c *Client) remember(lb *cmttypes.LightBlock) error {
	if c.cfg.TrustFile == "" {
		return nil
	}
	old, ok, err := readTrust(c.cfg.TrustFile, c.cfg.ChainID)
	if err != nil || (ok && old.Height >= lb.Height) {
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
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.light.Cleanup()
}
