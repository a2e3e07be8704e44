package keyring

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/custos-ledger/custos/x/did/types"
)

// Backend says how key files keep their private keys.
type Backend string

// The backends.
const (
	// BackendFile encrypts every private key with a passphrase.
	BackendFile Backend = "file"
	// BackendTest keeps private keys in the clear, for local networks.
	BackendTest Backend = "test"
)

// ParseBackend parses a backend name.
func ParseBackend(s string) (Backend, error) {
	switch b := Backend(s); b {
	case BackendFile, BackendTest:
		return b, nil
	}
	return "", fmt.Errorf("unknown keyring backend %q: use file (encrypted) or test (unencrypted, for local networks)", s)
}

// Errors callers tell apart with errors.Is.
var (
	ErrNotFound    = errors.New("no such key")
	ErrExists      = errors.New("key exists")
	ErrInvalidName = errors.New("invalid key name")
)

// kindError is an error of one of the kinds above whose message says all.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

func errorf(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

const (
	fileExt     = ".key"
	maxNameLen  = 64
	maxFileSize = 64 << 10
	fileVersion = 1
)

// Dir returns the folder of a backend's key files under home.
func Dir(home string, b Backend) string {
	if b == BackendTest {
		return filepath.Join(home, "keyring-test")
	}
	return filepath.Join(home, "keyring")
}

// Options configure a Keyring.
type Options struct {
	// Backend defaults to BackendFile.
	Backend Backend
	// Passphrase returns the passphrase of key name (BackendFile only).
	// newKey is set when the passphrase will encrypt a new key file, so a
	// prompt should ask twice. It is called at most once per Unlock when an
	// earlier passphrase opened another key but not this one.
	Passphrase func(name string, newKey bool) ([]byte, error)
	// ScryptLogN is the scrypt cost of new key files (default
	// DefaultScryptLogN).
	ScryptLogN int
	// PIN returns the user PIN of the PKCS#11 token labelled token. It is
	// called at most once per token and Keyring.
	PIN func(token string) ([]byte, error)
}

// Keyring is the set of key files of one backend under a home. It is not
// safe for concurrent use.
type Keyring struct {
	dir     string
	backend Backend
	opts    Options
	last    []byte            // the passphrase that last opened a key
	pins    map[string]string // PINs by token label
}

// Info is the public view of a stored key.
type Info struct {
	Name      string
	Type      types.KeyType
	PublicKey types.PublicKey
	Path      string
	// PKCS11 is where a key held in a PKCS#11 token is; nil for a key
	// whose private key is in the key file.
	PKCS11 *PKCS11Ref
}

// Open returns the keyring of opts.Backend under home. Nothing is created
// until a key is added.
func Open(home string, opts Options) (*Keyring, error) {
	if opts.Backend == "" {
		opts.Backend = BackendFile
	}
	if _, err := ParseBackend(string(opts.Backend)); err != nil {
		return nil, err
	}
	if opts.ScryptLogN == 0 {
		opts.ScryptLogN = DefaultScryptLogN
	}
	return &Keyring{dir: Dir(home, opts.Backend), backend: opts.Backend, opts: opts}, nil
}

// Dir returns the folder of the key files.
func (k *Keyring) Dir() string { return k.dir }

// Backend returns the backend.
func (k *Keyring) Backend() Backend { return k.backend }

// ValidateName checks a key name: 1 to 64 characters from A-Z a-z 0-9 . _ -,
// the first a letter or digit.
func ValidateName(name string) error {
	ok := name != "" && len(name) <= maxNameLen && isAlnum(name[0])
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = isAlnum(c) || c == '.' || c == '_' || c == '-'
	}
	if !ok {
		return errorf(ErrInvalidName, "invalid key name %q: use 1 to %d letters, digits, '.', '_' or '-', starting with a letter or digit", truncate(name), maxNameLen)
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (k *Keyring) path(name string) string { return filepath.Join(k.dir, name+fileExt) }

// Add generates a new key of type t and stores it under name.
func (k *Keyring) Add(name string, t types.KeyType) (Info, error) {
	s, err := Generate(t)
	if err != nil {
		return Info{}, err
	}
	return k.Import(name, s)
}

// Import stores s under name. It refuses a name in use and a key the
// keyring already holds under another name.
func (k *Keyring) Import(name string, s *Secret) (Info, error) {
	if err := ValidateName(name); err != nil {
		return Info{}, err
	}
	if _, err := os.Lstat(k.path(name)); err == nil {
		return Info{}, errorf(ErrExists, "a key named %q is already in %s: choose another name", name, k.dir)
	}
	pk := s.Public()
	all, err := k.List()
	if err != nil {
		return Info{}, err
	}
	for _, other := range all {
		if other.PublicKey == pk {
			return Info{}, errorf(ErrExists, "this key is already in the keyring as %q", other.Name)
		}
	}
	f := keyFile{Version: fileVersion, Type: TypeName(s.typ), PublicKey: pk.Multibase()}
	switch k.backend {
	case BackendTest:
		f.Secret = s.Multibase()
	default:
		pass, err := k.passphrase(name, true)
		if err != nil {
			return Info{}, err
		}
		if len(pass) == 0 {
			return Info{}, errors.New("empty passphrase: choose one that protects the key (or use the test backend on a local network)")
		}
		f.Encrypted, err = seal(pass, s.seed, f.associated(), k.opts.ScryptLogN)
		if err != nil {
			return Info{}, err
		}
		k.last = pass
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return Info{}, fmt.Errorf("keyring: encode %s: %w", name, err)
	}
	if err := k.write(name, append(data, '\n')); err != nil {
		return Info{}, err
	}
	return Info{Name: name, Type: s.typ, PublicKey: pk, Path: k.path(name)}, nil
}

// Get returns the public view of key name; it needs no passphrase.
func (k *Keyring) Get(name string) (Info, error) {
	f, err := k.read(name)
	if err != nil {
		return Info{}, err
	}
	return f.info, nil
}

// List returns every key, sorted by name. A key file that cannot be read
// is an error naming it.
func (k *Keyring) List() ([]Info, error) {
	entries, err := os.ReadDir(k.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the keyring: %w", err)
	}
	var out []Info
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), fileExt)
		if !ok || e.IsDir() || ValidateName(name) != nil {
			continue
		}
		f, err := k.read(name)
		if err != nil {
			return nil, err
		}
		out = append(out, f.info)
	}
	slices.SortFunc(out, func(a, b Info) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Unlock returns the private key of name, asking for its passphrase with
// the file backend. The passphrase that opened the previous key is tried
// first, so one passphrase for every key is asked for once.
func (k *Keyring) Unlock(name string) (*Secret, error) {
	f, err := k.read(name)
	if err != nil {
		return nil, err
	}
	if f.PKCS11 != nil {
		return nil, fmt.Errorf("key %q is held in the PKCS#11 token %q: its private key never leaves the token", name, f.PKCS11.Token)
	}
	var seed []byte
	if k.backend == BackendTest {
		s, err := ParseSecret(f.Secret)
		if err != nil {
			return nil, fmt.Errorf("key file %s: %v", f.info.Path, err)
		}
		seed = s.seed
	} else {
		seed, err = k.open(name, f)
		if err != nil {
			return nil, err
		}
	}
	s, err := NewSecret(f.info.Type, seed)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %v", f.info.Path, err)
	}
	if s.Public() != f.info.PublicKey {
		return nil, fmt.Errorf("key file %s is corrupt: its private key does not match its public key", f.info.Path)
	}
	return s, nil
}

