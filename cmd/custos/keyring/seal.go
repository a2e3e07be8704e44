package keyring

import (
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/scrypt"
)

// Scrypt costs. New files use DefaultScryptLogN (N = 2^16, r = 8, p = 1:
// 64 MiB and a fraction of a second per unlock); files are read with the
// cost they name, between MinScryptLogN and MaxScryptLogN so that a
// tampered file cannot demand unbounded memory.
const (
	DefaultScryptLogN = 16
	MinScryptLogN     = 10
	MaxScryptLogN     = 22
	scryptR           = 8
	scryptP           = 1
	saltSize          = 16
)

const (
	kdfScrypt        = "scrypt"
	cipherChaCha20   = "chacha20-poly1305"
	sealedAssociated = "custos/keyring/v1\x00"
)

// ErrWrongPassphrase reports that a key file does not open with the
// passphrase given (or was altered).
var ErrWrongPassphrase = errors.New("wrong passphrase")

// sealed is an encrypted private key as stored in a key file.
type sealed struct {
	KDF        string `json:"kdf"`
	LogN       int    `json:"logN"`
	R          int    `json:"r"`
	P          int    `json:"p"`
	Salt       []byte `json:"salt"`
	Cipher     string `json:"cipher"`
	Nonce      []byte `json:"nonce"`
	Ciphertext []byte `json:"ciphertext"`
}

// seal encrypts plaintext under passphrase with a fresh salt and nonce;
// associated is authenticated, not encrypted.
func seal(passphrase, plaintext, associated []byte, logN int) (*sealed, error) {
	if logN < MinScryptLogN || logN > MaxScryptLogN {
		return nil, fmt.Errorf("keyring: scrypt cost 2^%d is outside [2^%d, 2^%d]", logN, MinScryptLogN, MaxScryptLogN)
	}
	s := &sealed{KDF: kdfScrypt, LogN: logN, R: scryptR, P: scryptP, Cipher: cipherChaCha20,
		Salt: make([]byte, saltSize), Nonce: make([]byte, chacha20poly1305.NonceSize)}
	if _, err := rand.Read(s.Salt); err != nil {
		return nil, fmt.Errorf("keyring: no randomness: %w", err)
	}
	if _, err := rand.Read(s.Nonce); err != nil {
		return nil, fmt.Errorf("keyring: no randomness: %w", err)
	}
	aead, err := s.aead(passphrase)
	if err != nil {
		return nil, err
	}
	s.Ciphertext = aead.Seal(nil, s.Nonce, plaintext, associatedData(associated))
	return s, nil
}

// open decrypts s; it returns ErrWrongPassphrase when the passphrase, the
// associated data or the ciphertext do not match.
func (s *sealed) open(passphrase, associated []byte) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	aead, err := s.aead(passphrase)
	if err != nil {
		return nil, err
	}
	pt, err := aead.Open(nil, s.Nonce, s.Ciphertext, associatedData(associated))
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	return pt, nil
}

// check bounds the parameters read from a file before any work.
func (s *sealed) check() error {
	switch {
	case s.KDF != kdfScrypt:
		return fmt.Errorf("unknown key derivation %q (want %s)", s.KDF, kdfScrypt)
	case s.LogN < MinScryptLogN || s.LogN > MaxScryptLogN:
		return fmt.Errorf("scrypt cost 2^%d is outside [2^%d, 2^%d]", s.LogN, MinScryptLogN, MaxScryptLogN)
	case s.R != scryptR || s.P != scryptP:
		return fmt.Errorf("scrypt r=%d p=%d, want r=%d p=%d", s.R, s.P, scryptR, scryptP)
	case len(s.Salt) < saltSize || len(s.Salt) > 64:
		return fmt.Errorf("scrypt salt of %d bytes, want %d to 64", len(s.Salt), saltSize)
	case s.Cipher != cipherChaCha20:
		return fmt.Errorf("unknown cipher %q (want %s)", s.Cipher, cipherChaCha20)
	case len(s.Nonce) != chacha20poly1305.NonceSize:
		return fmt.Errorf("nonce of %d bytes, want %d", len(s.Nonce), chacha20poly1305.NonceSize)
	case len(s.Ciphertext) != SeedSize+chacha20poly1305.Overhead:
		return fmt.Errorf("ciphertext of %d bytes, want %d", len(s.Ciphertext), SeedSize+chacha20poly1305.Overhead)
	}
	return nil
}

func (s *sealed) aead(passphrase []byte) (cipher.AEAD, error) {
	key, err := scrypt.Key(passphrase, s.Salt, 1<<s.LogN, s.R, s.P, chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("keyring: scrypt: %w", err)
	}
	return chacha20poly1305.New(key)
}

func associatedData(a []byte) []byte { return append([]byte(sealedAssociated), a...) }
