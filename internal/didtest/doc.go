// Package didtest builds keys, DIDs and signed transactions for tests.
//
// Everything is deterministic: a key is derived from a name, so a test
// names its keys ("alice", "guardian-1") and gets the same material on
// every run and every machine. The package is for tests only; it panics
// (or fails the test) on a builder error instead of returning it, since a
// builder error is a mistake in the test, not in the code under test.
package didtest
