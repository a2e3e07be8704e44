package commands

import (
	"fmt"
	"runtime"

	cmtversion "github.com/cometbft/cometbft/version"
	"github.com/spf13/cobra"
)

// versionInfo is the output of `custos version`.
type versionInfo struct {
	Custos   string `json:"custos"`
	CometBFT string `json:"cometbft"`
	ABCI     string `json:"abci"`
	Go       string `json:"go"`
}

func newVersionCmd(opts *options) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the versions of Custos, CometBFT and ABCI",
		Example: `  custos version
  custos version --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := versionInfo{
				Custos:   Version,
				CometBFT: cmtversion.TMCoreSemVer,
				ABCI:     cmtversion.ABCISemVer,
				Go:       runtime.Version(),
			}
			text := fmt.Sprintf("custos   %s\ncometbft %s\nabci     %s\ngo       %s\n", v.Custos, v.CometBFT, v.ABCI, v.Go)
			return opts.print(cmd.OutOrStdout(), v, text)
		},
	}
}
