// Package didtest builds keys, DIDs, signed transactions and workloads for
// tests and for the bench.
//
// Everything is deterministic: a key is derived from a name, so a test
// names its keys ("alice", "guardian-1") and gets the same material on
// every run and every machine. A workload (Creates, Mix) numbers its DIDs
// under a run name instead. The package is for tests and the bench harness
// only (a layering test holds that); it panics on a builder error instead
// of returning it, since a builder error is a mistake in the caller, not in
// the code under test.
package didtest
