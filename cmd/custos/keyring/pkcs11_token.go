//go:build cgo

package keyring

import (
	"bytes"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/pkcs11"

	"github.com/custos-ledger/custos/x/did/types"
)

// PKCS#11 3.0 names github.com/miekg/pkcs11 v1.1.2 does not define.
const (
	ckkECEdwards            = 0x40   // CKK_EC_EDWARDS
	ckmECEdwardsKeyPairGen  = 0x1055 // CKM_EC_EDWARDS_KEY_PAIR_GEN
	ckmEdDSA                = 0x1057 // CKM_EDDSA
	ckrUserAlreadyLoggedIn  = pkcs11.CKR_USER_ALREADY_LOGGED_IN
	ckrCryptokiAlreadyReady = pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED
)

// DER encodings of the curves' object identifiers, for CKA_EC_PARAMS:
// id-Ed25519 1.3.101.112 (RFC 8410) and prime256v1 1.2.840.10045.3.1.7.
var (
	oidEd25519 = []byte{0x06, 0x03, 0x2b, 0x65, 0x70}
	oidP256    = []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}
)

// PKCS11Available reports whether this custos was built with PKCS#11
// support (it needs cgo).
const PKCS11Available = true

// session is a logged-in session with one token.
type session struct {
	ctx *pkcs11.Ctx
	sh  pkcs11.SessionHandle
}

// withSession loads ref's module, finds its token, logs in with pin, runs
// f, and closes everything.
func withSession(ref PKCS11Ref, pin string, f func(s session) error) error {
	ctx := pkcs11.New(ref.Module)
	if ctx == nil {
		return fmt.Errorf("cannot load the PKCS#11 module %s: check --pkcs11-module (for SoftHSM2: /usr/lib/softhsm/libsofthsm2.so)", ref.Module)
	}
	defer ctx.Destroy()
	if err := ctx.Initialize(); err != nil && !isCKR(err, ckrCryptokiAlreadyReady) {
		return fmt.Errorf("PKCS#11 module %s: %w", ref.Module, err)
	}
	defer ctx.Finalize()
	slots, err := ctx.GetSlotList(true)
	if err != nil {
		return fmt.Errorf("PKCS#11 module %s: %w", ref.Module, err)
	}
	var labels []string
	for _, slot := range slots {
		info, err := ctx.GetTokenInfo(slot)
		if err != nil {
			continue
		}
		label := strings.TrimRight(info.Label, " \x00")
		labels = append(labels, fmt.Sprintf("%q", label))
		if label != ref.Token {
			continue
		}
		sh, err := ctx.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
		if err != nil {
			return fmt.Errorf("token %q: %w", ref.Token, err)
		}
		defer ctx.CloseSession(sh)
		if err := ctx.Login(sh, pkcs11.CKU_USER, pin); err != nil && !isCKR(err, ckrUserAlreadyLoggedIn) {
			if isCKR(err, pkcs11.CKR_PIN_INCORRECT) {
				return fmt.Errorf("wrong PIN for token %q", ref.Token)
			}
			return fmt.Errorf("token %q: login: %w", ref.Token, err)
		}
		defer ctx.Logout(sh)
		return f(session{ctx: ctx, sh: sh})
	}
	if len(labels) == 0 {
		return fmt.Errorf("PKCS#11 module %s has no token: initialise one (softhsm2-util --init-token ...)", ref.Module)
	}
	return fmt.Errorf("PKCS#11 module %s has no token labelled %q (its tokens: %s)", ref.Module, ref.Token, strings.Join(labels, ", "))
}

func isCKR(err error, code uint) bool {
	var e pkcs11.Error
	return errors.As(err, &e) && uint(e) == code
}

// keyAttrs are the key type and curve of a custos key type.
func keyAttrs(t types.KeyType) (keyType uint, params []byte, gen uint, err error) {
	switch t {
	case types.KeyTypeEd25519:
		return ckkECEdwards, oidEd25519, ckmECEdwardsKeyPairGen, nil
	case types.KeyTypeP256:
		return pkcs11.CKK_EC, oidP256, pkcs11.CKM_EC_KEY_PAIR_GEN, nil
	}
	return 0, nil, 0, fmt.Errorf("a PKCS#11 key is ed25519 or p256, not %s", TypeName(t))
}

