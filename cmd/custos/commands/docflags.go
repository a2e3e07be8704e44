package commands

import (
	"fmt"
	"strings"

	"github.com/custos-ledger/custos/x/did/types"
)

// cutSpec splits NAME[=FRAGMENT].
func cutSpec(spec string) (name, fragment string, named bool) {
	return strings.Cut(spec, "=")
}

// parseService parses ID,TYPE,ENDPOINT; the endpoint may hold commas.
func parseService(s string) (types.Service, error) {
	parts := strings.SplitN(s, ",", 3)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return types.Service{}, fmt.Errorf("invalid --service %q: give ID,TYPE,ENDPOINT, e.g. hub,LinkedDomains,https://example.com", s)
	}
	id := strings.TrimPrefix(parts[0], "#")
	if err := types.ValidateFragment(id); err != nil {
		return types.Service{}, fmt.Errorf("invalid --service %q: the id %s", s, types.Detail(err))
	}
	return types.Service{Id: id, Type: parts[1], Endpoint: parts[2]}, nil
}

// parseRelationships parses a comma-separated list of relationship names:
// the DID Core names in any case, or authentication, assertion, agreement,
// invocation, delegation. An empty list is allowed.
func parseRelationships(s string) ([]types.Relationship, error) {
	var out []types.Relationship
	if s == "" {
		return nil, nil
	}
	for _, name := range strings.Split(s, ",") {
		r, ok := relationshipByName(strings.TrimSpace(name))
		if !ok {
			return nil, fmt.Errorf("unknown relationship %q: use authentication, assertionMethod, keyAgreement, capabilityInvocation or capabilityDelegation", name)
		}
		out = append(out, r)
	}
	return out, nil
}

func relationshipByName(name string) (types.Relationship, bool) {
	n := strings.ToLower(name)
	for _, r := range types.Relationships() {
		if n == strings.ToLower(r.JSONName()) {
			return r, true
		}
	}
	switch n {
	case "auth":
		return types.Authentication, true
	case "assertion":
		return types.AssertionMethod, true
	case "agreement":
		return types.KeyAgreement, true
	case "invocation", "controller":
		return types.CapabilityInvocation, true
	case "delegation":
		return types.CapabilityDelegation, true
	}
	return 0, false
}

// parseKeyID parses --key-id: a fragment, #fragment, or a DID URL of id.
func parseKeyID(id types.ID, s string) (string, error) {
	if strings.HasPrefix(s, "did:") {
		u, err := types.ParseURL(s)
		if err != nil {
			return "", explain(err)
		}
		if u.ID != id {
			return "", fmt.Errorf("--key-id %s names a key of %s, not of %s", s, u.ID, id)
		}
		return u.Fragment, nil
	}
	f := strings.TrimPrefix(s, "#")
	if err := types.ValidateFragment(f); err != nil {
		return "", fmt.Errorf("invalid --key-id %q: %s; give the key's fragment, e.g. --key-id key-1", s, types.Detail(err))
	}
	return f, nil
}

// removeFragment drops f from doc's methods and every relationship.
func removeFragment(doc *types.Document, f string) {
	vms := doc.VerificationMethods[:0]
	for _, vm := range doc.VerificationMethods {
		if vm.Id != f {
			vms = append(vms, vm)
		}
	}
	doc.VerificationMethods = vms
	for _, r := range types.Relationships() {
		doc.SetRefs(r, without(doc.Refs(r), f))
	}
}

func without(refs []string, f string) []string {
	var out []string
	for _, r := range refs {
		if r != f {
			out = append(out, r)
		}
	}
	return out
}

// setRelationships lists f under exactly rels.
func setRelationships(doc *types.Document, f string, rels []types.Relationship) {
	for _, r := range types.Relationships() {
		refs := without(doc.Refs(r), f)
		for _, want := range rels {
			if want == r {
				refs = append(refs, f)
				break
			}
		}
		doc.SetRefs(r, refs)
	}
}
