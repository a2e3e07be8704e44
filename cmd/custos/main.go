// Command custos runs and administers a Custos DID ledger node.
package main

import (
	"fmt"
	"os"

	"github.com/custos-ledger/custos/cmd/custos/commands"
)

func main() {
	if err := commands.NewRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(commands.ExitCode(err))
	}
}
