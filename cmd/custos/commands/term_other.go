//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package commands

import (
	"errors"
	"os"
)

// isTerminal is false where custos cannot turn echo off: passphrases are
// then read as lines from standard input (or come from --passphrase-file or
// CUSTOS_PASSPHRASE).
func isTerminal(*os.File) bool { return false }

func readHidden(*os.File) ([]byte, error) {
	return nil, errors.New("reading a hidden passphrase is not supported on this system")
}
