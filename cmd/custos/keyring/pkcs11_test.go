//go:build cgo

package keyring_test

import (
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/miekg/pkcs11"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/cmd/custos/keyring"
	"github.com/custos-ledger/custos/internal/softhsmtest"
	"github.com/custos-ledger/custos/x/did/types"
)

// openPIN opens the keyring of b under home whose PKCS#11 PIN is pin, and
// counts the PIN requests.
func openPIN(t *testing.T, home string, b keyring.Backend, pin string, asked *int) *keyring.Keyring {
	t.Helper()
	k, err := keyring.Open(home, keyring.Options{Backend: b, ScryptLogN: keyring.MinScryptLogN,
		Passphrase: fixed("unused", new(int)),
		PIN: func(string) ([]byte, error) {
			*asked++
			return []byte(pin), nil
		}})
	require.NoError(t, err)
	return k
}

// TestPKCS11Keys: keys generated in a SoftHSM2 token sign there, for each
// type the token holds; the key file holds only a reference; the private
// key is sensitive and not extractable; another keyring finds the same key
// by label.
func TestPKCS11Keys(t *testing.T) {
	tok := softhsmtest.New(t, "custos-keyring", "4321")
	for _, tc := range []struct {
		typ types.KeyType
		b   keyring.Backend
	}{
		{types.KeyTypeEd25519, keyring.BackendFile},
		{types.KeyTypeP256, keyring.BackendTest},
	} {
		t.Run(tc.typ.String(), func(t *testing.T) {
			home := t.TempDir()
			asked := 0
			k := openPIN(t, home, tc.b, tok.PIN, &asked)
			label := "custos-" + keyring.TypeName(tc.typ)
			ref := keyring.PKCS11Ref{Module: tok.Module, Token: tok.Label, Label: label}
			info, err := k.AddPKCS11("hsm", tc.typ, ref, false)
			require.NoError(t, err)
			require.Equal(t, tc.typ, info.Type)
			require.NotNil(t, info.PKCS11)
			require.Equal(t, label, info.PKCS11.Label)
			require.Equal(t, 1, asked, "the PIN is asked once")

			data, err := os.ReadFile(info.Path)
			require.NoError(t, err)
			require.NotContains(t, string(data), "secretKeyMultibase")
			require.NotContains(t, string(data), "encrypted")
			require.Contains(t, string(data), `"pkcs11"`)

			// A new command: the reference reads back, and signs in the token.
			asked = 0
			k2 := openPIN(t, home, tc.b, tok.PIN, &asked)
			got, err := k2.Get("hsm")
			require.NoError(t, err)
			require.Equal(t, info, got)
			s, err := k2.Signer("hsm")
			require.NoError(t, err)
			require.Equal(t, info.PublicKey, s.Public())
			for i := 0; i < 16; i++ { // a token's ECDSA gives a high s half of the time
				msg := []byte("custos/tx/v1\x00body " + strings.Repeat("x", i))
				sig, err := s.Sign(msg)
				require.NoError(t, err)
				require.True(t, info.PublicKey.Verify(msg, sig), "signature %d", i)
				require.False(t, types.HighS(tc.typ, sig))
			}
			require.Equal(t, 1, asked, "one PIN for every signature of a command")
			_, err = k2.Unlock("hsm")
			require.ErrorContains(t, err, "never leaves the token")

			requireNonExtractable(t, tok, info.PKCS11)

			// Another machine's keyring, pointed at the same token, finds the
			// key by its label.
			other := openPIN(t, t.TempDir(), keyring.BackendFile, tok.PIN, new(int))
			found, err := other.AddPKCS11("same", tc.typ, keyring.PKCS11Ref{Module: tok.Module, Token: tok.Label, Label: label}, true)
			require.NoError(t, err)
			require.Equal(t, info.PublicKey, found.PublicKey)
			require.Equal(t, info.PKCS11.ID, found.PKCS11.ID)
		})
	}
}

