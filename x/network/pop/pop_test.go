package pop_test

import (
	"crypto/ed25519"
	"encoding/hex"
	"testing"

	"github.com/custos-ledger/custos/x/network/pop"
)

// A known-answer vector: the proof is part of the ledger's rules, so its
// bytes must never change.
func TestKnownAnswer(t *testing.T) {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	sig := pop.Sign(priv)
	const want = "d8a9f9d33590d0298a7f0243a76d532c2a9072907750edeb2f675ec1278ab57b7059f64206d7b077bd5155dcf30e6e483d53f2726203ce04aab4e0ad85df2b05"
	if got := hex.EncodeToString(sig); got != want {
		t.Fatalf("proof = %s, want %s", got, want)
	}
	if err := pop.Verify(pub, sig); err != nil {
		t.Fatal(err)
	}
}

func TestRefusals(t *testing.T) {
	a := ed25519.NewKeyFromSeed(make([]byte, 32))
	b := ed25519.NewKeyFromSeed(append(make([]byte, 31), 1))
	aPub := a.Public().(ed25519.PublicKey)
	bPub := b.Public().(ed25519.PublicKey)
	plain := ed25519.Sign(a, aPub) // a signature of the key without the domain
	cases := map[string]struct{ pub, sig []byte }{
		"another key's proof":      {aPub, pop.Sign(b)},
		"claiming a's proof for b": {bPub, pop.Sign(a)},
		"no domain":                {aPub, plain},
		"short key":                {aPub[:31], pop.Sign(a)},
		"short signature":          {aPub, pop.Sign(a)[:63]},
		"empty":                    {nil, nil},
	}
	for name, c := range cases {
		if err := pop.Verify(c.pub, c.sig); err != pop.ErrInvalid {
			t.Errorf("%s: Verify = %v, want ErrInvalid", name, err)
		}
	}
	if err := pop.Verify(aPub, pop.Sign(a)); err != nil {
		t.Errorf("a valid proof: %v", err)
	}
}
