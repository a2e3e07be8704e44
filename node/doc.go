// Package node builds, starts and stops a CometBFT node running the Custos
// application in the same process, and writes new single-validator homes.
//
// A home is CometBFT's folder layout (config/config.toml, config/genesis.json,
// keys, data/) plus the application's database in data/custos. The command
// line (package commands) and in-process integration tests both go through
// this package, so a test node is the node users run.
//
// config.toml is read without viper: github.com/pelletier/go-toml/v2 (the
// TOML library viper itself uses) decodes it, and config.go fills the fields
// of cometbft/config.Config by their mapstructure tags, with viper's weak
// typing. Unknown settings are an error rather than silently ignored.
//
// CometBFT v0.38 does not close its tx-indexer database on stop, so one
// process should start at most one node per home; tests that restart a node
// run it as a child process.
package node
