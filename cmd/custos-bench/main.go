// Command custos-bench measures Custos beside CometBFT's kvstore on the same
// local network and load (see package internal/bench). `make bench` runs its
// suite.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}
