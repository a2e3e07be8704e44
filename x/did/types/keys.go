package types

import "encoding/binary"

// State keys. Every consensus state entry lives under one of these keys in
// badger; every entry but versions and history entries is also a leaf of
// the sparse Merkle tree, and those two are committed through their DID's
// head (Head.Log, log.go). The keys are part of the state commitment and
// must never change.
//
//	c                            chain id
//	p                            Params
//	h/<id 16>                    Head, with the DID's key records
//	v/<id 16><version u64 BE>    VersionRecord (not in the tree)
//	e/<id 16><seq u64 BE>        HistoryEntry (not in the tree)
//	g/<id 16>                    GuardianState
//	r/<id 16>                    RecoveryState
//	q/<time><id 16><kind u32 BE><recovery id u64 BE>
//	                             ScheduleEntry: one per timed action; time is
//	                             the int64 Unix second with its sign bit
//	                             flipped, big-endian, so keys sort by time
//	x/<id 16><SHA-256 32>        the version (u64 BE) at which the key
//	                             material with that SHA-256 of its
//	                             multicodec form was first recorded
//	                             compromised for the DID; it never returns
//	n/g                          the governance DID's id (16 bytes; absent:
//	                             the network has no governance)
//	n/s                          ValidatorSetInfo
//	n/v/<Ed25519 key 32>         Validator
const (
	prefixChainID = 'c'
	prefixParams  = 'p'
	prefixHead    = 'h'
	prefixVersion = 'v'
	prefixEvent   = 'e'
	prefixGuard   = 'g'
	prefixRecov   = 'r'
	prefixSched   = 'q'
	prefixBurned  = 'x'
	prefixNetwork = 'n'
)

// ChainIDKey is the key of the chain id, fixed at genesis.
func ChainIDKey() []byte { return []byte{prefixChainID} }

// ParamsKey is the key of the consensus params.
func ParamsKey() []byte { return []byte{prefixParams} }

// HeadKey is the key of a DID's head.
func HeadKey(id ID) []byte { return idKey(prefixHead, id, 0) }

// VersionKey is the key of one version of a DID.
func VersionKey(id ID, version uint64) []byte {
	return binary.BigEndian.AppendUint64(idKey(prefixVersion, id, 8), version)
}

// EventKey is the key of one history entry of a DID.
func EventKey(id ID, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(idKey(prefixEvent, id, 8), seq)
}

func idKey(prefix byte, id ID, extra int) []byte {
	k := make([]byte, 0, 2+IDLen+extra)
	k = append(k, prefix, '/')
	return append(k, id[:]...)
}

// GuardiansKey is the key of a DID's guardian state.
func GuardiansKey(id ID) []byte { return idKey(prefixGuard, id, 0) }

// RecoveriesKey is the key of a DID's pending recoveries.
func RecoveriesKey(id ID) []byte { return idKey(prefixRecov, id, 0) }

// SchedulePrefix is the prefix of every schedule entry key: a scan of it
// yields the timed actions in the order blocks run them (time, DID, kind,
// recovery id).
func SchedulePrefix() []byte { return []byte{prefixSched, '/'} }

// ScheduleEntryKey is the key of one timed action.
func ScheduleEntryKey(e ScheduleEntry) []byte {
	k := make([]byte, 0, 2+8+len(e.Did)+4+8)
	k = append(k, prefixSched, '/')
	k = binary.BigEndian.AppendUint64(k, uint64(e.Time)^(1<<63))
	k = append(k, e.Did...)
	k = binary.BigEndian.AppendUint32(k, uint32(e.Kind))
	return binary.BigEndian.AppendUint64(k, e.RecoveryId)
}

// CompromisedKey is the key of a DID's mark that a key material was
// recorded compromised (KeyDigest of the material).
func CompromisedKey(id ID, pk PublicKey) []byte {
	return append(idKey(prefixBurned, id, 32), KeyDigest(pk)...)
}

// GovernanceKey is the key of the governance DID's id.
func GovernanceKey() []byte { return []byte{prefixNetwork, '/', 'g'} }

// ValidatorSetKey is the key of the validator set's summary.
func ValidatorSetKey() []byte { return []byte{prefixNetwork, '/', 's'} }

// ValidatorPrefix is the prefix of every validator record: a scan yields
// the set in consensus-key order.
func ValidatorPrefix() []byte { return []byte{prefixNetwork, '/', 'v', '/'} }

// ValidatorKey is the key of the validator with consensus key pub.
func ValidatorKey(pub []byte) []byte { return append(ValidatorPrefix(), pub...) }