// tokenGenerate makes a key pair of type t in the token, labelled
// ref.Label with id ref.ID: the private key sensitive and not extractable.
func tokenGenerate(ref PKCS11Ref, pin string, t types.KeyType) (types.PublicKey, error) {
	keyType, params, gen, err := keyAttrs(t)
	if err != nil {
		return types.PublicKey{}, err
	}
	id, _ := hex.DecodeString(ref.ID)
	var pk types.PublicKey
	err = withSession(ref, pin, func(s session) error {
		if h, _ := s.find(pkcs11.CKO_PRIVATE_KEY, ref.Label, nil, 1); len(h) > 0 {
			return fmt.Errorf("token %q already holds a private key labelled %q: choose another --pkcs11-label, or use that key with --existing", ref.Token, ref.Label)
		}
		pub := []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PUBLIC_KEY),
			pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, keyType),
			pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
			pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true),
			pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, params),
			pkcs11.NewAttribute(pkcs11.CKA_LABEL, ref.Label),
			pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		}
		priv := []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY),
			pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, keyType),
			pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
			pkcs11.NewAttribute(pkcs11.CKA_SIGN, true),
			pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
			pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
			pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, false),
			pkcs11.NewAttribute(pkcs11.CKA_LABEL, ref.Label),
			pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		}
		hPub, _, err := s.ctx.GenerateKeyPair(s.sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(gen, nil)}, pub, priv)
		if err != nil {
			if isCKR(err, pkcs11.CKR_MECHANISM_INVALID) || isCKR(err, pkcs11.CKR_CURVE_NOT_SUPPORTED) || isCKR(err, pkcs11.CKR_DOMAIN_PARAMS_INVALID) {
				return fmt.Errorf("token %q cannot make %s keys: %w", ref.Token, t, err)
			}
			return fmt.Errorf("token %q: generate a %s key: %w", ref.Token, t, err)
		}
		pk, err = s.publicKey(hPub, t)
		return err
	})
	return pk, err
}

// tokenFind finds the one private key labelled ref.Label, of type t, and
// its public key (the public key object with the same CKA_ID).
func tokenFind(ref PKCS11Ref, pin string, t types.KeyType) (types.PublicKey, string, error) {
	keyType, params, _, err := keyAttrs(t)
	if err != nil {
		return types.PublicKey{}, "", err
	}
	var pk types.PublicKey
	var idHex string
	err = withSession(ref, pin, func(s session) error {
		hs, err := s.find(pkcs11.CKO_PRIVATE_KEY, ref.Label, nil, 2)
		if err != nil {
			return err
		}
		switch len(hs) {
		case 0:
			return fmt.Errorf("token %q holds no private key labelled %q", ref.Token, ref.Label)
		case 2:
			return fmt.Errorf("token %q holds more than one private key labelled %q: relabel them", ref.Token, ref.Label)
		}
		attrs, err := s.ctx.GetAttributeValue(s.sh, hs[0], []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_ID, nil),
			pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, nil),
		})
		if err != nil {
			return fmt.Errorf("token %q: read key %q: %w", ref.Token, ref.Label, err)
		}
		id := attrs[0].Value
		if len(id) == 0 {
			return fmt.Errorf("token %q: key %q has no CKA_ID: give it one, so custos can find it again", ref.Token, ref.Label)
		}
		if got := attrUint(attrs[1].Value); got != keyType {
			return fmt.Errorf("token %q: key %q is not a %s key (CKA_KEY_TYPE 0x%x)", ref.Token, ref.Label, t, got)
		}
		pubs, err := s.find(pkcs11.CKO_PUBLIC_KEY, "", id, 2)
		if err != nil {
			return err
		}
		if len(pubs) != 1 {
			return fmt.Errorf("token %q: key %q has %d public key objects with its CKA_ID; custos needs exactly one to read the public key", ref.Token, ref.Label, len(pubs))
		}
		ec, err := s.ctx.GetAttributeValue(s.sh, pubs[0], []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, nil)})
		if err != nil || !bytes.Equal(ec[0].Value, params) && !(t == types.KeyTypeEd25519 && isEd25519Name(ec[0].Value)) {
			return fmt.Errorf("token %q: key %q is not on the %s curve", ref.Token, ref.Label, t)
		}
		pk, err = s.publicKey(pubs[0], t)
		idHex = hex.EncodeToString(id)
		return err
	})
	return pk, idHex, err
}

