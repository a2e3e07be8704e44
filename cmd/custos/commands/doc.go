// Package commands is the custos command line: NewRootCmd builds a fresh
// cobra command tree, so tests run commands in-process with their own
// arguments and output buffers. It holds no package-level state.
//
// Commands print their result on stdout as text or, with --output json, as
// one JSON document. Errors are returned to main, which prints them once.
package commands
