package ceremony

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"

	"github.com/custos-ledger/custos/x/network/pop"
)

// KeyTypeEd25519 is the only consensus key type a validator info names.
const KeyTypeEd25519 = "ed25519"

// maxInfoBytes bounds a validator info file: the real thing is about 400
// bytes.
const maxInfoBytes = 16 << 10

// Info is a validator info file: what an operator publishes so that a
// coordinator can add their validator to a genesis (custos genesis
// add-validator) or governance can add it to a running network (custos
// validators add --info).
type Info struct {
	Moniker string `json:"moniker"`
	// NodeID is the hex id of the node's P2P key (node_key.json).
	NodeID string `json:"node_id"`
	// PubKey is the consensus public key (priv_validator_key.json).
	PubKey InfoPubKey `json:"pub_key"`
	// ProofOfPossession is the consensus key's signature of pop.Message.
	ProofOfPossession []byte `json:"proof_of_possession"`
	// P2PAddress is the node's id@host:port for its peers' persistent_peers
	// (empty: the operator sends it separately).
	P2PAddress string `json:"p2p_address,omitempty"`
}

// InfoPubKey is a consensus public key: type "ed25519", value the 32 raw
// bytes (base64 in JSON).
type InfoPubKey struct {
	Type  string `json:"type"`
	Value []byte `json:"value"`
}

// ParseInfo decodes a validator info file strictly (unknown fields and data
// after the object are errors) and verifies it (Verify).
func ParseInfo(b []byte) (Info, error) {
	if len(b) > maxInfoBytes {
		return Info{}, fmt.Errorf("validator info: %d bytes, more than a validator info file holds (%d)", len(b), maxInfoBytes)
	}
	var in Info
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return Info{}, fmt.Errorf("validator info: not a validator info file (%w): make it with custos validator-info", err)
	}
	if dec.More() {
		return Info{}, errors.New("validator info: data after the JSON object")
	}
	if err := in.Verify(); err != nil {
		return Info{}, err
	}
	return in, nil
}

// ReadInfo reads and verifies a validator info file.
func ReadInfo(path string) (Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return Info{}, fmt.Errorf("cannot read the validator info: %w", err)
	}
	defer f.Close()
	b, err := readLimited(f, maxInfoBytes)
	if err != nil {
		return Info{}, fmt.Errorf("cannot read the validator info %s: %w", path, err)
	}
	in, err := ParseInfo(b)
	if err != nil {
		return Info{}, fmt.Errorf("%s: %w", path, err)
	}
	return in, nil
}

// Verify checks every field: an Ed25519 key of 32 bytes, a proof of
// possession that verifies for it, a node id of 40 hex digits, a moniker
// CometBFT can write, and a P2P address, if any, of that node.
func (in Info) Verify() error {
	if in.PubKey.Type != KeyTypeEd25519 {
		return fmt.Errorf("validator info: consensus key type %q: only %q keys can validate", in.PubKey.Type, KeyTypeEd25519)
	}
	if len(in.PubKey.Value) != ed25519.PublicKeySize {
		return fmt.Errorf("validator info: the consensus key is %d bytes, an Ed25519 key is %d", len(in.PubKey.Value), ed25519.PublicKeySize)
	}
	if len(in.ProofOfPossession) == 0 {
		return errors.New("validator info: no proof_of_possession: make the file with custos validator-info on the validator's machine")
	}
	if err := pop.Verify(in.PubKey.Value, in.ProofOfPossession); err != nil {
		return fmt.Errorf("validator info: %w: it must be made by custos validator-info with this key's priv_validator_key.json", err)
	}
	if err := checkNodeID(in.NodeID); err != nil {
		return err
	}
	if err := checkMoniker(in.Moniker); err != nil {
		return err
	}
	if in.P2PAddress != "" {
		id, _, err := ParsePeer(in.P2PAddress)
		if err != nil {
			return fmt.Errorf("validator info: %w", err)
		}
		if id != in.NodeID {
			return fmt.Errorf("validator info: p2p_address %s names node %s, the file's node_id is %s", in.P2PAddress, id, in.NodeID)
		}
	}
	return nil
}

