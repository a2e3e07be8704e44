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
	policy           policyFlags
	// chainID is the chain the genesis is for (forChain): endorser DIDs
	// given by key derive from it.
	chainID string
}

func addParamFlags(f *pflag.FlagSet) *paramFlags {
	p := &paramFlags{}
	f.DurationVar(&p.minDelay, "recovery-min-delay", 24*time.Hour, "shortest delay guardians may set before an approved recovery executes (genesis param)")
	f.DurationVar(&p.expiry, "recovery-expiry", 7*24*time.Hour, "how long a recovery may wait for its guardian approvals (genesis param)")
	p.policy.register(f)
	return p
}

// forChain sets the chain the genesis is for and checks the write-policy
// flags against it, before anything is written.
func (p *paramFlags) forChain(chainID string) error {
	p.chainID = chainID
	return p.policy.check(chainID)
}

// apply writes the flags' values into a genesis app_state.
func (p *paramFlags) apply(g *app.GenesisState) {
	g.Params.RecoveryMinDelay = p.minDelay.String()
	g.Params.RecoveryExpiry = p.expiry.String()
	_ = p.policy.apply(g, p.chainID) // forChain checked it
}
