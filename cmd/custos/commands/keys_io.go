package commands

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/cmd/custos/keyring"
)

func newKeysImportCmd(opts *options, kf *keyringFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import NAME [FILE]",
		Short: "Store an existing private key (secretKeyMultibase) under NAME",
		Long: `Import reads a private key as secretKeyMultibase (what custos keys export
prints: z3u2... for Ed25519, z3we... for X25519) from FILE, or from standard
input when FILE is - or absent (at a terminal the typing is hidden), and stores
it in the keyring under NAME. A private key is never taken as an argument, so
it does not end up in the shell history.

When the key comes from standard input and the keyring is encrypted, give the
passphrase with --passphrase-file or CUSTOS_PASSPHRASE, or as the next line of
standard input.`,
		Example: `  custos keys import alice ./alice.secret
  custos keys export alice --keyring-backend test | custos keys import alice --passphrase-file ~/.custos-pass`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := kf.open(cmd, opts.home)
			if err != nil {
				return err
			}
			if err := keyring.ValidateName(args[0]); err != nil {
				return err
			}
			var line []byte
			if len(args) == 2 && args[1] != "-" {
				data, err := os.ReadFile(args[1])
				if err != nil {
					return fmt.Errorf("cannot read the key file: %v", err)
				}
				line = []byte(strings.TrimSpace(string(data)))
			} else {
				line, err = readSecret(cmd.InOrStdin(), cmd.ErrOrStderr(), "Private key (secretKeyMultibase): ")
				if errors.Is(err, io.EOF) {
					return errors.New("no private key on standard input: give a FILE, or pipe the secretKeyMultibase in")
				}
				if err != nil {
					return err
				}
			}
			s, err := keyring.ParseSecret(string(line))
			if err != nil {
				return fmt.Errorf("cannot import: %v", err)
			}
			info, err := kr.Import(args[0], s)
			if err != nil {
				return keyError(kr, err)
			}
			v := viewKey(kr, info)
			return opts.print(cmd.OutOrStdout(), v, "imported key "+v.Name+"\n"+v.text())
		},
	}
	return cmd
}

func newKeysExportCmd(opts *options, kf *keyringFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "export NAME",
		Short: "Print a private key (secretKeyMultibase), to back it up or move it",
		Long: `Export prints the private key of NAME as secretKeyMultibase on standard
output, and a warning on standard error. It is the only command that shows a
private key. custos keys import reads it back.`,
		Example: `  custos keys export alice > alice.secret && chmod 600 alice.secret
  custos keys export alice --output json`,
		Args: exactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := kf.open(cmd, opts.home)
			if err != nil {
				return err
			}
			s, err := kr.Unlock(args[0])
			if err != nil {
				return keyError(kr, err)
			}
			printSecretWarning(cmd.ErrOrStderr(), args[0], s.Type())
			res := struct {
				Name               string `json:"name"`
				Type               string `json:"type"`
				PublicKeyMultibase string `json:"publicKeyMultibase"`
				SecretKeyMultibase string `json:"secretKeyMultibase"`
			}{args[0], keyring.TypeName(s.Type()), s.Public().Multibase(), s.Multibase()}
			return opts.print(cmd.OutOrStdout(), res, res.SecretKeyMultibase+"\n")
		},
	}
}
