package keyring_test

import (
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/cmd/custos/keyring"
	"github.com/custos-ledger/custos/x/did/types"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// TestSecretKnownAnswers checks key derivation and the secretKeyMultibase
// encoding against published vectors.
func TestSecretKnownAnswers(t *testing.T) {
	t.Run("w3c vc-di-eddsa example key pair", func(t *testing.T) {
		// W3C Data Integrity EdDSA Cryptosuites v1.0, "Representation:
		// eddsa-rdfc-2022" example key pair (Multikey secretKeyMultibase).
		s, err := keyring.ParseSecret("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
		require.NoError(t, err)
		require.Equal(t, types.KeyTypeEd25519, s.Type())
		require.Equal(t, "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", s.Public().Multibase())
		require.Equal(t, "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq", s.Multibase())
	})
	t.Run("rfc 8032 test 1", func(t *testing.T) {
		// RFC 8032 section 7.1, TEST 1.
		s, err := keyring.NewSecret(types.KeyTypeEd25519, mustHex(t, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
		require.NoError(t, err)
		require.Equal(t, mustHex(t, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"), s.Public().Raw())
		again, err := keyring.ParseSecret(s.Multibase())
		require.NoError(t, err)
		require.Equal(t, s.Public(), again.Public())
	})
	t.Run("rfc 7748 alice", func(t *testing.T) {
		// RFC 7748 section 6.1, Alice's key pair.
		s, err := keyring.NewSecret(types.KeyTypeX25519, mustHex(t, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
		require.NoError(t, err)
		require.Equal(t, mustHex(t, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), s.Public().Raw())
		require.Equal(t, "z6LS", s.Public().Multibase()[:4])
		again, err := keyring.ParseSecret(s.Multibase())
		require.NoError(t, err)
		require.Equal(t, types.KeyTypeX25519, again.Type())
		require.Equal(t, s.Public(), again.Public())
		_, err = s.Ed25519()
		require.ErrorContains(t, err, "cannot sign")
	})
}

func TestParseSecretRefusals(t *testing.T) {
	pub := "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2" // a public key, not a secret
	for _, in := range []string{"", "z", "u3u2en7t5", "z0OIl", pub, "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjx"} {
		_, err := keyring.ParseSecret(in)
		require.Error(t, err, "%q", in)
	}
}

// TestSecretRedacted checks that formatting a Secret never shows the key.
func TestSecretRedacted(t *testing.T) {
	s, err := keyring.Generate(types.KeyTypeEd25519)
	require.NoError(t, err)
	mb := s.Multibase()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		for _, v := range []any{s, *s} {
			out := fmt.Sprintf(verb, v)
			require.NotContains(t, out, mb[1:12], "verb %s", verb)
			if verb != "%x" {
				require.Contains(t, out, "REDACTED", "verb %s", verb)
			}
		}
	}
}
