package types

import "slices"

// Clone returns a deep copy of d: changing the copy never changes d. A
// test fills every field by reflection, so a field added to Document (or
// to the messages it holds) that Clone does not copy fails it.
func (d *Document) Clone() Document {
	c := Document{
		Id:                   d.Id,
		VerificationMethods:  make([]VerificationMethod, len(d.VerificationMethods)),
		Authentication:       slices.Clone(d.Authentication),
		AssertionMethod:      slices.Clone(d.AssertionMethod),
		KeyAgreement:         slices.Clone(d.KeyAgreement),
		CapabilityInvocation: slices.Clone(d.CapabilityInvocation),
		CapabilityDelegation: slices.Clone(d.CapabilityDelegation),
		Services:             slices.Clone(d.Services),
		Threshold:            d.Threshold,
		NextKeys:             d.NextKeys.Clone(),
	}
	for i, vm := range d.VerificationMethods {
		c.VerificationMethods[i] = VerificationMethod{Id: vm.Id, PublicKey: slices.Clone(vm.PublicKey)}
	}
	return c
}

// Clone returns a deep copy of n; nil stays nil.
func (n *NextKeys) Clone() *NextKeys {
	if n == nil {
		return nil
	}
	c := &NextKeys{Threshold: n.Threshold, Digests: make([][]byte, len(n.Digests))}
	for i, d := range n.Digests {
		c.Digests[i] = slices.Clone(d)
	}
	return c
}
