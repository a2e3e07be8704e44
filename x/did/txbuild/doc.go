// Package txbuild builds and signs Custos transactions on the client side:
// it derives a new DID from its inception document, encodes the body once,
// and signs exactly those bytes with each signer. It holds private keys only
// for the duration of a call.
package txbuild
