package commands

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// Version is the Custos version.
const Version = "0.1.0-dev"

const (
	// HomeEnv names the environment variable that sets --home when the flag
	// is not given.
	HomeEnv = "CUSTOS_HOME"
	// DefaultHome is the home folder when neither --home nor CUSTOS_HOME is set.
	DefaultHome = "~/.custos"
)

// options are the persistent flags every command sees, resolved by the root
// command before any subcommand runs.
type options struct {
	home   string
	output string
}

// NewRootCmd returns a new custos command tree.
func NewRootCmd() *cobra.Command {
	opts := &options{}
	root := &cobra.Command{
		Use:   "custos",
		Short: "Custos: a ledger of decentralized identifiers (DIDs)",
		Long: `Custos runs a DID ledger: a CometBFT blockchain whose application records
DID documents, their keys, guardians and recovery.`,
		Example: `  custos init --chain-id custos-local
  custos start
  custos version --output json`,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return opts.resolve(cmd)
		},
	}
	root.PersistentFlags().StringVar(&opts.home, "home", DefaultHome,
		"node home folder (config, keys, data); the "+HomeEnv+" environment variable sets it too")
	root.PersistentFlags().StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	root.AddCommand(
		newInitCmd(opts),
		newStartCmd(opts),
		newVersionCmd(opts),
	)
	root.AddCommand(newResolverCmd(opts))
	root.AddCommand(newKeysCmd(opts))
	root.AddCommand(newDIDCmd(opts))
	root.AddCommand(newGuardiansCmd(opts))
	root.AddCommand(newRecoveryCmd(opts))
	root.AddCommand(newTxCmd(opts))
	root.AddCommand(newResolveCmd(opts))
	root.AddCommand(newHistoryCmd(opts))
	root.AddCommand(newTestnetCmd(opts))
	root.AddCommand(newValidatorInfoCmd(opts))
	root.AddCommand(newValidatorsCmd(opts))
	root.AddCommand(newGenesisCmd(opts))
	root.AddCommand(newUpgradeCmd(opts))
	root.AddCommand(newNetworkCmd(opts))
	return root
}

// resolve checks --output and settles the home: the flag, else
// CUSTOS_HOME, else the default; "~" expanded, made absolute.
func (o *options) resolve(cmd *cobra.Command) error {
	if o.output != "text" && o.output != "json" {
		return fmt.Errorf("invalid --output %q: use text or json", o.output)
	}
	home := o.home
	if f := cmd.Flags().Lookup("home"); f != nil && !f.Changed {
		if env := os.Getenv(HomeEnv); env != "" {
			home = env
		}
	}
	home, err := expandHome(home)
	if err != nil {
		return err
	}
	o.home = home
	return nil
}

// expandHome replaces a leading "~" with the user's home folder and makes
// the path absolute.
func expandHome(path string) (string, error) {
	if path == "" {
		return "", fmt.Errorf("empty --home: give a folder, e.g. --home %s", DefaultHome)
	}
	if path == "~" || strings.HasPrefix(path, "~/") {
		dir, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot expand ~ in --home %s (%w): give an absolute path", path, err)
		}
		path = filepath.Join(dir, path[1:])
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("cannot resolve --home %s: %w", path, err)
	}
	return abs, nil
}

// print writes v as indented JSON with --output json, or text otherwise.
func (o *options) print(w io.Writer, v any, text string) error {
	if o.output == "json" {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("cannot encode the output: %w", err)
		}
		text = string(b) + "\n"
	}
	_, err := io.WriteString(w, text)
	return err
}
