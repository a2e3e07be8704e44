// Package layering holds the test that keeps the import graph the way the
// design says: the DID rules link neither CometBFT nor badger nor a cache
// (the accelerations live in app/accel), the client-side verifier links no
// store, and no library imports a command.
// It has no code of its own.
package layering
