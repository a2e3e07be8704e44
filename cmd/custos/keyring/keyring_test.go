package keyring_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/cmd/custos/keyring"
	"github.com/custos-ledger/custos/x/did/types"
)

// fixed returns a passphrase source that always answers pass and counts
// its calls.
func fixed(pass string, calls *int) func(string, bool) ([]byte, error) {
	return func(string, bool) ([]byte, error) {
		*calls++
		return []byte(pass), nil
	}
}

func open(t *testing.T, home string, b keyring.Backend, pass string, calls *int) *keyring.Keyring {
	t.Helper()
	if calls == nil {
		calls = new(int)
	}
	k, err := keyring.Open(home, keyring.Options{Backend: b, Passphrase: fixed(pass, calls), ScryptLogN: keyring.MinScryptLogN})
	require.NoError(t, err)
	return k
}

func TestRoundTrip(t *testing.T) {
	for _, b := range []keyring.Backend{keyring.BackendFile, keyring.BackendTest} {
		for _, typ := range []types.KeyType{types.KeyTypeEd25519, types.KeyTypeP256, types.KeyTypeSecp256k1, types.KeyTypeX25519} {
			t.Run(string(b)+"/"+typ.String(), func(t *testing.T) {
				home := t.TempDir()
				calls := 0
				k := open(t, home, b, "correct horse", &calls)
				info, err := k.Add("alice", typ)
				require.NoError(t, err)
				require.Equal(t, typ, info.Type)
				require.Equal(t, filepath.Join(keyring.Dir(home, b), "alice.key"), info.Path)

				// A fresh keyring (a new command) reads it back.
				k2 := open(t, home, b, "correct horse", &calls)
				got, err := k2.Get("alice")
				require.NoError(t, err)
				require.Equal(t, info, got)
				s, err := k2.Unlock("alice")
				require.NoError(t, err)
				require.Equal(t, info.PublicKey, s.Public())
				if b == keyring.BackendTest {
					require.Zero(t, calls, "the test backend never asks for a passphrase")
				} else {
					require.Equal(t, 2, calls)
				}

				list, err := k2.List()
				require.NoError(t, err)
				require.Equal(t, []keyring.Info{info}, list)

				data, err := os.ReadFile(info.Path)
				require.NoError(t, err)
				if b == keyring.BackendFile {
					require.NotContains(t, string(data), s.Multibase(), "the private key is stored in the clear")
					require.Contains(t, string(data), `"ciphertext"`)
				} else {
					require.Contains(t, string(data), s.Multibase())
				}
				require.Contains(t, string(data), info.PublicKey.Multibase())
			})
		}
	}
}

func TestFileModes(t *testing.T) {
	for _, b := range []keyring.Backend{keyring.BackendFile, keyring.BackendTest} {
		t.Run(string(b), func(t *testing.T) {
			home := t.TempDir()
			k := open(t, home, b, "pw", nil)
			info, err := k.Add("alice", types.KeyTypeEd25519)
			require.NoError(t, err)
			st, err := os.Stat(info.Path)
			require.NoError(t, err)
			require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
			dir, err := os.Stat(k.Dir())
			require.NoError(t, err)
			require.Equal(t, os.FileMode(0o700), dir.Mode().Perm())
			entries, err := os.ReadDir(k.Dir())
			require.NoError(t, err)
			require.Len(t, entries, 1, "no temporary file is left behind")

			require.NoError(t, os.Chmod(info.Path, 0o644))
			_, err = k.Get("alice")
			require.ErrorContains(t, err, "can be read by other users (mode 0644): run chmod 600")
			_, err = k.Unlock("alice")
			require.ErrorContains(t, err, "chmod 600")
		})
	}
}

func TestWrongPassphrase(t *testing.T) {
	home := t.TempDir()
	_, err := open(t, home, keyring.BackendFile, "right", nil).Add("alice", types.KeyTypeEd25519)
	require.NoError(t, err)
	calls := 0
	_, err = open(t, home, keyring.BackendFile, "wrong", &calls).Unlock("alice")
	require.True(t, errors.Is(err, keyring.ErrWrongPassphrase), "got %v", err)
	require.EqualError(t, err, `wrong passphrase for key "alice"`)
	require.Equal(t, 1, calls)
}

// TestPassphraseReuse checks that one command asks once for keys that share
// a passphrase, and asks again for a key that has another.
func TestPassphraseReuse(t *testing.T) {
	home := t.TempDir()
	for name, pass := range map[string]string{"a": "one", "b": "one", "c": "two"} {
		_, err := open(t, home, keyring.BackendFile, pass, nil).Add(name, types.KeyTypeEd25519)
		require.NoError(t, err)
	}
	asked := []string{}
	answers := map[string]string{"a": "one", "b": "one", "c": "two"}
	k, err := keyring.Open(home, keyring.Options{Passphrase: func(name string, newKey bool) ([]byte, error) {
		require.False(t, newKey)
		asked = append(asked, name)
		return []byte(answers[name]), nil
	}})
	require.NoError(t, err)
	for _, name := range []string{"a", "b", "c"} {
		_, err := k.Unlock(name)
		require.NoError(t, err)
	}
	require.Equal(t, []string{"a", "c"}, asked)
}

