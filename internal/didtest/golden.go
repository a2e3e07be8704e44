package didtest

import (
	"crypto/ed25519"
	"crypto/sha256"
	"time"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// GoldenChain is the chain id of the golden blocks.
const GoldenChain = "custos-golden"

// GoldenKey returns the key named name in the golden blocks' domain.
func GoldenKey(name string) ed25519.PrivateKey { return KeyIn("golden", name) }

// GoldenBlocks returns the golden block sequence, a fixed sequence of
// blocks of signed txs, and the result code each tx must get. Block h
// (from 1) runs at GoldenBlockTime(h). App tests pin the app hash it leaves
// (app/golden_test.go); the accelerations' differential test runs it with
// each acceleration on and off.
func GoldenBlocks() ([][][]byte, [][]uint32) {
	a1, a2 := GoldenKey("a1"), GoldenKey("a2")
	b1, b2, b3 := GoldenKey("b1"), GoldenKey("b2"), GoldenKey("b3")
	x, err := types.NewX25519(sha256.New().Sum([]byte("x25519"))[:32])
	must(err)

	idA, createA, err := txbuild.Create(GoldenChain, txbuild.SimpleDocument("key-1", Pub(a1)), "alice")
	must(err)
	docB := types.Document{
		VerificationMethods: []types.VerificationMethod{
			{Id: "k1", PublicKey: Pub(b1).Multicodec()},
			{Id: "k2", PublicKey: Pub(b2).Multicodec()},
			{Id: "enc", PublicKey: x.Multicodec()},
		},
		Authentication:       []string{"k1"},
		KeyAgreement:         []string{"enc"},
		CapabilityInvocation: []string{"k1", "k2"},
		Services:             []types.Service{{Id: "hub", Type: "LinkedDomains", Endpoint: "https://example.com"}},
		Threshold:            2,
	}
	idB, createB, err := txbuild.Create(GoldenChain, docB, "")
	must(err)
	sign := func(body types.TxBody, s ...txbuild.Signer) []byte {
		tx, err := txbuild.Sign(body, s...)
		must(err)
		return tx
	}
	sA := func(f string, k ed25519.PrivateKey) txbuild.Signer { return txbuild.NewSigner(idA, f, k) }
	sB := func(f string, k ed25519.PrivateKey) txbuild.Signer { return txbuild.NewSigner(idB, f, k) }

	docB2 := docB
	docB2.VerificationMethods = append(append([]types.VerificationMethod(nil), docB.VerificationMethods...), types.VerificationMethod{Id: "k3", PublicKey: Pub(b3).Multicodec()})
	docB2.CapabilityInvocation = []string{"k1", "k2", "k3"}

	c1, n1 := GoldenKey("c1"), GoldenKey("n1")
	idC, createC, err := txbuild.Create(GoldenChain, txbuild.SimpleDocument("key-1", Pub(c1)), "guardian")
	must(err)
	sC := txbuild.NewSigner(idC, "key-1", c1)
	day := int64(24 * 60 * 60)

	blocks := [][][]byte{
		{sign(createA, sA("key-1", a1)), sign(createB, sB("k1", b1), sB("k2", b2))},
		{sign(txbuild.Rotate(GoldenChain, idA, 1, "key-1", Pub(a2)), sA("key-1", a1), sA("key-1", a2))},
		{
			sign(txbuild.Update(GoldenChain, idB, 1, docB2), sB("k1", b1), sB("k2", b2), sB("k3", b3)),
			sign(txbuild.Deactivate(GoldenChain, idA, 1), sA("key-1", a2)), // stale version: refused
		},
		{sign(txbuild.Revoke(GoldenChain, idB, 2, "k2", types.REVOCATION_REASON_COMPROMISED, 1_700_000_000), sB("k1", b1), sB("k3", b3))},
		{sign(txbuild.Deactivate(GoldenChain, idA, 2), sA("key-1", a2))},
		{sign(createC, sC)},
		{sign(txbuild.SetGuardians(GoldenChain, idB, 3, 0, []types.ID{idC}, 1, day), sB("k1", b1), sB("k3", b3))},
		{sign(txbuild.RecoveryInitiate(GoldenChain, idB, 3, 1, idC, []types.VerificationMethod{{Id: "r1", PublicKey: Pub(n1).Multicodec()}}, 1, txbuild.Commitment(1, Pub(GoldenKey("n2")))),
			sC, sB("r1", n1))},
		{}, // the recovery executes in the first block a day later (see GoldenBlockTime)
	}
	codes := [][]uint32{{0, 0}, {0}, {0, types.ErrStaleVersion.Code}, {0}, {0}, {0}, {0}, {0}, {}}
	return blocks, codes
}

// GoldenBlockTime is the time of golden block h: one second apart, and
// block 9 a day after block 8.
func GoldenBlockTime(h int64) time.Time {
	t := int64(1_700_000_100) + h
	if h >= 9 {
		t += 24 * 60 * 60
	}
	return time.Unix(t, 0).UTC()
}

func must(err error) {
	if err != nil {
		panic("didtest: " + err.Error())
	}
}
