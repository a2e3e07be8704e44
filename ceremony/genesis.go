package ceremony

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/node"
)

// maxGenesisBytes bounds a genesis file read by this package.
const maxGenesisBytes = 16 << 20

// Genesis is a genesis file being built or checked.
type Genesis struct {
	Doc *cmttypes.GenesisDoc
}

// NewOptions describe a new genesis.
type NewOptions struct {
	ChainID string
	// AppState holds the Custos params (and, later, the governance keys).
	AppState app.GenesisState
	// Time is the genesis time; zero means now, in whole seconds.
	Time time.Time
}

// New returns a genesis with the chain id, params and consensus params of
// a `custos init` home, and no validator yet.
func New(opts NewOptions) (*Genesis, error) {
	if err := node.CheckChainID(opts.ChainID); err != nil {
		return nil, err
	}
	if opts.ChainID == "" {
		return nil, errors.New("empty chain id: give one, e.g. --chain-id custos-mainnet-1")
	}
	if _, err := opts.AppState.ToParams(); err != nil {
		return nil, fmt.Errorf("invalid genesis params: %w", err)
	}
	raw, err := json.Marshal(opts.AppState)
	if err != nil {
		return nil, fmt.Errorf("cannot encode the genesis app_state: %w", err)
	}
	t := opts.Time
	if t.IsZero() {
		t = time.Now().Truncate(time.Second)
	}
	doc := &cmttypes.GenesisDoc{
		GenesisTime:     t.UTC(),
		ChainID:         opts.ChainID,
		InitialHeight:   1,
		ConsensusParams: node.ConsensusParams(),
		AppState:        raw,
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("invalid genesis: %w", err)
	}
	return &Genesis{Doc: doc}, nil
}

// Read loads a genesis file and checks it as CometBFT does.
func Read(path string) (*Genesis, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the genesis: %w", err)
	}
	defer f.Close()
	b, err := readLimited(f, maxGenesisBytes)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the genesis %s: %w", path, err)
	}
	doc, err := cmttypes.GenesisDocFromJSON(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%s is not a valid genesis: %w", path, err)
	}
	return &Genesis{Doc: doc}, b, nil
}

// Encode returns the genesis file's bytes.
func (g *Genesis) Encode() ([]byte, error) {
	b, err := cmtjson.MarshalIndent(g.Doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("cannot encode the genesis: %w", err)
	}
	return append(b, '\n'), nil
}

// Write saves the genesis to path (atomically: a reader never sees half a
// file) and returns the SHA-256 of the bytes written.
func (g *Genesis) Write(path string) (string, error) {
	b, err := g.Encode()
	if err != nil {
		return "", err
	}
	if err := writeAtomic(path, b, 0o644); err != nil {
		return "", err
	}
	return Hash(b), nil
}

// Hash is the hex SHA-256 of a genesis file: the fingerprint operators
// compare, out of band, before they install it.
func Hash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// DefaultPower is the voting power AddValidator gives when none is asked.
const DefaultPower = node.ValidatorPower

// AddValidator verifies an operator's validator info (its proof of
// possession above all) and adds its consensus key with power. A key or a
// moniker already in the genesis is refused.
func (g *Genesis) AddValidator(in Info, power int64) error {
	if err := in.Verify(); err != nil {
		return err
	}
	if power <= 0 {
		return fmt.Errorf("power %d: a validator needs a power above 0", power)
	}
	total := power
	for _, v := range g.Doc.Validators {
		if bytes.Equal(v.PubKey.Bytes(), in.PubKey.Value) {
			return fmt.Errorf("duplicate validator: the consensus key of %q is already in the genesis (as %q)", in.Moniker, v.Name)
		}
		if v.Name == in.Moniker {
			return fmt.Errorf("duplicate moniker: %q already names a validator of the genesis; the operator must choose another (custos init --moniker, or moniker in config.toml) and send a new info file", v.Name)
		}
		total += v.Power
	}
	if total > cmttypes.MaxTotalVotingPower {
		return fmt.Errorf("power %d takes the total past CometBFT's maximum %d", power, cmttypes.MaxTotalVotingPower)
	}
	pub := cmted25519.PubKey(in.PubKey.Value)
	g.Doc.Validators = append(g.Doc.Validators, cmttypes.GenesisValidator{
		Address: pub.Address(),
		PubKey:  pub,
		Power:   power,
		Name:    in.Moniker,
	})
	return nil
}

// Validate checks the genesis as the nodes will: CometBFT's checks, the
// app_state as this binary reads it, at least one validator, and the
// governance section's shape.
func (g *Genesis) Validate() error {
	if err := g.Doc.ValidateAndComplete(); err != nil {
		return fmt.Errorf("invalid genesis: %w", err)
	}
	if len(g.Doc.Validators) == 0 {
		return errors.New("the genesis has no validator: add one per operator with custos genesis add-validator INFO_FILE")
	}
	seen := map[string]string{}
	for _, v := range g.Doc.Validators {
		k := string(v.PubKey.Bytes())
		if name, dup := seen[k]; dup {
			return fmt.Errorf("duplicate validator: %q and %q have the same consensus key", name, v.Name)
		}
		seen[k] = v.Name
	}
	if _, err := g.Governance(); err != nil {
		return err
	}
	if _, err := app.ParseGenesisState(g.Doc.AppState); err != nil {
		return err
	}
	return nil
}

// appState returns the app_state's top-level fields, raw.
func (g *Genesis) appState() (map[string]json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(g.Doc.AppState)) == 0 {
		return m, nil
	}
	if err := json.Unmarshal(g.Doc.AppState, &m); err != nil {
		return nil, fmt.Errorf("genesis app_state is not a JSON object: %w", err)
	}
	return m, nil
}

func (g *Genesis) setAppState(m map[string]json.RawMessage) error {
	raw, err := json.Marshal(m) // keys sorted: the same state, the same bytes
	if err != nil {
		return fmt.Errorf("cannot encode the genesis app_state: %w", err)
	}
	g.Doc.AppState = raw
	return nil
}

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return b, nil
}

// writeAtomic writes b to a temporary file beside path, then renames it.
func writeAtomic(path string, b []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, perm)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}
