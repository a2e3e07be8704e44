package commands

import (
	"fmt"
	"strings"

	"github.com/custos-ledger/custos/cmd/custos/keyring"
	"github.com/custos-ledger/custos/x/did/types"
)

// plannedSigner is a keyring key and the fragment it signs as: of the
// target DID, or of did when it is set (a guardian signing for a recovery).
type plannedSigner struct {
	name     string
	fragment string
	did      types.ID
}

// controllerSigners chooses the keys that authorize a change of the DID id
// whose current document is doc.
//
// With --signer, exactly those keys sign: NAME signs as the fragment whose
// key material is NAME's (in doc, else in next), NAME=FRAGMENT as FRAGMENT
// (the ledger then judges). Without --signer, the keyring's keys that are
// capabilityInvocation keys of doc sign, in document order, as many as the
// threshold; keys other than avoid (the key being rotated or revoked) are
// preferred. Too few is an error before anything is unlocked.
func controllerSigners(kr *keyring.Keyring, id types.ID, doc, next *types.Document, specs []string, avoid string) ([]plannedSigner, error) {
	if len(specs) > 0 {
		return explicitSigners(kr, id, doc, next, specs)
	}
	byKey, err := keysByMaterial(kr)
	if err != nil {
		return nil, err
	}
	var chosen, last []plannedSigner
	var missing []string
	for _, f := range doc.CapabilityInvocation {
		pk, ok := fragmentKey(doc, f)
		name, held := byKey[pk]
		switch {
		case !ok || !held:
			missing = append(missing, "#"+f)
		case f == avoid:
			last = append(last, plannedSigner{name: name, fragment: f})
		default:
			chosen = append(chosen, plannedSigner{name: name, fragment: f})
		}
	}
	chosen = append(chosen, last...)
	m := int(doc.Threshold)
	if len(chosen) < m {
		return nil, &tooFewSigners{chosen: chosen, msg: fmt.Sprintf("%s needs %d controller signature(s) (its threshold) but the %s keyring (%s) holds %d of its capabilityInvocation keys; missing: %s. Import them (`custos keys import`), name keys with --signer NAME[=FRAGMENT], or sign on several machines: --out FILE, then `custos tx sign FILE` where the other keys are",
			id, m, kr.Backend(), kr.Dir(), len(chosen), strings.Join(missing, ", "))}
	}
	return chosen[:m], nil
}

func explicitSigners(kr *keyring.Keyring, id types.ID, doc, next *types.Document, specs []string) ([]plannedSigner, error) {
	var out []plannedSigner
	seen := map[plannedSigner]bool{}
	for _, spec := range specs {
		name, frag, named := strings.Cut(spec, "=")
		info, err := kr.Get(name)
		if err != nil {
			return nil, keyError(kr, fmt.Errorf("--signer %s: %w", spec, err))
		}
		if !info.Type.CanSign() {
			return nil, fmt.Errorf("--signer %s: %q is an %s key, which cannot sign; sign with an Ed25519, P-256 or secp256k1 key", spec, name, info.Type)
		}
		if named {
			if err := types.ValidateFragment(frag); err != nil {
				return nil, fmt.Errorf("--signer %s: %v", spec, types.Detail(err))
			}
		} else {
			frag = fragmentOf(doc, info.PublicKey)
			if frag == "" && next != nil {
				frag = fragmentOf(next, info.PublicKey)
			}
			if frag == "" {
				return nil, fmt.Errorf("--signer %s: key %q (%s) is not a key of %s (its keys: %s); to sign as a fragment anyway, use --signer %s=FRAGMENT",
					spec, name, info.PublicKey.Multibase(), id, listKeys(doc), name)
			}
		}
		p := plannedSigner{name: name, fragment: frag}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// fragmentKey returns the key of fragment f in doc.
func fragmentKey(doc *types.Document, f string) (types.PublicKey, bool) {
	vm, ok := doc.Method(f)
	if !ok {
		return types.PublicKey{}, false
	}
	pk, err := types.ParsePublicKey(vm.PublicKey)
	return pk, err == nil
}

// fragmentOf returns the fragment whose key is pk in doc, or "".
func fragmentOf(doc *types.Document, pk types.PublicKey) string {
	for _, vm := range doc.VerificationMethods {
		if k, err := types.ParsePublicKey(vm.PublicKey); err == nil && k == pk {
			return vm.Id
		}
	}
	return ""
}

// listKeys names doc's keys for error messages.
func listKeys(doc *types.Document) string {
	if len(doc.VerificationMethods) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(doc.VerificationMethods))
	for _, vm := range doc.VerificationMethods {
		s := "#" + vm.Id
		if pk, err := types.ParsePublicKey(vm.PublicKey); err == nil {
			s += " " + pk.Multibase()
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
