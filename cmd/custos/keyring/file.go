package keyring

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"slices"

	"github.com/custos-ledger/custos/x/did/types"
)

// write creates the key file with mode 0600 through a temporary file, so a
// crash never leaves a partial key file, and never replaces an existing one.
func (k *Keyring) write(name string, data []byte) error {
	if err := os.MkdirAll(k.dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the keyring folder: %w", err)
	}
	tmp, err := os.CreateTemp(k.dir, "."+name+".*.tmp")
	if err != nil {
		return fmt.Errorf("cannot write to the keyring: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write to the keyring: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write to the keyring: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write to the keyring: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write to the keyring: %w", err)
	}
	if err := os.Link(tmp.Name(), k.path(name)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return errorf(ErrExists, "a key named %q is already in %s: choose another name", name, k.dir)
		}
		return fmt.Errorf("cannot write to the keyring: %w", err)
	}
	return nil
}

// keyFile is the JSON form of a key file.
type keyFile struct {
	Version   int     `json:"version"`
	Type      string  `json:"type"`
	PublicKey string  `json:"publicKeyMultibase"`
	Secret    string  `json:"secretKeyMultibase,omitempty"`
	Encrypted *sealed `json:"encrypted,omitempty"`
	// PKCS11 is set, and Secret and Encrypted are not, for a key held in a
	// PKCS#11 token; such a file is read by either backend.
	PKCS11 *PKCS11Ref `json:"pkcs11,omitempty"`

	info Info
}

// associated binds the key type and public key to the ciphertext.
func (f *keyFile) associated() []byte { return []byte(f.Type + "\x00" + f.PublicKey) }

// read loads and checks the key file of name; it needs no passphrase.
func (k *Keyring) read(name string) (*keyFile, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	path := k.path(name)
	fh, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errorf(ErrNotFound, "no key named %q in %s", name, k.dir)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read key %q: %w", name, err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read key %q: %w", name, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("key file %s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("key file %s can be read by other users (mode %04o): run chmod 600 %s", path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read key %q: %w", name, err)
	}
	f, err := decodeKeyFile(data, k.backend)
	if err != nil {
		return nil, fmt.Errorf("key file %s is not valid: %v", path, err)
	}
	f.info.Name, f.info.Path = name, path
	return f, nil
}

func decodeKeyFile(data []byte, b Backend) (*keyFile, error) {
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("larger than %d bytes", maxFileSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f keyFile
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	if f.Version != fileVersion {
		return nil, fmt.Errorf("version %d, this custos reads version %d", f.Version, fileVersion)
	}
	t, err := ParseType(f.Type)
	if err != nil {
		return nil, err
	}
	pk, err := types.ParseMultikey(f.PublicKey)
	if err != nil || pk.Type() != t {
		return nil, fmt.Errorf("publicKeyMultibase is not a %s key", f.Type)
	}
	switch {
	case f.PKCS11 != nil:
		if f.Secret != "" || f.Encrypted != nil {
			return nil, errors.New("a PKCS#11 key file holds no private key")
		}
		if err := f.PKCS11.check(); err != nil {
			return nil, err
		}
		if !slices.Contains(pkcs11Types, t) {
			return nil, fmt.Errorf("a PKCS#11 key is ed25519 or p256, not %s", f.Type)
		}
	case b == BackendTest && (f.Secret == "" || f.Encrypted != nil):
		return nil, errors.New("not an unencrypted (test backend) key file")
	case b == BackendFile && (f.Encrypted == nil || f.Secret != ""):
		return nil, errors.New("not an encrypted (file backend) key file")
	case f.Encrypted != nil:
		if err := f.Encrypted.check(); err != nil {
			return nil, err
		}
	}
	f.info = Info{Type: t, PublicKey: pk, PKCS11: f.PKCS11}
	return &f, nil
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
