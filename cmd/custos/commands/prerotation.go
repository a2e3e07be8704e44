package commands

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/custos-ledger/custos/cmd/custos/keyring"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// nextKeyFlags are --next-key and --next-threshold: a pre-rotation
// commitment to the DID's next controller keys (docs/recovery.md).
type nextKeyFlags struct {
	keys      []string
	threshold uint32
}

func (n *nextKeyFlags) register(fs *pflag.FlagSet) {
	fs.Var(appendStrings{list: &n.keys}, "next-key",
		"pre-rotation: commit to this next controller key, a keyring NAME or the publicKeyMultibase (z6Mk...) of a key kept elsewhere; repeatable")
	fs.Var(appendStrings{list: &n.keys, check: isMultikey}, "next-key-pub",
		"pre-rotation: commit to the next controller key with this publicKeyMultibase, a key kept on another machine or device; repeatable")
	fs.Uint32Var(&n.threshold, "next-threshold", 0,
		"how many --next-key keys must sign the rotation that reveals them (default: the document's threshold, which a rotation keeps)")
}

// nextKeysOut is a commitment as the CLI prints it.
type nextKeysOut struct {
	Keys      []nextKeyOut `json:"keys"`
	Threshold uint32       `json:"threshold"`
}

// nextKeyOut is a committed key: its keyring name, when it is a keyring
// key, and its public key.
type nextKeyOut struct {
	Key                string `json:"key,omitempty"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
}

func (n *nextKeysOut) text() string {
	parts := make([]string, len(n.Keys))
	for i, k := range n.Keys {
		if k.Key == "" {
			parts[i] = k.PublicKeyMultibase
		} else {
			parts[i] = k.Key + " (" + k.PublicKeyMultibase + ")"
		}
	}
	return fmt.Sprintf("%s; threshold %d (keep them apart from the current keys)", strings.Join(parts, ", "), n.Threshold)
}

// commitment resolves the --next-key keys into a commitment for doc, the
// document the change produces; nil when no --next-key is given. The
// threshold defaults to doc's.
func (n *nextKeyFlags) commitment(cmd *cobra.Command, kr *keyring.Keyring, doc *types.Document) (*types.NextKeys, *nextKeysOut, error) {
	thresholdSet := cmd.Flags().Changed("next-threshold")
	if len(n.keys) == 0 {
		if thresholdSet {
			return nil, nil, fmt.Errorf("--next-threshold needs --next-key: name the keys to commit to")
		}
		return nil, nil, nil
	}
	out := &nextKeysOut{}
	var pks []types.PublicKey
	for _, spec := range n.keys {
		pk, name, err := nextKey(kr, spec)
		if err != nil {
			return nil, nil, err
		}
		if !pk.Type().CanSign() {
			return nil, nil, fmt.Errorf("--next-key %s: %s is an %s key; next controller keys must be Ed25519 (they sign)", spec, pk.Multibase(), pk.Type())
		}
		if slices.Contains(pks, pk) {
			return nil, nil, fmt.Errorf("--next-key %s: the key is given twice", spec)
		}
		if f := fragmentOf(doc, pk); f != "" {
			return nil, nil, fmt.Errorf("--next-key %s: the key is #%s of the document already; commit to a key not in use yet, e.g. one made with `custos keys add NAME-next` and kept offline", spec, f)
		}
		pks = append(pks, pk)
		out.Keys = append(out.Keys, nextKeyOut{Key: name, PublicKeyMultibase: pk.Multibase()})
	}
	th := n.threshold
	if !thresholdSet {
		th = doc.Threshold
		if int(th) > len(pks) {
			return nil, nil, fmt.Errorf("the document's threshold is %d but only %d --next-key key(s) are given: commit to at least %d keys, or set --next-threshold (a rotation that reveals them keeps the threshold, so it must match)", th, len(pks), th)
		}
	}
	if th < 1 || int(th) > len(pks) {
		return nil, nil, fmt.Errorf("invalid --next-threshold %d: give a number from 1 to %d (the number of --next-key keys)", th, len(pks))
	}
	out.Threshold = th
	return txbuild.Commitment(th, pks...), out, nil
}

// nextKey reads --next-key: a keyring name, else a publicKeyMultibase.
func nextKey(kr *keyring.Keyring, spec string) (types.PublicKey, string, error) {
	info, err := kr.Get(spec)
	if err == nil {
		return info.PublicKey, spec, nil
	}
	if errors.Is(err, keyring.ErrNotFound) {
		if pk, perr := types.ParseMultikey(spec); perr == nil {
			return pk, "", nil
		}
	}
	return types.PublicKey{}, "", keyError(kr, fmt.Errorf("--next-key %s: %w", spec, err))
}

// revealSigners chooses the keys that sign a change revealing cur's
// commitment: the committed keys, as next's capabilityInvocation
// fragments. The current keys are not needed. With --signer, exactly those
// keys sign.
func revealSigners(kr *keyring.Keyring, id types.ID, cur, next *types.Document, specs []string) ([]plannedSigner, error) {
	if len(specs) > 0 {
		return explicitSigners(kr, id, next, cur, specs)
	}
	byKey, err := keysByMaterial(kr)
	if err != nil {
		return nil, err
	}
	var chosen []plannedSigner
	var missing []string
	for _, f := range next.CapabilityInvocation {
		pk, _ := fragmentKey(next, f)
		if name, ok := byKey[pk]; ok {
			chosen = append(chosen, plannedSigner{name: name, fragment: f})
		} else {
			missing = append(missing, "#"+f+" "+pk.Multibase())
		}
	}
	m := int(cur.NextKeys.Threshold)
	if len(chosen) < m {
		return nil, &tooFewSigners{chosen: chosen, msg: fmt.Sprintf("revealing the committed next keys of %s needs %d of them to sign, but the %s keyring (%s) holds %d; missing: %s. Import them (`custos keys import`), name keys with --signer NAME[=FRAGMENT], or sign on several machines: --out FILE, then `custos tx sign FILE` where the other keys are",
			id, m, kr.Backend(), kr.Dir(), len(chosen), strings.Join(missing, ", "))}
	}
	return chosen[:m], nil
}

// keysByMaterial maps the keyring's public keys to their names.
func keysByMaterial(kr *keyring.Keyring) (map[types.PublicKey]string, error) {
	infos, err := kr.List()
	if err != nil {
		return nil, err
	}
	byKey := map[types.PublicKey]string{}
	for _, i := range infos {
		byKey[i.PublicKey] = i.Name
	}
	return byKey, nil
}

// revealKeys reads --reveal-key NAME[=FRAGMENT] of a deactivation: the
// revealed keys (fragments next-1, next-2, ... unless named) and their
// signers.
func revealKeys(kr *keyring.Keyring, specs []string) ([]types.VerificationMethod, []plannedSigner, error) {
	var vms []types.VerificationMethod
	var signers []plannedSigner
	for i, spec := range specs {
		name, frag, named := cutSpec(spec)
		info, err := kr.Get(name)
		if err != nil {
			return nil, nil, keyError(kr, fmt.Errorf("--reveal-key %s: %w", spec, err))
		}
		if !info.Type.CanSign() {
			return nil, nil, fmt.Errorf("--reveal-key %s: %q is an %s key; committed next keys are Ed25519 keys that sign", spec, name, info.Type)
		}
		if !named {
			frag = "next-" + strconv.Itoa(i+1)
		}
		if err := types.ValidateFragment(frag); err != nil {
			return nil, nil, fmt.Errorf("--reveal-key %s: %s", spec, types.Detail(err))
		}
		for _, vm := range vms {
			if vm.Id == frag {
				return nil, nil, fmt.Errorf("--reveal-key %s: fragment #%s is given twice", spec, frag)
			}
		}
		vms = append(vms, types.VerificationMethod{Id: frag, PublicKey: info.PublicKey.Multicodec()})
		signers = append(signers, plannedSigner{name: name, fragment: frag})
	}
	return vms, signers, nil
}
