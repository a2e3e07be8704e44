// Package testutil holds small helpers for tests across the module.
//
// It imports nothing from this module, so the tests of any package (app,
// x/did, store...) can use it without an import cycle. Helpers that start a
// node live in node/nodetest.
package testutil
