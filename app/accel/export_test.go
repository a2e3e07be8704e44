package accel

import (
	"github.com/custos-ledger/custos/x/did/keeper"
	"github.com/custos-ledger/custos/x/did/types"
)

// WithFacts returns cfg whose engine's keeper facts are wrap(the facts New
// builds): the differential test makes a memory wrong on purpose with it.
func WithFacts(cfg Config, wrap func(keeper.Facts) keeper.Facts) Config {
	cfg.wrapFacts = wrap
	return cfg
}

// WithHeadOnly returns cfg whose recheck shortcut trusts headOnly instead
// of keeper.DependsOnlyOnHead.
func WithHeadOnly(cfg Config, headOnly func(types.Params, *types.TxBody) bool) Config {
	cfg.headOnly = headOnly
	return cfg
}
