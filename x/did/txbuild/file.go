package txbuild

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/custos-ledger/custos/x/did/types"
)

// The format versions of a tx file (docs/tx-file.md). FileFormat (v2)
// adds the endorsement of a create; a file without one is written as
// FileFormatV1, which custos releases before v2 read too.
const (
	FileFormatV1 = "custos-tx/v1"
	FileFormat   = "custos-tx/v2"
)

// MaxFileBytes bounds a tx file read: a tx is at most a few tens of KiB
// (the chain's max_tx_bytes), and base64 and the state it was built on add
// less than the same again.
const MaxFileBytes = 1 << 20

// maxFileTxBytes bounds the tx inside a file; the node applies the
// chain's own, smaller limit.
const maxFileTxBytes = 1 << 19

// File is a transaction passed from signer to signer before it is
// broadcast: its body bytes exactly as they are signed and sent (never
// re-encoded), the signatures so far, and the state of the ledger it was
// built on, from which anyone can tell who still has to sign
// (keeper.Requirements).
type File struct {
	Format     string          `json:"format"`
	ChainID    string          `json:"chainId"`
	Body       []byte          `json:"body"`
	Signatures []FileSignature `json:"signatures"`
	// BuiltOn is the target DID at the tx's expected version; absent for
	// a create.
	BuiltOn *FileDID `json:"builtOn,omitempty"`
	// Guardian is the guardian DID a recovery step is taken by, as it was
	// when the tx was built.
	Guardian *FileDID `json:"guardian,omitempty"`
	// Guardians is the target's guardian set when a recovery step was
	// built: who approves, how many, and the delay.
	Guardians *FileGuardians `json:"guardians,omitempty"`
	// Endorsement is, for a create on a chain whose write policy is
	// endorsed, who may endorse it (format v2).
	Endorsement *FileEndorsement `json:"endorsement,omitempty"`
}

// FileEndorsement is what the endorsement of a create reads: the chain's
// active endorsers, each at its current version, as when the file was
// last checked against a node. No endorser means that none is active
// (the create cannot be endorsed yet).
type FileEndorsement struct {
	Endorsers []FileDID `json:"endorsers"`
}

// FileSignature is one signature of a tx file, as in the tx envelope.
type FileSignature struct {
	VerificationMethod string `json:"verificationMethod"`
	Signature          []byte `json:"signature"`
}

// FileDID is what the signing rules read of a DID's document: its
// verification methods, capabilityInvocation keys, threshold and
// pre-rotation commitment, at one version.
type FileDID struct {
	DID                  string       `json:"did"`
	Version              uint64       `json:"version"`
	VerificationMethods  []FileKey    `json:"verificationMethods"`
	CapabilityInvocation []string     `json:"capabilityInvocation"`
	Threshold            uint32       `json:"threshold"`
	NextKeys             *FileNextKey `json:"nextKeys,omitempty"`
}

