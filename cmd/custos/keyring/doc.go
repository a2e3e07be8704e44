// Package keyring keeps the custos command line's private keys: Ed25519,
// P-256 and secp256k1 signing keys and X25519 key-agreement keys, one file
// per key under the home, and references to keys held in PKCS#11 tokens.
//
// Two backends:
//
//   - file (the default): <home>/keyring/<name>.key holds the public key in
//     the clear and the private key sealed with ChaCha20-Poly1305 under a key
//     derived from a passphrase with scrypt. The public key and key type are
//     the AEAD's associated data, so neither can be swapped without the
//     passphrase noticing.
//   - test: <home>/keyring-test/<name>.key holds the private key in the
//     clear, for local networks and tests only.
//
// A key file of either backend may instead hold a PKCS#11 reference (module
// path, token label, key label and id) and the public key: the private key
// was generated in the token as sensitive and not extractable (or an
// existing one was chosen by label), and every signature is made by the
// token (Keyring.Signer). Such a file holds nothing secret; the token's PIN
// comes from Options.PIN. PKCS#11 needs cgo; without it such keys cannot be
// added or used (PKCS11Available).
//
// Invariants: key files are created with mode 0600 in a 0700 folder and are
// never overwritten; a file readable by other users is refused; key names
// are 1 to 64 characters from A-Z a-z 0-9 . _ - starting with a letter or
// digit, so a name is always one plain file name; one key material is
// stored at most once. A private key leaves this package only as a Secret,
// whose String and GoString never show the key; nothing here logs.
package keyring
