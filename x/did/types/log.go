package types

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"strings"
)

// A DID's versions (v/) and history entries (e/) are immutable and kept
// out of the state tree: its head commits to them through Head.Log, a hash
// chain with one step per history entry (docs/state.md, "The log").
//
//	record digest  R(key, value) = SHA-256(len(key) u32 BE ‖ key ‖ value)
//	step digest    D(n) = SHA-256(R(version made by entry n), or 32 zero bytes ‖ R(entry n))
//	chain          L(n) = SHA-256("custos/log/v1" ‖ L(n−1) ‖ D(n)), L(0) = 32 zero bytes
//
// An entry made a version when its version is above the previous entry's
// (the first entry's is 1): each version is made by exactly one entry,
// which logs it right after writing it.
const logTag = "custos/log/v1"

// LogDigestLen is the length of every digest of the log.
const LogDigestLen = sha256.Size

// RecordDigest is R(key, value).
func RecordDigest(key, value []byte) []byte {
	h := sha256.New()
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(key))))
	h.Write(key)
	h.Write(value)
	return h.Sum(nil)
}

// StepDigest is D(n) from the digests of the version entry n made (nil:
// none) and of the entry.
func StepDigest(version, entry []byte) []byte {
	h := sha256.New()
	if version == nil {
		h.Write(make([]byte, LogDigestLen))
	} else {
		h.Write(version)
	}
	h.Write(entry)
	return h.Sum(nil)
}

// ChainLog is L(n) from L(n−1) (nil or empty: L(0)) and D(n).
func ChainLog(prev, step []byte) []byte {
	h := sha256.New()
	h.Write([]byte(logTag))
	if len(prev) == 0 {
		h.Write(make([]byte, LogDigestLen))
	} else {
		h.Write(prev)
	}
	h.Write(step)
	return h.Sum(nil)
}

// ParseLogKey parses the key of a version (v/) or history entry (e/):
// isVersion tells which, n is the version or sequence number.
func ParseLogKey(key []byte) (isVersion bool, id ID, n uint64, ok bool) {
	if len(key) != 2+IDLen+8 || key[1] != '/' || (key[0] != prefixVersion && key[0] != prefixEvent) {
		return false, ID{}, 0, false
	}
	copy(id[:], key[2:2+IDLen])
	return key[0] == prefixVersion, id, binary.BigEndian.Uint64(key[2+IDLen:]), true
}

// IsLogKey reports whether key is a version or history entry key, the
// entries kept out of the state tree.
func IsLogKey(key []byte) bool {
	_, _, _, ok := ParseLogKey(key)
	return ok
}

// findKeys returns where fragment's key record is in h.Keys (or would be),
// and whether it is there.
func (h *Head) findKeys(fragment string) (int, bool) {
	return slices.BinarySearchFunc(h.Keys, fragment, func(e FragmentKeys, f string) int { return strings.Compare(e.Fragment, f) })
}

// KeyRecord returns the key record of fragment, or nil.
func (h *Head) KeyRecord(fragment string) *KeyRecord {
	i, ok := h.findKeys(fragment)
	if !ok {
		return nil
	}
	return &h.Keys[i].Record
}

// SetKeyRecord sets the key record of fragment, keeping Keys in fragment
// order.
func (h *Head) SetKeyRecord(fragment string, rec KeyRecord) {
	i, ok := h.findKeys(fragment)
	if ok {
		h.Keys[i].Record = rec
		return
	}
	h.Keys = slices.Insert(h.Keys, i, FragmentKeys{Fragment: fragment, Record: rec})
}

// DeleteKeyRecord removes fragment's key record, if any.
func (h *Head) DeleteKeyRecord(fragment string) {
	if i, ok := h.findKeys(fragment); ok {
		h.Keys = slices.Delete(h.Keys, i, i+1)
	}
}

// HasLogRecord reports whether the DID of this head has version n
// (isVersion) or history entry n: versions and entries are numbered from 1
// without gaps.
func (h *Head) HasLogRecord(isVersion bool, n uint64) bool {
	if isVersion {
		return n >= 1 && n <= h.Version
	}
	return n >= 1 && n <= h.Events
}