// FileKey is a verification method.
type FileKey struct {
	ID                 string `json:"id"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
}

// FileNextKey is a pre-rotation commitment: the SHA-256 digests (hex) of
// the next controller keys and their threshold.
type FileNextKey struct {
	Digests   []string `json:"digests"`
	Threshold uint32   `json:"threshold"`
}

// FileGuardians is a guardian set.
type FileGuardians struct {
	Guardians []string `json:"guardians"`
	Threshold uint32   `json:"threshold"`
	// Delay is in seconds.
	Delay int64 `json:"delay"`
}

// NewFile returns the file of body (encoded once, here) with sigs.
func NewFile(body types.TxBody, sigs []types.Signature) (*File, error) {
	b, err := body.Marshal()
	if err != nil {
		return nil, err
	}
	f := &File{Format: FileFormatV1, ChainID: body.ChainId, Body: b, Signatures: []FileSignature{}}
	for _, s := range sigs {
		f.Signatures = append(f.Signatures, FileSignature{VerificationMethod: s.VerificationMethod, Signature: s.Signature})
	}
	return f, nil
}

// DIDState returns the part of doc at version that FileDID keeps.
func DIDState(id types.ID, version uint64, doc *types.Document) (*FileDID, error) {
	d := &FileDID{DID: id.String(), Version: version, VerificationMethods: []FileKey{},
		CapabilityInvocation: append([]string{}, doc.CapabilityInvocation...), Threshold: doc.Threshold}
	for _, vm := range doc.VerificationMethods {
		pk, err := types.ParsePublicKey(vm.PublicKey)
		if err != nil {
			return nil, err
		}
		d.VerificationMethods = append(d.VerificationMethods, FileKey{ID: vm.Id, PublicKeyMultibase: pk.Multibase()})
	}
	if n := doc.NextKeys; n != nil {
		d.NextKeys = &FileNextKey{Digests: []string{}, Threshold: n.Threshold}
		for _, dg := range n.Digests {
			d.NextKeys.Digests = append(d.NextKeys.Digests, hex.EncodeToString(dg))
		}
	}
	return d, nil
}

// Document returns the document FileDID describes: its methods,
// capabilityInvocation keys, threshold and commitment (no other
// relationship, no service).
func (d *FileDID) Document() (types.ID, types.Document, error) {
	id, err := types.ParseID(d.DID)
	if err != nil {
		return types.ID{}, types.Document{}, err
	}
	doc := types.Document{Id: id.String(), Threshold: d.Threshold, CapabilityInvocation: d.CapabilityInvocation}
	for _, k := range d.VerificationMethods {
		if err := types.ValidateFragment(k.ID); err != nil {
			return types.ID{}, types.Document{}, fmt.Errorf("method %q: %s", k.ID, types.Detail(err))
		}
		pk, err := types.ParseMultikey(k.PublicKeyMultibase)
		if err != nil {
			return types.ID{}, types.Document{}, fmt.Errorf("method %q: %s", k.ID, types.Detail(err))
		}
		doc.VerificationMethods = append(doc.VerificationMethods, types.VerificationMethod{Id: k.ID, PublicKey: pk.Multicodec()})
	}
	for _, f := range d.CapabilityInvocation {
		if _, ok := doc.Method(f); !ok {
			return types.ID{}, types.Document{}, fmt.Errorf("capabilityInvocation names %q, which is no method", f)
		}
	}
	if d.NextKeys != nil {
		doc.NextKeys = &types.NextKeys{Threshold: d.NextKeys.Threshold}
		for _, h := range d.NextKeys.Digests {
			b, err := hex.DecodeString(h)
			if err != nil || len(b) != 32 {
				return types.ID{}, types.Document{}, fmt.Errorf("next key digest %q is not 32 bytes of hex", h)
			}
			doc.NextKeys.Digests = append(doc.NextKeys.Digests, b)
		}
	}
	return id, doc, nil
}

// Equal reports whether d and o describe the same DID at the same version
// with the same keys.
func (d *FileDID) Equal(o *FileDID) bool {
	a, _ := json.Marshal(d)
	b, _ := json.Marshal(o)
	return bytes.Equal(a, b)
}

// Sigs returns the file's signatures as the envelope holds them.
func (f *File) Sigs() []types.Signature {
	out := make([]types.Signature, len(f.Signatures))
	for i, s := range f.Signatures {
		out[i] = types.Signature{VerificationMethod: s.VerificationMethod, Signature: s.Signature}
	}
	return out
}

// Tx returns the tx envelope: the body bytes as they are and the
// signatures.
func (f *File) Tx() ([]byte, error) { return types.EncodeTx(f.Body, f.Sigs()) }

// Encode writes f as indented JSON, in the oldest format that holds it:
// FileFormat when it records an endorsement, FileFormatV1 otherwise.
func (f *File) Encode(w io.Writer) error {
	c := *f
	c.Format = FileFormatV1
	if f.Endorsement != nil {
		c.Format = FileFormat
	}
	b, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// DecodeFile reads a tx file strictly: no unknown field, nothing after the
// object, the known format, a body that decodes canonically (the bytes
// signed are the bytes sent, so they are never re-encoded), a chain id and
// target that agree with the body, signatures that name DID URLs, and the
// state a change was built on. It returns the file and its decoded body.
func DecodeFile(r io.Reader) (*File, *types.TxBody, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, nil, fmt.Errorf("larger than %d bytes: not a tx file", MaxFileBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, nil, fmt.Errorf("not a tx file: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, errors.New("not a tx file: data after the JSON object")
	}
	switch {
	case f.Format != FileFormat && f.Format != FileFormatV1:
		return nil, nil, fmt.Errorf("format %q is neither %q nor %q: a newer custos may have written it", f.Format, FileFormat, FileFormatV1)
	case f.Format == FileFormatV1 && f.Endorsement != nil:
		return nil, nil, fmt.Errorf("endorsement: a %q file has none (it came with %q)", FileFormatV1, FileFormat)
	}
	if f.Signatures == nil {
		f.Signatures = []FileSignature{}
	}
	for _, s := range f.Signatures {
		if _, err := types.ParseURL(s.VerificationMethod); err != nil {
			return nil, nil, fmt.Errorf("signature by %q: %s", types.Truncate(s.VerificationMethod), types.Detail(err))
		}
		if len(s.Signature) == 0 || len(s.Signature) > 512 {
			return nil, nil, fmt.Errorf("signature by %s: %d bytes", s.VerificationMethod, len(s.Signature))
		}
	}
	tx, err := f.Tx()
	if err != nil {
		return nil, nil, err
	}
	_, body, err := types.DecodeTx(tx, maxFileTxBytes)
	if err != nil {
		return nil, nil, fmt.Errorf("the body: %s", err)
	}
	if body.ChainId != f.ChainID {
		return nil, nil, fmt.Errorf("chainId %q is not the body's %q", f.ChainID, body.ChainId)
	}
	_, create := body.Operation.(*types.TxBody_Create)
	switch {
	case create && f.BuiltOn != nil:
		return nil, nil, errors.New("builtOn: a create is built on no earlier version")
	case !create && f.BuiltOn == nil:
		return nil, nil, errors.New("builtOn is missing: it says which version of the DID the change was built on")
	case !create && (f.BuiltOn.DID != body.Did || f.BuiltOn.Version != body.ExpectedVersion):
		return nil, nil, fmt.Errorf("builtOn is %s version %d, the body changes %s at version %d", f.BuiltOn.DID, f.BuiltOn.Version, body.Did, body.ExpectedVersion)
	}
	if f.BuiltOn != nil {
		if _, _, err := f.BuiltOn.Document(); err != nil {
			return nil, nil, fmt.Errorf("builtOn: %v", err)
		}
	}
	if g := GuardianOf(body); g != "" {
		if f.Guardian == nil || f.Guardian.DID != g {
			return nil, nil, fmt.Errorf("guardian: the body names guardian %s; the file must hold its keys", g)
		}
	}
	if f.Guardian != nil {
		if GuardianOf(body) == "" {
			return nil, nil, errors.New("guardian: the body names no guardian")
		}
		if _, _, err := f.Guardian.Document(); err != nil {
			return nil, nil, fmt.Errorf("guardian: %v", err)
		}
	}
	if f.Endorsement != nil {
		if err := checkEndorsement(f.Endorsement, body, create); err != nil {
			return nil, nil, fmt.Errorf("endorsement: %v", err)
		}
	}
	return &f, body, nil
}

// checkEndorsement refuses an endorsement on anything but a create, more
// endorsers than a chain lists, an endorser twice, the created DID as its
// own endorser, and an endorser whose keys do not read.
func checkEndorsement(e *FileEndorsement, body *types.TxBody, create bool) error {
	if !create {
		return errors.New("only a create is endorsed")
	}
	if e.Endorsers == nil {
		e.Endorsers = []FileDID{}
	}
	if len(e.Endorsers) > types.MaxEndorsers {
		return fmt.Errorf("%d endorsers, a chain lists at most %d", len(e.Endorsers), types.MaxEndorsers)
	}
	seen := map[string]bool{}
	for i := range e.Endorsers {
		d := &e.Endorsers[i]
		if _, _, err := d.Document(); err != nil {
			return fmt.Errorf("endorser %s: %v", types.Truncate(d.DID), err)
		}
		switch {
		case d.DID == body.Did:
			return fmt.Errorf("%s cannot endorse its own create", d.DID)
		case seen[d.DID]:
			return fmt.Errorf("endorser %s is listed twice", d.DID)
		}
		seen[d.DID] = true
	}
	return nil
}

// GuardianOf returns the guardian DID a recovery step names, or "".
func GuardianOf(body *types.TxBody) string {
	switch op := body.Operation.(type) {
	case *types.TxBody_RecoveryInitiate:
		return op.RecoveryInitiate.Guardian
	case *types.TxBody_RecoveryApprove:
		return op.RecoveryApprove.Guardian
	case *types.TxBody_RecoveryCancel:
		return op.RecoveryCancel.Guardian
	}
	return ""
}