// isEd25519Name reports the PrintableString "edwards25519", the other
// CKA_EC_PARAMS form of Ed25519 that PKCS#11 3.0 names.
func isEd25519Name(b []byte) bool {
	var s string
	rest, err := asn1.Unmarshal(b, &s)
	return err == nil && len(rest) == 0 && s == "edwards25519"
}

// tokenSign signs msg with the key ref names: CKM_EDDSA over msg for
// Ed25519, CKM_ECDSA over SHA-256(msg) for P-256 (s then normalised to the
// low half).
func tokenSign(ref PKCS11Ref, pin string, t types.KeyType, msg []byte) ([]byte, error) {
	id, err := hex.DecodeString(ref.ID)
	if err != nil {
		return nil, err
	}
	var mech *pkcs11.Mechanism
	data := msg
	switch t {
	case types.KeyTypeEd25519:
		mech = pkcs11.NewMechanism(ckmEdDSA, nil)
	case types.KeyTypeP256:
		mech = pkcs11.NewMechanism(pkcs11.CKM_ECDSA, nil)
		h := sha256.Sum256(msg)
		data = h[:]
	default:
		return nil, fmt.Errorf("a PKCS#11 key is ed25519 or p256, not %s", TypeName(t))
	}
	var sig []byte
	err = withSession(ref, pin, func(s session) error {
		hs, err := s.find(pkcs11.CKO_PRIVATE_KEY, ref.Label, id, 2)
		if err != nil {
			return err
		}
		if len(hs) != 1 {
			return fmt.Errorf("the token holds %d private keys labelled %q with id %s; custos needs exactly one", len(hs), ref.Label, ref.ID)
		}
		if err := s.ctx.SignInit(s.sh, []*pkcs11.Mechanism{mech}, hs[0]); err != nil {
			return fmt.Errorf("sign with key %q: %w", ref.Label, err)
		}
		sig, err = s.ctx.Sign(s.sh, data)
		if err != nil {
			return fmt.Errorf("sign with key %q: %w", ref.Label, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(sig) != 64 {
		return nil, fmt.Errorf("the token gave a %d-byte signature; custos expects 64", len(sig))
	}
	return types.NormalizeLowS(t, sig), nil
}

// find returns up to max objects of class with the label and id given
// (each left out of the search when empty).
func (s session) find(class uint, label string, id []byte, max int) ([]pkcs11.ObjectHandle, error) {
	tmpl := []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_CLASS, class)}
	if label != "" {
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_LABEL, label))
	}
	if len(id) > 0 {
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_ID, id))
	}
	if err := s.ctx.FindObjectsInit(s.sh, tmpl); err != nil {
		return nil, fmt.Errorf("search the token: %w", err)
	}
	hs, _, err := s.ctx.FindObjects(s.sh, max)
	if ferr := s.ctx.FindObjectsFinal(s.sh); err == nil {
		err = ferr
	}
	if err != nil {
		return nil, fmt.Errorf("search the token: %w", err)
	}
	return hs, nil
}

// publicKey reads the CKA_EC_POINT of a public key object: a DER OCTET
// STRING holding the 32-byte Ed25519 key or the uncompressed P-256 point
// (some tokens give the bare value).
func (s session) publicKey(h pkcs11.ObjectHandle, t types.KeyType) (types.PublicKey, error) {
	attrs, err := s.ctx.GetAttributeValue(s.sh, h, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_EC_POINT, nil)})
	if err != nil {
		return types.PublicKey{}, fmt.Errorf("read the public key: %w", err)
	}
	point := attrs[0].Value
	var inner []byte
	if rest, err := asn1.Unmarshal(point, &inner); err == nil && len(rest) == 0 {
		point = inner
	}
	switch t {
	case types.KeyTypeEd25519:
		return types.NewEd25519(point)
	case types.KeyTypeP256:
		x, y := elliptic.Unmarshal(elliptic.P256(), point) //nolint:staticcheck // the uncompressed form is what tokens give
		if x == nil {
			return types.PublicKey{}, errors.New("the token's P-256 public key is not an uncompressed point")
		}
		return types.NewP256(elliptic.MarshalCompressed(elliptic.P256(), x, y))
	}
	return types.PublicKey{}, fmt.Errorf("unsupported key type %s", t)
}

// attrUint decodes a CK_ULONG attribute value (native byte order and size).
func attrUint(b []byte) uint {
	switch len(b) {
	case 8:
		return uint(binary.NativeEndian.Uint64(b))
	case 4:
		return uint(binary.NativeEndian.Uint32(b))
	}
	return ^uint(0)
}
