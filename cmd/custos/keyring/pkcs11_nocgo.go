//go:build !cgo

package keyring

import (
	"errors"

	"github.com/custos-ledger/custos/x/did/types"
)

// PKCS11Available reports whether this custos was built with PKCS#11
// support (it needs cgo).
const PKCS11Available = false

var errNoPKCS11 = errors.New("this custos was built without cgo, so it cannot load a PKCS#11 module: build it with CGO_ENABLED=1")

func tokenGenerate(PKCS11Ref, string, types.KeyType) (types.PublicKey, error) {
	return types.PublicKey{}, errNoPKCS11
}

func tokenFind(PKCS11Ref, string, types.KeyType) (types.PublicKey, string, error) {
	return types.PublicKey{}, "", errNoPKCS11
}

func tokenSign(PKCS11Ref, string, types.KeyType, []byte) ([]byte, error) {
	return nil, errNoPKCS11
}
