package commands

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/custos-ledger/custos/cmd/custos/keyring"
	"github.com/custos-ledger/custos/x/did/types"
)

// keySpec is one key flag's value: a keyring key (NAME...) or, for the
// -pub flags, the public key of a key kept on another machine or device
// (MULTIBASE...).
type keySpec struct {
	spec string
	pub  bool
}

// keySpecs is a flag that appends to a list shared by a keyring flag and
// its -pub twin, so that --key a --key-pub z6Mk... --key b keeps that
// order (and the fragments key-1, key-2, key-3 follow it).
type keySpecs struct {
	list *[]keySpec
	pub  bool
}

func (k keySpecs) Set(s string) error {
	*k.list = append(*k.list, keySpec{spec: s, pub: k.pub})
	return nil
}

func (k keySpecs) String() string { return "" }

func (k keySpecs) Type() string { return "stringArray" }

// registerKeyFlags adds flag (a keyring key) and flag-pub (a public key
// held elsewhere), both appending to list.
func registerKeyFlags(fs *pflag.FlagSet, list *[]keySpec, flag, usage, pubUsage string) {
	fs.Var(keySpecs{list: list}, flag, usage)
	fs.Var(keySpecs{list: list, pub: true}, flag+"-pub", pubUsage)
}

// flagName is the flag a spec came from.
func (k keySpec) flagName(flag string) string {
	if k.pub {
		return flag + "-pub"
	}
	return flag
}

// publicKey reads the key of a spec (its part before '=' or ':', cut by
// the caller): a keyring key's public key and its name, or a
// publicKeyMultibase (name "").
func (k keySpec) publicKey(kr *keyring.Keyring, flag, nameOrKey string) (types.PublicKey, string, error) {
	if k.pub {
		pk, err := types.ParseMultikey(nameOrKey)
		if err != nil {
			return types.PublicKey{}, "", fmt.Errorf("%s %s: %s; give the publicKeyMultibase of the key (`custos keys show NAME --public-key` on the machine that holds it)", k.flagName(flag), k.spec, types.Detail(err))
		}
		return pk, "", nil
	}
	info, err := kr.Get(nameOrKey)
	if err != nil {
		return types.PublicKey{}, "", keyError(kr, fmt.Errorf("%s %s: %w", flag, k.spec, err))
	}
	return info.PublicKey, nameOrKey, nil
}

// appendStrings is a repeatable string flag that appends to a list
// another flag may share (pflag's own string arrays replace the list at
// their first use); check, when set, vets each value.
type appendStrings struct {
	list  *[]string
	check func(string) error
}

func (a appendStrings) Set(s string) error {
	if a.check != nil {
		if err := a.check(s); err != nil {
			return err
		}
	}
	*a.list = append(*a.list, s)
	return nil
}

func (a appendStrings) String() string { return "" }

func (a appendStrings) Type() string { return "stringArray" }

// isMultikey accepts a publicKeyMultibase.
func isMultikey(s string) error {
	if _, err := types.ParseMultikey(s); err != nil {
		return fmt.Errorf("%s; give the publicKeyMultibase of the key", types.Detail(err))
	}
	return nil
}
