// Package bench measures Custos against CometBFT's own kvstore application
// on the same local network and the same load, so the figure that matters
// is a ratio measured side by side in one run (this machine is shared and
// absolute figures drift). cmd/custos-bench is its only user.
//
// A run writes a testnet (testnet.Init), starts every node as a child
// process (`custos start` or `custos-bench kvnode`, which runs kvstore
// in-process with CometBFT), offers pre-signed txs (didtest's workload) at
// a bounded rate for a bounded time over the nodes' RPC, and counts the
// committed, successful txs from block results of the blocks inside the
// window. The state size and the HTTP resolver figures are taken in this
// process: a store filled through the keeper, served by the resolver on
// 127.0.0.1 and loaded by internal/httpload's clients.
package bench