func (k *Keyring) open(name string, f *keyFile) ([]byte, error) {
	if k.last != nil {
		if seed, err := f.Encrypted.open(k.last, f.associated()); err == nil {
			return seed, nil
		}
	}
	pass, err := k.passphrase(name, false)
	if err != nil {
		return nil, err
	}
	if k.last != nil && bytes.Equal(pass, k.last) {
		return nil, fmt.Errorf("%w for key %q", ErrWrongPassphrase, name)
	}
	seed, err := f.Encrypted.open(pass, f.associated())
	if errors.Is(err, ErrWrongPassphrase) {
		return nil, fmt.Errorf("%w for key %q", ErrWrongPassphrase, name)
	}
	if err != nil {
		return nil, fmt.Errorf("key file %s: %v", f.info.Path, err)
	}
	k.last = pass
	return seed, nil
}

func (k *Keyring) passphrase(name string, newKey bool) ([]byte, error) {
	if k.opts.Passphrase == nil {
		return nil, fmt.Errorf("keyring: no passphrase source for key %q", name)
	}
	return k.opts.Passphrase(name, newKey)
}

// Delete removes key name, even when its file no longer decodes.
func (k *Keyring) Delete(name string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	err := os.Remove(k.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return errorf(ErrNotFound, "no key named %q in %s", name, k.dir)
	}
	if err != nil {
		return fmt.Errorf("cannot delete key %q: %w", name, err)
	}
	return nil
}