// Address returns the CometBFT validator address of the consensus key.
func (in Info) Address() string {
	return cmted25519.PubKey(in.PubKey.Value).Address().String()
}

func checkNodeID(id string) error {
	if len(id) != 2*20 {
		return fmt.Errorf("validator info: node_id %q is not 40 hex digits", id)
	}
	if _, err := hex.DecodeString(id); err != nil || strings.ToLower(id) != id {
		return fmt.Errorf("validator info: node_id %q is not 40 lowercase hex digits", id)
	}
	return nil
}

func checkMoniker(m string) error {
	if m == "" {
		return errors.New("validator info: empty moniker: name the node (custos init --moniker)")
	}
	if len(m) > 64 {
		return fmt.Errorf("validator info: moniker of %d bytes: use at most 64", len(m))
	}
	for _, r := range m {
		if r < 0x20 || r == 0x7f || r == '"' || r == '\\' {
			return fmt.Errorf("validator info: moniker %q contains a quote, backslash or control character", m)
		}
	}
	return nil
}

// ParsePeer reads an id@host:port P2P address without resolving host.
func ParsePeer(addr string) (id, hostPort string, err error) {
	id, hostPort, ok := strings.Cut(addr, "@")
	if !ok {
		return "", "", fmt.Errorf("p2p address %q: want node_id@host:port", addr)
	}
	if err := checkNodeID(id); err != nil {
		return "", "", fmt.Errorf("p2p address %q: the part before @ is not a node id", addr)
	}
	host, port, err := net.SplitHostPort(hostPort)
	if err != nil || host == "" {
		return "", "", fmt.Errorf("p2p address %q: want node_id@host:port", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", "", fmt.Errorf("p2p address %q: port %q is not 1-65535", addr, port)
	}
	return id, hostPort, nil
}

// InfoFromHome makes the validator info of the node whose home is home:
// its moniker (config.toml), node id (config/node_key.json) and consensus
// key (config/priv_validator_key.json), whose private key signs the proof
// of possession. hostPort, if not empty, is the address peers dial
// (host:port); otherwise p2p.external_address of config.toml is used, if
// set.
func InfoFromHome(cfg *cmtcfg.Config, hostPort string) (Info, error) {
	nodeKey, err := p2p.LoadNodeKey(cfg.NodeKeyFile())
	if err != nil {
		return Info{}, fmt.Errorf("cannot read the node key of %s (%w): run custos init --home %s first", cfg.RootDir, err, cfg.RootDir)
	}
	priv, err := loadConsensusKey(cfg.PrivValidatorKeyFile())
	if err != nil {
		return Info{}, err
	}
	in := Info{
		Moniker:           cfg.Moniker,
		NodeID:            string(nodeKey.ID()),
		PubKey:            InfoPubKey{Type: KeyTypeEd25519, Value: priv.Public().(ed25519.PublicKey)},
		ProofOfPossession: pop.Sign(priv),
	}
	if hostPort == "" {
		hostPort = cfg.P2P.ExternalAddress
	}
	if hostPort = strings.TrimPrefix(hostPort, "tcp://"); hostPort != "" {
		in.P2PAddress = p2p.IDAddressString(nodeKey.ID(), hostPort)
	}
	if err := in.Verify(); err != nil {
		return Info{}, err
	}
	return in, nil
}

// loadConsensusKey reads the Ed25519 private key of priv_validator_key.json.
func loadConsensusKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the consensus key (%w): run custos init --home %s first", err, filepath.Dir(filepath.Dir(path)))
	}
	var key privval.FilePVKey
	if err := cmtjson.Unmarshal(b, &key); err != nil {
		return nil, fmt.Errorf("cannot read the consensus key %s: %w", path, err)
	}
	priv, ok := key.PrivKey.(cmted25519.PrivKey)
	if !ok || len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("the consensus key in %s is not an Ed25519 key: only Ed25519 keys can validate", path)
	}
	return ed25519.PrivateKey(priv), nil
}
