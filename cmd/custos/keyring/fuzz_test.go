package keyring

import (
	"encoding/json"
	"testing"

	"github.com/custos-ledger/custos/x/did/types"
)

// FuzzParseSecret checks that ParseSecret never panics and that whatever
// it accepts encodes back to a secret with the same key.
func FuzzParseSecret(f *testing.F) {
	f.Add("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
	f.Add("z3weaBrUo3G655eRRq8wt3mAn6S9iH974xFzKYfZcwSZxU8jgo")
	f.Add("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
	f.Add(" z3u2 ")
	f.Fuzz(func(t *testing.T, s string) {
		sec, err := ParseSecret(s)
		if err != nil {
			return
		}
		again, err := ParseSecret(sec.Multibase())
		if err != nil {
			t.Fatalf("re-encoding of %q does not parse: %v", s, err)
		}
		if again.Type() != sec.Type() || again.Public() != sec.Public() {
			t.Fatalf("round trip of %q changed the key", s)
		}
	})
}

// FuzzDecodeKeyFile checks that the key file decoder never panics, and
// that an accepted file names a key of the type it says.
func FuzzDecodeKeyFile(f *testing.F) {
	s, err := NewSecret(types.KeyTypeEd25519, make([]byte, SeedSize))
	if err != nil {
		f.Fatal(err)
	}
	plain, _ := json.Marshal(keyFile{Version: 1, Type: "ed25519", PublicKey: s.Public().Multibase(), Secret: s.Multibase()})
	sealedKey, err := seal([]byte("pw"), make([]byte, SeedSize), []byte("x"), MinScryptLogN)
	if err != nil {
		f.Fatal(err)
	}
	enc, _ := json.Marshal(keyFile{Version: 1, Type: "ed25519", PublicKey: s.Public().Multibase(), Encrypted: sealedKey})
	f.Add(plain, false)
	f.Add(enc, true)
	f.Add([]byte(`{"version":1,"type":"x25519"}`), true)
	p, err := Generate(types.KeyTypeP256)
	if err != nil {
		f.Fatal(err)
	}
	pplain, _ := json.Marshal(keyFile{Version: 1, Type: "p256", PublicKey: p.Public().Multibase(), Secret: p.Multibase()})
	ref, _ := json.Marshal(keyFile{Version: 1, Type: "p256", PublicKey: p.Public().Multibase(),
		PKCS11: &PKCS11Ref{Module: "/usr/lib/softhsm/libsofthsm2.so", Token: "t", Label: "k", ID: "01ab"}})
	f.Add(pplain, false)
	f.Add(ref, true)
	f.Add(ref, false)
	f.Fuzz(func(t *testing.T, data []byte, encrypted bool) {
		b := BackendTest
		if encrypted {
			b = BackendFile
		}
		kf, err := decodeKeyFile(data, b)
		if err != nil {
			return
		}
		if kf.info.PublicKey.Type() != kf.info.Type {
			t.Fatalf("accepted a %s file holding a %s key", kf.info.Type, kf.info.PublicKey.Type())
		}
		if kf.PKCS11 != nil {
			if kf.Secret != "" || kf.Encrypted != nil {
				t.Fatalf("accepted a PKCS#11 reference holding a private key")
			}
			return
		}
		if encrypted && kf.Encrypted == nil || !encrypted && kf.Secret == "" {
			t.Fatalf("accepted a file of the other backend")
		}
	})
}
