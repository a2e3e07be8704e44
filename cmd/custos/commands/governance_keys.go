package commands

import (
	"fmt"
	"path/filepath"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/cmd/custos/keyring"
	"github.com/custos-ledger/custos/testnet"
	"github.com/custos-ledger/custos/x/did/types"
)

// governanceKey is a governance key testnet init makes: its keyring name
// and secret.
type governanceKey struct {
	name   string
	secret *keyring.Secret
}

// governanceSecrets makes n Ed25519 governance keys (none for n = 0) and
// names them in o.Governance with the threshold: key fragment and keyring
// name are governance (one key) or governance-1..n.
func governanceSecrets(o *testnet.Options, n int, threshold uint) ([]governanceKey, error) {
	if n == 0 {
		return nil, nil
	}
	if n < 0 || n > 32 || threshold < 1 || int(threshold) > n {
		return nil, fmt.Errorf("--governance-keys %d with --governance-threshold %d: give 0 to 32 keys and a threshold from 1 to their number", n, threshold)
	}
	g := &app.GenesisGovernance{Threshold: uint32(threshold)}
	var out []governanceKey
	for i := 1; i <= n; i++ {
		name := "governance"
		if n > 1 {
			name = fmt.Sprintf("governance-%d", i)
		}
		s, err := keyring.Generate(types.KeyTypeEd25519)
		if err != nil {
			return nil, err
		}
		out = append(out, governanceKey{name: name, secret: s})
		g.Keys = append(g.Keys, app.GovernanceKey{ID: name, PublicKeyMultibase: s.Public().Multibase()})
	}
	o.Governance = g
	return out, nil
}

// storeGovernanceKeys puts the governance keys in node0's test keyring.
func storeGovernanceKeys(net testnet.Testnet, keys []governanceKey) error {
	if len(keys) == 0 {
		return nil
	}
	home := net.Nodes[0].Home
	kr, err := keyring.Open(home, keyring.Options{Backend: keyring.BackendTest})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := kr.Import(k.name, k.secret); err != nil {
			return fmt.Errorf("testnet: governance key %s in %s: %w", k.name, filepath.Join(home, "keyring-test"), err)
		}
	}
	return nil
}
