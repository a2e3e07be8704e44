package node

import (
	"fmt"
	"os"

	cmtcfg "github.com/cometbft/cometbft/config"
)

// CustosConfig is the [custos] section of config.toml: limits of this
// node alone, never consensus (docs/operators.md, "Admission limits").
type CustosConfig struct {
	// MaxTxBytes is the largest tx this node's RPC and mempool accept:
	// it sets mempool.max_tx_bytes, and rpc.max_body_bytes to what a
	// request carrying such a tx needs (base64 in JSON, plus room), so
	// the two cannot disagree. 0 leaves both as the file sets them.
	MaxTxBytes int `mapstructure:"max_tx_bytes"`
}

// DefaultCustosConfig is the [custos] section `custos init` writes: txs up
// to the default genesis max_tx_bytes (16 KiB).
func DefaultCustosConfig() CustosConfig { return CustosConfig{MaxTxBytes: 16 * 1024} }

// Validate reports what is wrong with the section.
func (c CustosConfig) Validate() error {
	if c.MaxTxBytes != 0 && (c.MaxTxBytes < 1024 || c.MaxTxBytes > 1<<20) {
		return fmt.Errorf("custos.max_tx_bytes must be 0 or in [1024, 1048576], got %d", c.MaxTxBytes)
	}
	return nil
}

// apply writes the section's limits into cfg.
func (c CustosConfig) apply(cfg *cmtcfg.Config) {
	if c.MaxTxBytes == 0 {
		return
	}
	cfg.Mempool.MaxTxBytes = c.MaxTxBytes
	cfg.RPC.MaxBodyBytes = RPCBodyBytes(c.MaxTxBytes)
}

// RPCBodyBytes is the request size that carries a tx of n bytes to
// broadcast_tx_*: base64 (4/3) in a JSON-RPC envelope, with 4 KiB of room.
func RPCBodyBytes(n int) int64 { return int64((n+2)/3*4 + 4096) }

// appendCustosSection adds the [custos] section to the config file at path.
func appendCustosSection(path string, c CustosConfig) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("cannot write the [custos] section: %w", err)
	}
	_, werr := fmt.Fprintf(f, `
#######################################################
###        Custos: this node's own limits           ###
#######################################################
[custos]

# The largest transaction this node's RPC and mempool accept, in bytes; it
# sets mempool.max_tx_bytes and rpc.max_body_bytes together. 0 leaves those
# as set above. The chain's own limit is the genesis param max_tx_bytes.
max_tx_bytes = %d
`, c.MaxTxBytes)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	return werr
}
