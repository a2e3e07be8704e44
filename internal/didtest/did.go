package didtest

import (
	"crypto/ed25519"
	"fmt"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// DID is a DID a test controls: the document it was created with, and the
// private keys of its signing methods by fragment.
type DID struct {
	Chain string
	ID    types.ID
	// Doc is the inception document (its id empty).
	Doc  types.Document
	Keys map[string]ed25519.PrivateKey
}

// New returns the DID that creating doc on chain derives; keys holds the
// private key of each of doc's signing methods, by fragment.
func New(chain string, doc types.Document, keys map[string]ed25519.PrivateKey) *DID {
	doc.Id = ""
	id, err := txbuild.DID(chain, doc)
	if err != nil {
		panic("didtest: " + err.Error())
	}
	return &DID{Chain: chain, ID: id, Doc: doc, Keys: keys}
}

// Single returns a DID with one Ed25519 key, fragment "k1", named
// name+"/k1", in authentication, assertionMethod and
// capabilityInvocation, threshold 1.
func Single(chain, name string) *DID {
	k := Key(name + "/k1")
	return New(chain, txbuild.SimpleDocument("k1", Pub(k)), map[string]ed25519.PrivateKey{"k1": k})
}

// MofN returns a DID with n Ed25519 keys k1..kn (named name+"/k1"...), all
// in capabilityInvocation and authentication, threshold m.
func MofN(chain, name string, m, n int) *DID {
	doc := types.Document{Threshold: uint32(m)}
	keys := make(map[string]ed25519.PrivateKey, n)
	for i := 1; i <= n; i++ {
		f := fmt.Sprintf("k%d", i)
		k := Key(name + "/" + f)
		keys[f] = k
		doc.VerificationMethods = append(doc.VerificationMethods, types.VerificationMethod{Id: f, PublicKey: Pub(k).Multicodec()})
		doc.Authentication = append(doc.Authentication, f)
		doc.CapabilityInvocation = append(doc.CapabilityInvocation, f)
	}
	return New(chain, doc, keys)
}

// Signer returns the signer of fragment f; the DID must hold its key.
func (d *DID) Signer(f string) txbuild.Signer {
	k, ok := d.Keys[f]
	if !ok {
		panic(fmt.Sprintf("didtest: %s has no private key for %q", d.ID, f))
	}
	return txbuild.NewSigner(d.ID, f, k)
}

// Signers returns the signers of the fragments fs.
func (d *DID) Signers(fs ...string) []txbuild.Signer {
	out := make([]txbuild.Signer, len(fs))
	for i, f := range fs {
		out[i] = d.Signer(f)
	}
	return out
}

// SigningFragments returns, in document order, the fragments of the
// inception document's signing keys.
func (d *DID) SigningFragments() []string {
	var out []string
	for _, vm := range d.Doc.VerificationMethods {
		if pk, err := types.ParsePublicKey(vm.PublicKey); err == nil && pk.Type().CanSign() {
			out = append(out, vm.Id)
		}
	}
	return out
}

// CreateBody returns the body of the DID's create.
func (d *DID) CreateBody() types.TxBody {
	_, body, err := txbuild.Create(d.Chain, d.Doc, "")
	if err != nil {
		panic("didtest: " + err.Error())
	}
	return body
}

// Create returns the DID's create, signed by every signing key of its
// inception document (proof of possession).
func (d *DID) Create() []byte {
	return Sign(d.CreateBody(), d.Signers(d.SigningFragments()...)...)
}

// Controllers returns the signers of the first threshold
// capabilityInvocation keys of doc the DID holds keys for.
func (d *DID) Controllers(doc types.Document) []txbuild.Signer {
	var out []txbuild.Signer
	for _, f := range doc.CapabilityInvocation {
		if _, ok := d.Keys[f]; ok && len(out) < int(doc.Threshold) {
			out = append(out, d.Signer(f))
		}
	}
	return out
}

// CloneDoc returns a deep copy of a document (types.Document.Clone), for
// tests that edit it.
func CloneDoc(doc types.Document) types.Document { return doc.Clone() }
