package testnet

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

const (
	// TableFile is the nodes table in a testnet folder.
	TableFile = "testnet.json"
	// PortsFile is the same table as whitespace-separated text, one node a
	// line after a "#" header: name role p2p rpc resolver prometheus node-id.
	PortsFile = "ports.txt"
)

// Role is what a node does in the network.
type Role string

// The roles of testnet nodes.
const (
	RoleValidator Role = "validator"
	RoleFullNode  Role = "full"
)

// Testnet is the nodes table of a testnet folder.
type Testnet struct {
	ChainID string `json:"chain_id"`
	// Dir is the absolute path of the folder.
	Dir   string `json:"dir"`
	Nodes []Node `json:"nodes"`
}

// Node is one node of a testnet.
type Node struct {
	// Name is the node's folder under Dir and its moniker: node0, node1...
	Name string `json:"name"`
	// Home is the node's home (Dir/Name), absolute.
	Home string `json:"home"`
	Role Role   `json:"role"`
	// NodeID is the P2P id derived from config/node_key.json.
	NodeID string `json:"node_id"`
	// ValidatorAddress is the address of a validator's consensus key;
	// empty for full nodes.
	ValidatorAddress string `json:"validator_address,omitempty"`
	// P2P and RPC are CometBFT listen addresses (tcp://127.0.0.1:port).
	P2P string `json:"p2p"`
	RPC string `json:"rpc"`
	// Resolver is the HTTP resolver's host:port, for --resolver.laddr.
	Resolver string `json:"resolver"`
	// Prometheus is CometBFT's metrics host:port (served when on).
	Prometheus string `json:"prometheus"`
}

// Peer returns the node as a persistent_peers entry: id@host:port.
func (n Node) Peer() string {
	return n.NodeID + "@" + strings.TrimPrefix(n.P2P, "tcp://")
}

// StartArgs returns the arguments of `custos` that start the node.
func (n Node) StartArgs() []string {
	return []string{"start", "--home", n.Home, "--resolver.laddr", n.Resolver}
}

// Validators returns the validator nodes.
func (t Testnet) Validators() []Node { return t.byRole(RoleValidator) }

// FullNodes returns the non-validator nodes.
func (t Testnet) FullNodes() []Node { return t.byRole(RoleFullNode) }

func (t Testnet) byRole(r Role) []Node {
	var out []Node
	for _, n := range t.Nodes {
		if n.Role == r {
			out = append(out, n)
		}
	}
	return out
}

// Load reads the nodes table of the testnet in dir. Homes are recomputed
// from dir, so a moved folder still loads.
func Load(dir string) (Testnet, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Testnet{}, fmt.Errorf("testnet: cannot resolve %s: %w", dir, err)
	}
	path := filepath.Join(abs, TableFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Testnet{}, fmt.Errorf("testnet: %s holds no testnet (no %s): create one with `custos testnet init --output-dir %s`", dir, TableFile, dir)
	}
	if err != nil {
		return Testnet{}, fmt.Errorf("testnet: cannot read the nodes table: %w", err)
	}
	var t Testnet
	if err := json.Unmarshal(b, &t); err != nil {
		return Testnet{}, fmt.Errorf("testnet: %s: %w", path, err)
	}
	t.Dir = abs
	for i := range t.Nodes {
		name := t.Nodes[i].Name
		if name == "" || name != filepath.Base(name) || strings.HasPrefix(name, ".") {
			return Testnet{}, fmt.Errorf("testnet: %s: node %d has an invalid name %q", path, i, name)
		}
		t.Nodes[i].Home = filepath.Join(abs, name)
	}
	return t, nil
}

// save writes the nodes table and the ports file into t.Dir.
func (t Testnet) save() error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return fmt.Errorf("testnet: cannot encode the nodes table: %w", err)
	}
	if err := os.WriteFile(filepath.Join(t.Dir, TableFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("testnet: cannot write the nodes table: %w", err)
	}
	var sb strings.Builder
	tw := tabwriter.NewWriter(&sb, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "# name\trole\tp2p\trpc\tresolver\tprometheus\tnode-id")
	for _, n := range t.Nodes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n.Name, n.Role,
			strings.TrimPrefix(n.P2P, "tcp://"), strings.TrimPrefix(n.RPC, "tcp://"), n.Resolver, n.Prometheus, n.NodeID)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(t.Dir, PortsFile), []byte(sb.String()), 0o644); err != nil {
		return fmt.Errorf("testnet: cannot write the ports file: %w", err)
	}
	return nil
}
