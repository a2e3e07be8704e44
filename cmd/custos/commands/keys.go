package commands

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/custos-ledger/custos/cmd/custos/keyring"
	"github.com/custos-ledger/custos/x/did/types"
)

// keyView is a key as the keys commands print it.
type keyView struct {
	Name               string `json:"name"`
	Type               string `json:"type"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
	Backend            string `json:"backend"`
	Path               string `json:"path"`
	// PKCS11 says where a key held in a PKCS#11 token is.
	PKCS11 *keyring.PKCS11Ref `json:"pkcs11,omitempty"`
}

func viewKey(kr *keyring.Keyring, i keyring.Info) keyView {
	return keyView{Name: i.Name, Type: keyring.TypeName(i.Type), PublicKeyMultibase: i.PublicKey.Multibase(),
		Backend: string(kr.Backend()), Path: i.Path, PKCS11: i.PKCS11}
}

func (v keyView) text() string {
	s := fmt.Sprintf("name:               %s\ntype:               %s\npublicKeyMultibase: %s\nfile:               %s (%s backend)\n",
		v.Name, v.Type, v.PublicKeyMultibase, v.Path, v.Backend)
	if r := v.PKCS11; r != nil {
		s += fmt.Sprintf("held in:            PKCS#11 token %q, key %q (id %s), module %s\n", r.Token, r.Label, r.ID, r.Module)
	}
	return s
}

func newKeysCmd(opts *options) *cobra.Command {
	kf := &keyringFlags{}
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage the local keyring: signing keys (Ed25519, P-256, secp256k1; on disk or in a PKCS#11 token) and X25519 agreement keys",
		Long: `Keys are generated on this machine and kept under the home, one file per key:
<home>/keyring/NAME.key, encrypted with a passphrase (scrypt and
ChaCha20-Poly1305), or with --keyring-backend test, <home>/keyring-test/NAME.key
unencrypted, for local networks only.

The passphrase is asked for at the terminal (typing is hidden); scripts give it
with --passphrase-file or CUSTOS_PASSPHRASE. Files are created with mode 0600.
A private key is printed only by ` + "`custos keys export`" + `.`,
		Example: `  custos keys add alice
  custos keys add alice-agreement --type x25519
  custos keys list
  custos keys show alice --output json
  custos keys add ci --keyring-backend test`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	kf.register(cmd.PersistentFlags())
	cmd.AddCommand(
		newKeysAddCmd(opts, kf),
		newKeysListCmd(opts, kf),
		newKeysShowCmd(opts, kf),
		newKeysDeleteCmd(opts, kf),
		newKeysImportCmd(opts, kf),
		newKeysExportCmd(opts, kf),
	)
	return cmd
}

// PKCS11ModuleEnv names the environment variable that sets
// --pkcs11-module when the flag is not given.
const PKCS11ModuleEnv = "CUSTOS_PKCS11_MODULE"

func newKeysAddCmd(opts *options, kf *keyringFlags) *cobra.Command {
	var typeName, backend string
	var ref keyring.PKCS11Ref
	var existing bool
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Generate a new key (on this machine or in a PKCS#11 token) and store it in the keyring",
		Long: `Add generates a key and stores it under NAME. Ed25519 keys (the default),
P-256 keys (--type p256) and secp256k1 keys (--type secp256k1) sign: use them
for a DID's controller, authentication and assertion keys. X25519 keys (--type
x25519) are for keyAgreement only.

With --backend pkcs11 the key is generated inside a PKCS#11 token (an HSM, a
smart card, SoftHSM2) as a sensitive, non-extractable key, or with --existing
the token's key labelled --pkcs11-label is used. The keyring then keeps only a
reference (module, token, key label and id) and the public key; every
signature is made by the token. Tokens hold ed25519 or p256 keys. The token's
user PIN is asked for at the terminal, or read from --pkcs11-pin-file or
` + PKCS11PINEnv + `. See docs/hsm.md.