// requireNonExtractable reads the private key's attributes in the token:
// sensitive, not extractable, and its value cannot be read.
func requireNonExtractable(t *testing.T, tok softhsmtest.Token, ref *keyring.PKCS11Ref) {
	t.Helper()
	ctx := pkcs11.New(tok.Module)
	require.NotNil(t, ctx)
	defer ctx.Destroy()
	require.NoError(t, ctx.Initialize())
	defer ctx.Finalize()
	slots, err := ctx.GetSlotList(true)
	require.NoError(t, err)
	var sh pkcs11.SessionHandle
	found := false
	for _, slot := range slots {
		info, err := ctx.GetTokenInfo(slot)
		if err == nil && strings.TrimRight(info.Label, " ") == tok.Label {
			sh, err = ctx.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION)
			require.NoError(t, err)
			found = true
			break
		}
	}
	require.True(t, found)
	defer ctx.CloseSession(sh)
	require.NoError(t, ctx.Login(sh, pkcs11.CKU_USER, tok.PIN))
	defer ctx.Logout(sh)
	id, err := hex.DecodeString(ref.ID)
	require.NoError(t, err)
	require.NoError(t, ctx.FindObjectsInit(sh, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY), pkcs11.NewAttribute(pkcs11.CKA_ID, id)}))
	hs, _, err := ctx.FindObjects(sh, 2)
	require.NoError(t, err)
	require.NoError(t, ctx.FindObjectsFinal(sh))
	require.Len(t, hs, 1)
	attrs, err := ctx.GetAttributeValue(sh, hs[0], []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, nil), pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, nil)})
	require.NoError(t, err)
	require.Equal(t, []byte{1}, attrs[0].Value, "CKA_SENSITIVE")
	require.Equal(t, []byte{0}, attrs[1].Value, "CKA_EXTRACTABLE")
	_, err = ctx.GetAttributeValue(sh, hs[0], []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_VALUE, nil)})
	require.Error(t, err, "the private key's value was readable")
}

func TestPKCS11Refusals(t *testing.T) {
	tok := softhsmtest.New(t, "custos-refusals", "1111")
	k := openPIN(t, t.TempDir(), keyring.BackendFile, tok.PIN, new(int))
	_, err := k.AddPKCS11("taken", types.KeyTypeP256, keyring.PKCS11Ref{Module: tok.Module, Token: tok.Label, Label: "taken"}, false)
	require.NoError(t, err)
	ref := func(token, label string) keyring.PKCS11Ref {
		return keyring.PKCS11Ref{Module: tok.Module, Token: token, Label: label}
	}
	tests := []struct {
		name     string
		pin      string
		typ      types.KeyType
		ref      keyring.PKCS11Ref
		existing bool
		want     string
	}{
		{name: "wrong PIN", pin: "9999", typ: types.KeyTypeP256, ref: ref(tok.Label, "a"), want: "wrong PIN"},
		{name: "no such token", pin: tok.PIN, typ: types.KeyTypeP256, ref: ref("nope", "a"), want: `no token labelled "nope"`},
		{name: "no such module", pin: tok.PIN, typ: types.KeyTypeP256, ref: keyring.PKCS11Ref{Module: "/nonexistent/lib.so", Token: tok.Label, Label: "a"}, want: "cannot load the PKCS#11 module"},
		{name: "label already used", pin: tok.PIN, typ: types.KeyTypeP256, ref: ref(tok.Label, "taken"), want: "already holds a private key labelled"},
		{name: "existing key missing", pin: tok.PIN, typ: types.KeyTypeP256, ref: ref(tok.Label, "absent"), existing: true, want: "holds no private key labelled"},
		{name: "existing key of another type", pin: tok.PIN, typ: types.KeyTypeEd25519, ref: ref(tok.Label, "taken"), existing: true, want: "is not a Ed25519 key"},
		{name: "X25519 in a token", pin: tok.PIN, typ: types.KeyTypeX25519, ref: ref(tok.Label, "x"), want: "ed25519 or p256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := openPIN(t, t.TempDir(), keyring.BackendFile, tc.pin, new(int))
			_, err := k.AddPKCS11("k", tc.typ, tc.ref, tc.existing)
			require.ErrorContains(t, err, tc.want)
			_, err = k.Get("k")
			require.ErrorIs(t, err, keyring.ErrNotFound, "a refused add stores nothing")
		})
	}
}
