package commands

import (
	"errors"

	"github.com/custos-ledger/custos/app"
)

// ExitUpgradeRequired is the exit status of a node that stopped because
// the next height needs an upgrade its binary does not know: it committed
// the height before and refuses to go further (or to start again) until
// it runs a binary that knows the upgrade. Supervisors should not restart
// it as it is (systemd: RestartPreventExitStatus=3).
const ExitUpgradeRequired = 3

// ExitCode returns the process exit status for an error of a command: 0
// for none, ExitUpgradeRequired for a node stopped by an upgrade, 1
// otherwise.
func ExitCode(err error) int {
	var up *app.UpgradeRequiredError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &up):
		return ExitUpgradeRequired
	default:
		return 1
	}
}
