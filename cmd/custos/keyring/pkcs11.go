package keyring

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// PKCS11Ref says where a key held in a PKCS#11 token (an HSM, a smart card,
// SoftHSM) is: the key file of such a key holds this reference and the
// public key, never private key material, which stays in the token.
type PKCS11Ref struct {
	// Module is the path of the token's PKCS#11 library.
	Module string `json:"module"`
	// Token is the token's label.
	Token string `json:"token"`
	// Label and ID are the key's CKA_LABEL and CKA_ID (hex) in the token.
	Label string `json:"label"`
	ID    string `json:"id"`
}

// check reports a reference that names no module, token or key.
func (r *PKCS11Ref) check() error {
	switch {
	case r.Module == "":
		return errors.New("pkcs11: no module")
	case r.Token == "":
		return errors.New("pkcs11: no token label")
	case r.Label == "":
		return errors.New("pkcs11: no key label")
	}
	if _, err := hex.DecodeString(r.ID); err != nil || r.ID == "" {
		return errors.New("pkcs11: the key id is not hex")
	}
	return nil
}

// PKCS11Types are the key types a PKCS#11 key may have.
var pkcs11Types = []types.KeyType{types.KeyTypeEd25519, types.KeyTypeP256}

// AddPKCS11 stores under name a reference to a signing key of type t (Ed25519
// or P-256) in the token ref.Token of the module ref.Module. With existing
// false it generates the key in the token, labelled ref.Label, with
// CKA_SENSITIVE true and CKA_EXTRACTABLE false: the private key can never
// leave the token. With existing true it uses the token's one private key
// labelled ref.Label. Either way the token then signs a probe, and the key
// is stored only when the signature verifies under the public key it read.
// ref.ID is set by AddPKCS11.
func (k *Keyring) AddPKCS11(name string, t types.KeyType, ref PKCS11Ref, existing bool) (Info, error) {
	if err := ValidateName(name); err != nil {
		return Info{}, err
	}
	if t != types.KeyTypeEd25519 && t != types.KeyTypeP256 {
		return Info{}, fmt.Errorf("a PKCS#11 key is ed25519 or p256, not %s", TypeName(t))
	}
	if _, err := os.Lstat(k.path(name)); err == nil {
		return Info{}, errorf(ErrExists, "a key named %q is already in %s: choose another name", name, k.dir)
	}
	if ref.Module == "" || ref.Token == "" || ref.Label == "" {
		return Info{}, errors.New("a PKCS#11 key needs the module (--pkcs11-module), the token label (--pkcs11-token) and a key label")
	}
	abs, err := filepath.Abs(ref.Module)
	if err != nil {
		return Info{}, err
	}
	ref.Module = abs
	if _, err := os.Stat(abs); err != nil {
		return Info{}, fmt.Errorf("cannot load the PKCS#11 module %s: %v", abs, err)
	}
	pin, err := k.pin(ref.Token)
	if err != nil {
		return Info{}, err
	}
	var pk types.PublicKey
	if existing {
		pk, ref.ID, err = tokenFind(ref, pin, t)
	} else {
		id := make([]byte, 16)
		if _, err := rand.Read(id); err != nil {
			return Info{}, err
		}
		ref.ID = hex.EncodeToString(id)
		pk, err = tokenGenerate(ref, pin, t)
	}
	if err != nil {
		return Info{}, err
	}
	probe := []byte("custos/keyring/pkcs11-probe\x00" + name)
	sig, err := tokenSign(ref, pin, pk.Type(), probe)
	if err != nil {
		return Info{}, fmt.Errorf("the token holds the key but did not sign with it: %w", err)
	}
	if !pk.Verify(probe, sig) {
		return Info{}, errors.New("the token's signature does not verify under the public key it gave: the key is not usable")
	}
	all, err := k.List()
	if err != nil {
		return Info{}, err
	}
	for _, other := range all {
		if other.PublicKey == pk {
			return Info{}, errorf(ErrExists, "this key is already in the keyring as %q", other.Name)
		}
	}
	f := keyFile{Version: fileVersion, Type: TypeName(pk.Type()), PublicKey: pk.Multibase(), PKCS11: &ref}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return Info{}, fmt.Errorf("keyring: encode %s: %w", name, err)
	}
	if err := k.write(name, append(data, '\n')); err != nil {
		return Info{}, err
	}
	return Info{Name: name, Type: pk.Type(), PublicKey: pk, Path: k.path(name), PKCS11: &ref}, nil
}

// Signer returns a signer for key name: the private key of a file or test
// key, unlocked (asking for its passphrase with the file backend), or the
// token of a PKCS#11 key, which signs each message itself (asking for the
// token's PIN once per keyring).
func (k *Keyring) Signer(name string) (txbuild.KeySigner, error) {
	f, err := k.read(name)
	if err != nil {
		return nil, err
	}
	if f.PKCS11 != nil {
		if !f.info.Type.CanSign() {
			return nil, fmt.Errorf("key %q is %s: it cannot sign", name, f.info.Type)
		}
		return &tokenSigner{k: k, ref: *f.PKCS11, pub: f.info.PublicKey}, nil
	}
	s, err := k.Unlock(name)
	if err != nil {
		return nil, err
	}
	return s.Signer()
}

// tokenSigner signs in a PKCS#11 token. Each signature opens the module,
// a session, logs in, signs and closes everything again: nothing stays open
// between signatures, and a token unplugged in between fails cleanly.
type tokenSigner struct {
	k   *Keyring
	ref PKCS11Ref
	pub types.PublicKey
}

// Public returns the public key recorded when the key was added.
func (s *tokenSigner) Public() types.PublicKey { return s.pub }

// Sign signs msg in the token: CKM_EDDSA for Ed25519, CKM_ECDSA over
// SHA-256(msg) for P-256, then s normalised to the low half.
func (s *tokenSigner) Sign(msg []byte) ([]byte, error) {
	pin, err := s.k.pin(s.ref.Token)
	if err != nil {
		return nil, err
	}
	sig, err := tokenSign(s.ref, pin, s.pub.Type(), msg)
	if err != nil {
		return nil, fmt.Errorf("token %q: %w", s.ref.Token, err)
	}
	if !s.pub.Verify(msg, sig) {
		return nil, fmt.Errorf("token %q: the signature of key %q does not verify under the key's public key (was the key replaced in the token?)", s.ref.Token, s.ref.Label)
	}
	return sig, nil
}

// pin returns the PIN of token, asking Options.PIN once per keyring.
func (k *Keyring) pin(token string) (string, error) {
	if p, ok := k.pins[token]; ok {
		return p, nil
	}
	if k.opts.PIN == nil {
		return "", fmt.Errorf("keyring: no PIN source for token %q", token)
	}
	p, err := k.opts.PIN(token)
	if err != nil {
		return "", err
	}
	pin := strings.TrimRight(string(p), "\r\n")
	if pin == "" {
		return "", fmt.Errorf("empty PIN for token %q", token)
	}
	if k.pins == nil {
		k.pins = map[string]string{}
	}
	k.pins[token] = pin
	return pin, nil
}
