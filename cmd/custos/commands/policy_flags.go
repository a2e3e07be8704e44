package commands

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/custos-ledger/custos/app"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// policyFlags are the genesis write-policy flags of `custos init` and
// `custos testnet init` (docs/write-policy.md).
type policyFlags struct {
	policy       string
	difficulty   uint32
	endorsers    []string
	endorserKeys []string
	rateLimits   string
}

func (f *policyFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.policy, "write-policy", app.PolicyOpen,
		"who may create DIDs: open (anyone, with a proof-of-work stamp) or endorsed (creates co-signed by an --endorser)")
	fs.Uint32Var(&f.difficulty, "stamp-difficulty", types.DefaultStampDifficulty,
		"leading zero bits of the proof-of-work stamp every create carries (0: no stamp); each bit doubles what a create costs its writer, about 2 s of one core at the default")
	fs.StringArrayVar(&f.endorsers, "endorser", nil,
		"endorser DID (write policy endorsed); repeatable")
	fs.StringArrayVar(&f.endorserKeys, "endorser-key", nil,
		"public key (z6Mk..., from `custos keys show NAME`) of an endorser DID not created yet: lists the DID that `custos did create --key NAME` will create on this chain; repeatable")
	fs.StringVar(&f.rateLimits, "rate-limit", "10/1h,30/24h,100/168h",
		"per-DID rate limits as MAX/PERIOD, comma separated (none: no limit)")
}

// apply writes the flags into g's params for a chain chainID.
func (f *policyFlags) apply(g *app.GenesisState, chainID string) error {
	g.Params.WritePolicy = f.policy
	g.Params.StampDifficulty = f.difficulty
	limits, err := app.ParseRateLimits(f.rateLimits)
	if err != nil {
		return fmt.Errorf("--rate-limit: %v", err)
	}
	g.Params.RateLimits = limits
	endorsers := append([]string{}, f.endorsers...)
	for _, mb := range f.endorserKeys {
		pk, err := types.ParseMultikey(strings.TrimSpace(mb))
		if err != nil || !pk.Type().CanSign() {
			return fmt.Errorf("--endorser-key %s: not a signing public key in multibase (z6Mk...): `custos keys show NAME` prints one", mb)
		}
		id, err := txbuild.DID(chainID, controllerDocument(pk))
		if err != nil {
			return fmt.Errorf("--endorser-key %s: %v", mb, err)
		}
		endorsers = append(endorsers, id.String())
	}
	g.Params.Endorsers = endorsers
	if _, err := g.ToParams(); err != nil {
		return fmt.Errorf("write policy: %v", err)
	}
	return nil
}

// check reports what is wrong with the flags before anything is written.
func (f *policyFlags) check(chainID string) error {
	g := app.DefaultGenesisState()
	return f.apply(&g, chainID)
}

// controllerDocument is the document `custos did create --key NAME` builds
// for a key alone: key-1, capabilityInvocation and authentication,
// threshold 1.
func controllerDocument(pk types.PublicKey) types.Document {
	return types.Document{
		VerificationMethods:  []types.VerificationMethod{{Id: "key-1", PublicKey: pk.Multicodec()}},
		Authentication:       []string{"key-1"},
		CapabilityInvocation: []string{"key-1"},
		Threshold:            1,
	}
}
