package resolver_test

import (
	"crypto/sha256"
	"strings"
	"testing"

	did "github.com/MetaMask/go-did-it"
	"github.com/MetaMask/go-did-it/document"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/resolver"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// TestGoDIDItECDSA: go-did-it reads the P-256 and secp256k1 Multikeys the
// resolver renders and verifies, under each, a signature made the way
// Custos signs (64 bytes r || s over SHA-256, low-S), which Custos verifies
// too.
func TestGoDIDItECDSA(t *testing.T) {
	l := newLedger(t)
	p := p256JWTKey(t, "didit hsm")
	d := sha256.Sum256([]byte("custos resolver didit secp256k1"))
	k := txbuild.Secp256k1Key{Key: secp256k1.PrivKeyFromBytes(d[:])}
	signers := map[string]txbuild.KeySigner{"hsm": p, "k1": k}
	doc := types.Document{
		VerificationMethods:  []types.VerificationMethod{{Id: "hsm", PublicKey: p.Public().Multicodec()}, {Id: "k1", PublicKey: k.Public().Multicodec()}},
		Authentication:       []string{"hsm", "k1"},
		AssertionMethod:      []string{"k1"},
		CapabilityInvocation: []string{"hsm"},
		Threshold:            1,
	}
	id, body, err := txbuild.Create(testChain, doc, "")
	require.NoError(t, err)
	l.block(10, sign(t, body, txbuild.NewKeySigner(id, "hsm", p), txbuild.NewKeySigner(id, "k1", k)))
	ts := startServer(t, resolver.NewLocalSource(l.db, nil))
	registerCustosWithDIDIt(ts.base)

	res := ts.get(resolver.PathIdentifiers+id.String(), "Accept", resolver.MediaDIDLD)
	require.Equal(t, 200, res.status, "body: %s", res.body)
	require.Contains(t, string(res.body), p.Public().Multibase())
	require.True(t, strings.HasPrefix(p.Public().Multibase(), "zDn"))
	require.True(t, strings.HasPrefix(k.Public().Multibase(), "zQ3s"))
	parsed, err := document.FromJsonBytes(res.body)
	require.NoError(t, err, "go-did-it cannot parse: %s", res.body)
	viaParse, err := did.Parse(id.String())
	require.NoError(t, err)
	resolved, err := viaParse.Document()
	require.NoError(t, err)

	msg := []byte("custos conformance: ECDSA by " + id.String())
	for _, doc := range []did.Document{parsed, resolved} {
		require.Len(t, doc.VerificationMethods(), 2)
		seen := 0
		for _, vm := range doc.Authentication() {
			frag := strings.TrimPrefix(vm.ID(), id.String()+"#")
			ks, ok := signers[frag]
			require.True(t, ok, vm.ID())
			require.Equal(t, "Multikey", vm.Type())
			sig, err := ks.Sign(msg)
			require.NoError(t, err)
			require.True(t, ks.Public().Verify(msg, sig), "Custos verifies its own signature")
			ok, err = vm.VerifyBytes(msg, sig)
			require.NoError(t, err)
			require.True(t, ok, "go-did-it does not verify %s's signature", vm.ID())
			ok, _ = vm.VerifyBytes(append([]byte("x"), msg...), sig)
			require.False(t, ok)
			seen++
		}
		require.Equal(t, 2, seen)
		require.Len(t, doc.CapabilityInvocation(), 1)
		require.Equal(t, id.String()+"#hsm", doc.CapabilityInvocation()[0].ID())
	}
}
