//go:build !upgrade_test_v2

package app

import "github.com/custos-ledger/custos/x/network/upgrade"

// builtinMigrations are the migrations of this release: none yet. A
// release that needs one for a scheduled upgrade lists it here, by the
// upgrade's name.
func builtinMigrations() []upgrade.Migration { return nil }
