package didjson

import (
	"strconv"
	"time"

	"github.com/custos-ledger/custos/x/did/types"
)

// Contexts are the JSON-LD contexts of every document, in order.
var contexts = [...]string{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"}

// Contexts returns the @context of a Custos DID document.
func Contexts() []string { return append([]string(nil), contexts[:]...) }

// TimeFormat is the layout of every time Custos renders.
const TimeFormat = "2006-01-02T15:04:05Z"

// FormatTime renders Unix seconds as whole-second UTC.
func FormatTime(unix int64) string { return time.Unix(unix, 0).UTC().Format(TimeFormat) }

// Document is a DID document as JSON-LD. A nil Context renders no
// @context: the plain JSON representation (application/did+json).
type Document struct {
	Context              []string             `json:"@context,omitempty"`
	ID                   string               `json:"id"`
	VerificationMethod   []VerificationMethod `json:"verificationMethod,omitempty"`
	Authentication       []string             `json:"authentication,omitempty"`
	AssertionMethod      []string             `json:"assertionMethod,omitempty"`
	KeyAgreement         []string             `json:"keyAgreement,omitempty"`
	CapabilityInvocation []string             `json:"capabilityInvocation,omitempty"`
	CapabilityDelegation []string             `json:"capabilityDelegation,omitempty"`
	Service              []Service            `json:"service,omitempty"`
}

// VerificationMethod is a Multikey verification method.
type VerificationMethod struct {
	ID                 string `json:"id"`
	Type               string `json:"type"`
	Controller         string `json:"controller"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
}

// Service is a service endpoint.
type Service struct {
	ID              string `json:"id"`
	Type            string `json:"type"`
	ServiceEndpoint string `json:"serviceEndpoint"`
}

// Metadata is the DID document metadata of a resolution.
type Metadata struct {
	Created       string `json:"created,omitempty"`
	Updated       string `json:"updated,omitempty"`
	VersionID     string `json:"versionId,omitempty"`
	NextVersionID string `json:"nextVersionId,omitempty"`
	Deactivated   bool   `json:"deactivated,omitempty"`
}

// RenderDocument renders a stored document. A deactivated version renders
// with its id only.
func RenderDocument(d *types.Document) (Document, error) {
	id, err := types.ParseID(d.Id)
	if err != nil {
		return Document{}, err
	}
	did := id.String()
	ref := func(f string) string { return did + "#" + f }
	refs := func(fs []string) []string {
		if len(fs) == 0 {
			return nil
		}
		out := make([]string, len(fs))
		for i, f := range fs {
			out[i] = ref(f)
		}
		return out
	}
	out := Document{
		Context:              Contexts(),
		ID:                   did,
		Authentication:       refs(d.Authentication),
		AssertionMethod:      refs(d.AssertionMethod),
		KeyAgreement:         refs(d.KeyAgreement),
		CapabilityInvocation: refs(d.CapabilityInvocation),
		CapabilityDelegation: refs(d.CapabilityDelegation),
	}
	for _, vm := range d.VerificationMethods {
		pk, err := types.ParsePublicKey(vm.PublicKey)
		if err != nil {
			return Document{}, err
		}
		out.VerificationMethod = append(out.VerificationMethod, VerificationMethod{
			ID: ref(vm.Id), Type: "Multikey", Controller: did, PublicKeyMultibase: pk.Multibase(),
		})
	}
	for _, s := range d.Services {
		out.Service = append(out.Service, Service{ID: ref(s.Id), Type: s.Type, ServiceEndpoint: s.Endpoint})
	}
	return out, nil
}

// RenderMetadata renders the metadata of version rec of a DID whose head is
// head. updated is the time of the operation that made rec, absent for
// version 1, which no update made (DID Core §7.1.3); nextVersionId is set
// when rec is not the latest version.
func RenderMetadata(head *types.Head, rec *types.VersionRecord) Metadata {
	m := Metadata{
		Created:     FormatTime(head.Created),
		VersionID:   strconv.FormatUint(rec.Version, 10),
		Deactivated: rec.Deactivated,
	}
	if rec.Version > 1 {
		m.Updated = FormatTime(rec.Time)
	}
	if rec.Version < head.Version {
		m.NextVersionID = strconv.FormatUint(rec.Version+1, 10)
	}
	return m
}
