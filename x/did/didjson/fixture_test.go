package didjson_test

import (
	"crypto/sha256"

	"github.com/custos-ledger/custos/x/did/types"
)

// fixedID is the DID of the fixtures: the id of 16 bytes 0x01..0x10.
var fixedID = func() types.ID {
	var id types.ID
	for i := range id {
		id[i] = byte(i + 1)
	}
	return id
}()

// rawKey returns 32 fixed bytes for a name.
func rawKey(name string) []byte {
	h := sha256.Sum256([]byte("didjson fixture " + name))
	return h[:]
}

func mustKey(pk types.PublicKey, err error) types.PublicKey {
	if err != nil {
		panic(err)
	}
	return pk
}

// richDoc has two Ed25519 keys, an X25519 key, every relationship and two
// services.
func richDoc() types.Document {
	sign := mustKey(types.NewEd25519(rawKey("sign")))
	ctl := mustKey(types.NewEd25519(rawKey("ctl")))
	enc := mustKey(types.NewX25519(rawKey("enc")))
	return types.Document{
		Id: fixedID.String(),
		VerificationMethods: []types.VerificationMethod{
			{Id: "sign", PublicKey: sign.Multicodec()},
			{Id: "ctl", PublicKey: ctl.Multicodec()},
			{Id: "enc", PublicKey: enc.Multicodec()},
		},
		Authentication:       []string{"sign"},
		AssertionMethod:      []string{"sign", "ctl"},
		KeyAgreement:         []string{"enc"},
		CapabilityInvocation: []string{"ctl"},
		CapabilityDelegation: []string{"ctl"},
		Services:             []types.Service{{Id: "hub", Type: "LinkedDomains", Endpoint: "https://example.com/"}},
		Threshold:            1,
	}
}
