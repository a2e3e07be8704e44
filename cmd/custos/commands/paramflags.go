package commands

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/custos-ledger/custos/app"
)

// paramFlags are the genesis params a new genesis takes from the command
// line: custos init and custos genesis new share them.
type paramFlags struct {
	minDelay, expiry time.Duration
}

func addParamFlags(f *pflag.FlagSet) *paramFlags {
	p := &paramFlags{}
	f.DurationVar(&p.minDelay, "recovery-min-delay", 24*time.Hour, "shortest delay guardians may set before an approved recovery executes (genesis param)")
	f.DurationVar(&p.expiry, "recovery-expiry", 7*24*time.Hour, "how long a recovery may wait for its guardian approvals (genesis param)")
	return p
}

// apply writes the flags' values into a genesis app_state.
func (p *paramFlags) apply(g *app.GenesisState) {
	g.Params.RecoveryMinDelay = p.minDelay.String()
	g.Params.RecoveryExpiry = p.expiry.String()
}
