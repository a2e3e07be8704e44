//go:build upgrade_test_v2

package app

import (
	"encoding/binary"

	"github.com/custos-ledger/custos/x/network/upgrade"
)

// A build with the tag upgrade_test_v2 knows one more upgrade, for the test
// of a network that switches binaries at an upgrade's height
// (cmd/custos/commands, TestUpgradeSwitch). Nothing else differs.

// DemoUpgradeName is the upgrade the upgrade_test_v2 build knows.
const DemoUpgradeName = "test-v2"

// DemoUpgradeKey is the state entry its migration writes: the height it
// ran at (8 bytes, big-endian).
var demoUpgradeKey = []byte("n/demo/test-v2")

func builtinMigrations() []upgrade.Migration {
	return []upgrade.Migration{{
		Name: DemoUpgradeName,
		Migrate: func(st upgrade.Store, height int64) error {
			return st.Set(demoUpgradeKey, binary.BigEndian.AppendUint64(nil, uint64(height)))
		},
	}}
}
