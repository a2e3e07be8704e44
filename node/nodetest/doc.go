// Package nodetest starts real single-validator Custos nodes inside tests:
// a fresh home on free 127.0.0.1 ports with fast blocks (Home), a running
// node that stops when the test ends (Start), and an RPC client to watch it
// (Client, WaitForHeight).
//
// One test process should start each home at most once: CometBFT v0.38
// leaks its tx-indexer database on stop, so restarts belong in child
// processes.
package nodetest
