package commands

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/custos-ledger/custos/cmd/custos/keyring"
)

const (
	// KeyringBackendEnv names the environment variable that sets
	// --keyring-backend when the flag is not given.
	KeyringBackendEnv = "CUSTOS_KEYRING_BACKEND"
	// PassphraseEnv names the environment variable that holds the keyring
	// passphrase, for scripts; --passphrase-file wins over it.
	PassphraseEnv = "CUSTOS_PASSPHRASE"
	// PKCS11PINEnv names the environment variable that holds the user PIN
	// of PKCS#11 tokens, for scripts; --pkcs11-pin-file wins over it.
	PKCS11PINEnv = "CUSTOS_PKCS11_PIN"
)

// keyringFlags say which keyring to use and where its passphrase comes from.
type keyringFlags struct {
	backend        string
	passphraseFile string
	pinFile        string
}

func (f *keyringFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.backend, "keyring-backend", string(keyring.BackendFile),
		"file (keys encrypted with a passphrase, in <home>/keyring) or test (unencrypted, in <home>/keyring-test: local networks only); "+KeyringBackendEnv+" sets it too")
	fs.StringVar(&f.passphraseFile, "passphrase-file", "",
		"read the keyring passphrase from the first line of this file instead of asking (or set "+PassphraseEnv+")")
	fs.StringVar(&f.pinFile, "pkcs11-pin-file", "",
		"read the user PIN of PKCS#11 tokens (keys held in an HSM) from the first line of this file instead of asking (or set "+PKCS11PINEnv+")")
}

// open returns the keyring under home. Passphrases come from
// --passphrase-file, else CUSTOS_PASSPHRASE, else a prompt at the terminal
// (typing hidden), else the next line of standard input.
func (f *keyringFlags) open(cmd *cobra.Command, home string) (*keyring.Keyring, error) {
	backend := f.backend
	if fl := cmd.Flags().Lookup("keyring-backend"); fl != nil && !fl.Changed {
		if env := os.Getenv(KeyringBackendEnv); env != "" {
			backend = env
		}
	}
	b, err := keyring.ParseBackend(backend)
	if err != nil {
		return nil, fmt.Errorf("invalid --keyring-backend %q: use file (encrypted) or test (unencrypted, local networks only)", backend)
	}
	return keyring.Open(home, keyring.Options{Backend: b, Passphrase: f.passphrase(cmd), PIN: f.pin(cmd)})
}

// pin returns the PIN source of PKCS#11 tokens: --pkcs11-pin-file, else
// CUSTOS_PKCS11_PIN, else a prompt at the terminal (typing hidden), else the
// next line of standard input.
func (f *keyringFlags) pin(cmd *cobra.Command) func(string) ([]byte, error) {
	return func(token string) ([]byte, error) {
		if f.pinFile != "" {
			data, err := os.ReadFile(f.pinFile)
			if err != nil {
				return nil, fmt.Errorf("cannot read --pkcs11-pin-file: %v", err)
			}
			line, _, _ := bytes.Cut(data, []byte("\n"))
			return bytes.TrimSuffix(line, []byte("\r")), nil
		}
		if v, ok := os.LookupEnv(PKCS11PINEnv); ok {
			return []byte(v), nil
		}
		pin, err := readSecret(cmd.InOrStdin(), cmd.ErrOrStderr(), fmt.Sprintf("User PIN of token %q: ", token))
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("no PIN for token %q: type it at a terminal, or give it with --pkcs11-pin-file or %s", token, PKCS11PINEnv)
		}
		return pin, err
	}
}

func (f *keyringFlags) passphrase(cmd *cobra.Command) func(string, bool) ([]byte, error) {
	return func(name string, newKey bool) ([]byte, error) {
		if f.passphraseFile != "" {
			data, err := os.ReadFile(f.passphraseFile)
			if err != nil {
				return nil, fmt.Errorf("cannot read --passphrase-file: %v", err)
			}
			line, _, _ := bytes.Cut(data, []byte("\n"))
			return bytes.TrimSuffix(line, []byte("\r")), nil
		}
		if v, ok := os.LookupEnv(PassphraseEnv); ok {
			return []byte(v), nil
		}
		in, w := cmd.InOrStdin(), cmd.ErrOrStderr()
		if _, tty := terminal(in); tty && newKey {
			first, err := readSecret(in, w, fmt.Sprintf("Enter a passphrase to encrypt key %q: ", name))
			if err != nil {
				return nil, err
			}
			again, err := readSecret(in, w, "Enter it again: ")
			if err != nil {
				return nil, err
			}
			if !bytes.Equal(first, again) {
				return nil, errors.New("the two passphrases differ; run the command again")
			}
			return first, nil
		}
		pass, err := readSecret(in, w, fmt.Sprintf("Passphrase for key %q: ", name))
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("no passphrase for key %q: type it at a terminal, or give it with --passphrase-file or %s (or use --keyring-backend test on a local network)", name, PassphraseEnv)
		}
		return pass, err
	}
}

// keyError adds what to do to a keyring error.
func keyError(kr *keyring.Keyring, err error) error {
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		other := keyring.BackendTest
		if kr.Backend() == keyring.BackendTest {
			other = keyring.BackendFile
		}
		return fmt.Errorf("%v: `custos keys list` shows the keys of this keyring (--keyring-backend %s); add one with `custos keys add`, or look in the other with --keyring-backend %s", err, kr.Backend(), other)
	case errors.Is(err, keyring.ErrWrongPassphrase):
		return fmt.Errorf("%v: run the command again with the right one (it comes from the prompt, --passphrase-file or %s)", err, PassphraseEnv)
	}
	return err
}