Names are 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or
digit. Add prints the public key (publicKeyMultibase), never the private key.`,
		Example: `  custos keys add alice
  custos keys add alice-p256 --type p256
  custos keys add alice-agreement --type x25519
  custos keys add officer --backend pkcs11 --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --pkcs11-token custos --type p256
  custos keys add officer --backend pkcs11 --pkcs11-token custos --pkcs11-label officer-key --existing
  CUSTOS_PASSPHRASE=... custos keys add bot --output json
  custos keys add ci --keyring-backend test`,
		Args: exactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := keyring.ParseType(typeName)
			if err != nil {
				return fmt.Errorf("invalid --type %q: use ed25519, p256 or secp256k1 (signing) or x25519 (key agreement)", typeName)
			}
			kr, err := kf.open(cmd, opts.home)
			if err != nil {
				return err
			}
			var info keyring.Info
			switch backend {
			case "software":
				if existing || ref.Token != "" || ref.Label != "" || ref.Module != "" {
					return fmt.Errorf("--existing and the --pkcs11-* flags go with --backend pkcs11")
				}
				info, err = kr.Add(args[0], t)
			case "pkcs11":
				if !keyring.PKCS11Available {
					return fmt.Errorf("this custos was built without cgo, so it cannot use a PKCS#11 token: build it with CGO_ENABLED=1")
				}
				if ref.Module == "" {
					ref.Module = os.Getenv(PKCS11ModuleEnv)
				}
				if ref.Module == "" || ref.Token == "" {
					return fmt.Errorf("--backend pkcs11 needs --pkcs11-module LIB (or %s) and --pkcs11-token LABEL", PKCS11ModuleEnv)
				}
				if ref.Label == "" {
					ref.Label = args[0]
				}
				if t != types.KeyTypeEd25519 && t != types.KeyTypeP256 {
					return fmt.Errorf("--backend pkcs11 holds ed25519 or p256 keys, not %s", keyring.TypeName(t))
				}
				info, err = kr.AddPKCS11(args[0], t, ref, existing)
			default:
				return fmt.Errorf("invalid --backend %q: use software (the key is made on this machine and kept in the keyring) or pkcs11 (the key is made and kept in a PKCS#11 token)", backend)
			}
			if err != nil {
				return keyError(kr, err)
			}
			v := viewKey(kr, info)
			return opts.print(cmd.OutOrStdout(), v, "added key "+v.Name+"\n"+v.text())
		},
	}
	cmd.Flags().StringVar(&typeName, "type", "ed25519", "key type: ed25519, p256 or secp256k1 (signing) or x25519 (key agreement)")
	cmd.Flags().StringVar(&backend, "backend", "software", "where the private key lives: software (in the keyring) or pkcs11 (in a PKCS#11 token, never leaving it)")
	cmd.Flags().StringVar(&ref.Module, "pkcs11-module", "", "path of the token's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so (or set "+PKCS11ModuleEnv+")")
	cmd.Flags().StringVar(&ref.Token, "pkcs11-token", "", "label of the PKCS#11 token")
	cmd.Flags().StringVar(&ref.Label, "pkcs11-label", "", "label of the key in the token (default NAME)")
	cmd.Flags().BoolVar(&existing, "existing", false, "use the token's existing private key labelled --pkcs11-label instead of generating one")
	return cmd
}

func newKeysListCmd(opts *options, kf *keyringFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the keys of the keyring with their public keys",
		Example: `  custos keys list
  custos keys list --keyring-backend test --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kr, err := kf.open(cmd, opts.home)
			if err != nil {
				return err
			}
			infos, err := kr.List()
			if err != nil {
				return err
			}
			views := make([]keyView, 0, len(infos))
			for _, i := range infos {
				views = append(views, viewKey(kr, i))
			}
			var b strings.Builder
			if len(views) == 0 {
				fmt.Fprintf(&b, "no keys in %s (%s backend): add one with `custos keys add NAME`\n", kr.Dir(), kr.Backend())
			} else {
				tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tTYPE\tPUBLIC KEY")
				for _, v := range views {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Name, v.Type, v.PublicKeyMultibase)
				}
				tw.Flush()
			}
			return opts.print(cmd.OutOrStdout(), views, b.String())
		},
	}
}

func newKeysShowCmd(opts *options, kf *keyringFlags) *cobra.Command {
	var onlyPublic bool
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a key's type and public key (publicKeyMultibase)",
		Long: `Show prints a key's public key as publicKeyMultibase: z6Mk... for Ed25519,
zDn... for P-256, zQ3s... for secp256k1, z6LS... for X25519, and where a key
held in a PKCS#11 token is. It needs no passphrase and never prints the
private key.`,
		Example: `  custos keys show alice
  custos keys show alice --public-key
  custos keys show alice --output json`,
		Args: exactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := kf.open(cmd, opts.home)
			if err != nil {
				return err
			}
			info, err := kr.Get(args[0])
			if err != nil {
				return keyError(kr, err)
			}
			v := viewKey(kr, info)
			text := v.text()
			if onlyPublic {
				text = v.PublicKeyMultibase + "\n"
			}
			return opts.print(cmd.OutOrStdout(), v, text)
		},
	}
	cmd.Flags().BoolVarP(&onlyPublic, "public-key", "p", false, "print only the publicKeyMultibase")
	return cmd
}

func newKeysDeleteCmd(opts *options, kf *keyringFlags) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a key from the keyring, for good",
		Long: `Delete removes a key file. Without a copy (custos keys export), the key is
gone: a DID it controls must then be changed with its other controller keys.
Delete asks for confirmation unless --yes is given.`,
		Example: `  custos keys delete old-laptop
  custos keys delete ci --keyring-backend test --yes`,
		Args: exactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := kf.open(cmd, opts.home)
			if err != nil {
				return err
			}
			name := args[0]
			what := fmt.Sprintf("key %q", name)
			if info, err := kr.Get(name); err == nil {
				what = fmt.Sprintf("key %q (%s %s)", name, keyring.TypeName(info.Type), info.PublicKey.Multibase())
				if info.PKCS11 != nil {
					what += fmt.Sprintf(", a reference to key %q of PKCS#11 token %q (the key itself stays in the token)", info.PKCS11.Label, info.PKCS11.Token)
				}
			} else if err := keyring.ValidateName(name); err != nil {
				return err
			}
			if !yes {
				ok, err := confirm(cmd.InOrStdin(), cmd.ErrOrStderr(), "Delete "+what+"? Without a copy it cannot be recovered")
				if err != nil {
					return err
				}
				if !ok {
					return fmt.Errorf("not deleted: confirm with y, or pass --yes")
				}
			}
			if err := kr.Delete(name); err != nil {
				return keyError(kr, err)
			}
			res := struct {
				Deleted string `json:"deleted"`
			}{name}
			return opts.print(cmd.OutOrStdout(), res, "deleted "+what+"\n")
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// exactArgs requires one positional argument per name and says which are
// missing or extra.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < len(names):
			return fmt.Errorf("missing %s: usage: %s", strings.Join(names[len(args):], " "), cmd.UseLine())
		case len(args) > len(names):
			return fmt.Errorf("unexpected argument %q: usage: %s", args[len(names)], cmd.UseLine())
		}
		return nil
	}
}

// printSecretWarning tells, on stderr, what an exported key is.
func printSecretWarning(w io.Writer, name string, t types.KeyType) {
	fmt.Fprintf(w, "warning: this is the private %s key %q: whoever holds it can act as the DIDs it controls; keep it offline and never paste it into chats or tickets\n",
		keyring.TypeName(t), name)
}