func TestTamperedFile(t *testing.T) {
	home := t.TempDir()
	k := open(t, home, keyring.BackendFile, "pw", nil)
	info, err := k.Add("alice", types.KeyTypeEd25519)
	require.NoError(t, err)
	other, err := keyring.Generate(types.KeyTypeEd25519)
	require.NoError(t, err)
	data, err := os.ReadFile(info.Path)
	require.NoError(t, err)

	// Swap the public key: the associated data no longer matches.
	swapped := strings.Replace(string(data), info.PublicKey.Multibase(), other.Public().Multibase(), 1)
	require.NoError(t, os.WriteFile(info.Path, []byte(swapped), 0o600))
	_, err = open(t, home, keyring.BackendFile, "pw", nil).Unlock("alice")
	require.ErrorIs(t, err, keyring.ErrWrongPassphrase)

	// An absurd scrypt cost is refused before any work.
	costly := strings.Replace(string(data), `"logN": 10`, `"logN": 40`, 1)
	require.NoError(t, os.WriteFile(info.Path, []byte(costly), 0o600))
	_, err = open(t, home, keyring.BackendFile, "pw", nil).Get("alice")
	require.ErrorContains(t, err, "scrypt cost 2^40")

	// Unknown fields are refused.
	extra := strings.Replace(string(data), `"version": 1,`, `"version": 1, "x": 1,`, 1)
	require.NoError(t, os.WriteFile(info.Path, []byte(extra), 0o600))
	_, err = open(t, home, keyring.BackendFile, "pw", nil).Get("alice")
	require.ErrorContains(t, err, `unknown field "x"`)

	// A test-backend file is not accepted by the file backend.
	tk := open(t, t.TempDir(), keyring.BackendTest, "", nil)
	tinfo, err := tk.Add("bob", types.KeyTypeEd25519)
	require.NoError(t, err)
	plain, err := os.ReadFile(tinfo.Path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(info.Path, plain, 0o600))
	_, err = open(t, home, keyring.BackendFile, "pw", nil).Get("alice")
	require.ErrorContains(t, err, "not an encrypted (file backend) key file")
}

func TestNames(t *testing.T) {
	home := t.TempDir()
	k := open(t, home, keyring.BackendTest, "", nil)
	for _, name := range []string{"a", "alice", "Key-1.backup_2", strings.Repeat("x", 64)} {
		require.NoError(t, keyring.ValidateName(name), name)
	}
	for _, name := range []string{"", ".", "..", "../x", "a/b", `a\b`, "-a", ".hidden", "a b", "é", "a:b", strings.Repeat("x", 65), "/etc/passwd", "a\x00"} {
		err := keyring.ValidateName(name)
		require.ErrorIs(t, err, keyring.ErrInvalidName, "%q", name)
		_, err = k.Add(name, types.KeyTypeEd25519)
		require.ErrorIs(t, err, keyring.ErrInvalidName, "%q", name)
		_, err = k.Get(name)
		require.ErrorIs(t, err, keyring.ErrInvalidName, "%q", name)
		require.ErrorIs(t, k.Delete(name), keyring.ErrInvalidName, "%q", name)
	}
	entries, _ := os.ReadDir(filepath.Dir(k.Dir()))
	require.Empty(t, entries, "nothing was written")
}

func TestAddImportDelete(t *testing.T) {
	home := t.TempDir()
	k := open(t, home, keyring.BackendTest, "", nil)
	_, err := k.Get("alice")
	require.ErrorIs(t, err, keyring.ErrNotFound)
	list, err := k.List()
	require.NoError(t, err)
	require.Empty(t, list)

	info, err := k.Add("alice", types.KeyTypeEd25519)
	require.NoError(t, err)
	_, err = k.Add("alice", types.KeyTypeEd25519)
	require.ErrorIs(t, err, keyring.ErrExists)

	s, err := k.Unlock("alice")
	require.NoError(t, err)
	_, err = k.Import("alice2", s)
	require.ErrorIs(t, err, keyring.ErrExists)
	require.ErrorContains(t, err, `already in the keyring as "alice"`)

	// Imported into another home, the key keeps its public key.
	other := open(t, t.TempDir(), keyring.BackendFile, "pw", nil)
	imp, err := other.Import("alice", s)
	require.NoError(t, err)
	require.Equal(t, info.PublicKey, imp.PublicKey)

	// Other files in the folder are ignored by List.
	require.NoError(t, os.WriteFile(filepath.Join(k.Dir(), "README"), []byte("x"), 0o600))
	_, err = k.Add("bob", types.KeyTypeX25519)
	require.NoError(t, err)
	list, err = k.List()
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, "alice", list[0].Name)
	require.Equal(t, "bob", list[1].Name)

	require.NoError(t, k.Delete("alice"))
	require.ErrorIs(t, k.Delete("alice"), keyring.ErrNotFound)
	_, err = k.Get("alice")
	require.ErrorIs(t, err, keyring.ErrNotFound)
}

func TestEmptyPassphrase(t *testing.T) {
	k := open(t, t.TempDir(), keyring.BackendFile, "", nil)
	_, err := k.Add("alice", types.KeyTypeEd25519)
	require.ErrorContains(t, err, "empty passphrase")
	_, err = os.Stat(filepath.Join(k.Dir(), "alice.key"))
	require.True(t, os.IsNotExist(err))
}

func TestParseBackend(t *testing.T) {
	for _, s := range []string{"file", "test"} {
		b, err := keyring.ParseBackend(s)
		require.NoError(t, err)
		require.Equal(t, keyring.Backend(s), b)
	}
	_, err := keyring.ParseBackend("os")
	require.ErrorContains(t, err, "use file (encrypted) or test")
}
