package commands

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/custos-ledger/custos/cmd/custos/keyring"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// registerOut adds --out to a tx command. Every command that builds a
// transaction registers it, so that any transaction can be signed on
// several machines (docs/tx-file.md).
func (f *didFlags) registerOut(fs *pflag.FlagSet) {
	fs.StringVar(&f.out, "out", "",
		"write the transaction, signed by the keys this keyring holds (possibly none), to this tx file instead of broadcasting it ('-': standard output); others sign it with `custos tx sign`, anyone broadcasts it with `custos tx broadcast`")
}

// errTxWritten ends a tx command that wrote its transaction to --out:
// explained turns it into success.
var errTxWritten = errors.New("transaction written to --out")

// tooFewSigners is the refusal of a signer choice that finds fewer of the
// DID's keys in the keyring than its threshold; with --out, the keys found
// sign and the others sign elsewhere.
type tooFewSigners struct {
	msg    string
	chosen []plannedSigner
}

func (e *tooFewSigners) Error() string { return e.msg }

// partial passes on a signer choice; with --out, a choice short of the
// threshold is what this keyring contributes.
func (e *didEnv) partial(signers []plannedSigner, err error) ([]plannedSigner, error) {
	var few *tooFewSigners
	if e.out != "" && errors.As(err, &few) {
		return few.chosen, nil
	}
	return signers, err
}

// signatures signs body bytes with each signer's keyring key.
func (e *didEnv) signatures(id types.ID, body []byte, signers []plannedSigner) ([]types.Signature, error) {
	msg := types.SignBytes(body)
	ks := newKeySigner(e.kr)
	out := make([]types.Signature, 0, len(signers))
	for _, s := range signers {
		sig, err := ks.sign(s.name, msg)
		if err != nil {
			return nil, err
		}
		did := id
		if !s.did.IsZero() {
			did = s.did
		}
		out = append(out, types.Signature{VerificationMethod: types.URL{ID: did, Fragment: s.fragment}.String(), Signature: sig})
	}
	return out, nil
}

// keySigner signs with keyring keys, unlocking each once. It is the one
// place the CLI turns a keyring key into a txbuild.KeySigner, so that every
// kind of key the keyring holds signs through the same path.
type keySigner struct {
	kr       *keyring.Keyring
	unlocked map[string]txbuild.KeySigner
}

func newKeySigner(kr *keyring.Keyring) *keySigner {
	return &keySigner{kr: kr, unlocked: map[string]txbuild.KeySigner{}}
}

// key returns the signer of the keyring key name.
func (k *keySigner) key(name string) (txbuild.KeySigner, error) {
	if s, ok := k.unlocked[name]; ok {
		return s, nil
	}
	s, err := k.kr.Signer(name)
	if err != nil {
		return nil, keyError(k.kr, err)
	}
	k.unlocked[name] = s
	return s, nil
}

// sign signs msg with the key name.
func (k *keySigner) sign(name string, msg []byte) ([]byte, error) {
	s, err := k.key(name)
	if err != nil {
		return nil, err
	}
	sig, err := s.Sign(msg)
	if err != nil {
		return nil, fmt.Errorf("key %q cannot sign: %v", name, err)
	}
	return sig, nil
}

// writeTxFile writes the signed body to --out with the state it was built
// on, and says what it still needs.
func (e *didEnv) writeTxFile(body types.TxBody, sigs []types.Signature) error {
	f, err := txbuild.NewFile(body, sigs)
	if err != nil {
		return err
	}
	f.BuiltOn, f.Guardian, f.Guardians, f.Endorsement = e.builtOn, e.guardian, e.guardians, e.endorsement
	if err := writeFile(e.out, f, e.cmd.OutOrStdout()); err != nil {
		return err
	}
	_, decoded, err := txbuild.DecodeFile(strings.NewReader(mustJSON(f)))
	if err != nil {
		return fmt.Errorf("the tx file custos wrote does not read back: %v", err)
	}
	s := summarizeTx(f, decoded)
	w := e.cmd.ErrOrStderr()
	if e.out != "-" {
		fmt.Fprintf(w, "wrote %s\n", e.out)
		if e.opts.output == "json" {
			return e.opts.print(e.cmd.OutOrStdout(), s, "")
		}
		w = e.cmd.OutOrStdout()
	}
	_, err = io.WriteString(w, s.text())
	return err
}

// writeFile writes a tx file to path ("-": w), replacing it whole: a
// reader never sees half a file.
func writeFile(path string, f *txbuild.File, w io.Writer) error {
	if path == "-" {
		return f.Encode(w)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("cannot write --out %s: %v", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := f.Encode(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write --out %s: %v", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write --out %s: %v", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot write --out %s: %v", path, err)
	}
	return nil
}

func mustJSON(f *txbuild.File) string {
	var b strings.Builder
	_ = f.Encode(&b)
	return b.String()
}

// heldElsewhere refuses to broadcast a tx whose new keys are not in this
// keyring: they must sign (proof of possession), on their own machine.
func (e *didEnv) heldElsewhere(frags []string) error {
	if len(frags) == 0 || e.out != "" {
		return nil
	}
	return fmt.Errorf("new key(s) #%s are held elsewhere, and every new signing key must sign the transaction (proof of possession): write it with --out FILE, have each holder sign it with `custos tx sign FILE`, then `custos tx broadcast FILE`",
		strings.Join(frags, ", #"))
}
