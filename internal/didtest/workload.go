package didtest

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// A workload is a numbered series of one-key DIDs: DID i of run has the
// key WorkloadKey(run, i, 'c') under fragment "key-1", and 'r' names the
// key a rotation moves it to. The bench offers workloads to a network and
// the app's benchmarks execute them; a run name keeps the DIDs of two runs
// on one chain apart.

// WorkloadKey returns the Ed25519 key of DID i of run with tag ('c' its
// first key, 'r' its rotated key): its seed is SHA-256("custos bench " +
// run ‖ i as 8 bytes big-endian ‖ tag).
func WorkloadKey(run string, i int, tag byte) ed25519.PrivateKey {
	var b [9]byte
	binary.BigEndian.PutUint64(b[:8], uint64(i))
	b[8] = tag
	s := sha256.Sum256(append([]byte("custos bench "+run), b[:]...))
	return ed25519.NewKeyFromSeed(s[:])
}

// Creates returns the signed creates of DIDs from to from+n-1 of run, and
// their DIDs.
func Creates(chainID, run string, from, n int) ([][]byte, []types.ID) {
	txs := make([][]byte, 0, n)
	ids := make([]types.ID, 0, n)
	for i := from; i < from+n; i++ {
		id, tx := OneKey(chainID, WorkloadKey(run, i, 'c'), "")
		txs, ids = append(txs, tx), append(ids, id)
	}
	return txs, ids
}

// Mix returns a measured workload: for every registered DID of warm
// (created at index warmFrom+i, version 1) one rotation or one update
// (alternately), and fresh creates from index createFrom, interleaved, n
// txs in all. Each DID gets at most one op, so the txs commute.
func Mix(chainID, run string, warm []types.ID, warmFrom, createFrom, n int) [][]byte {
	out := make([][]byte, 0, n)
	w := 0
	for c := createFrom; len(out) < n; {
		if len(out)%2 == 1 && w < len(warm) {
			i := warmFrom + w
			if w%2 == 0 {
				out = append(out, Rotation(chainID, run, warm[w], i))
			} else {
				out = append(out, serviceUpdate(chainID, run, warm[w], i))
			}
			w++
			continue
		}
		txs, _ := Creates(chainID, run, c, 1)
		out = append(out, txs[0])
		c++
	}
	return out
}

// Rotation returns the rotation of DID id (index i of run, at version 1)
// from its first key to its 'r' key, signed by both.
func Rotation(chainID, run string, id types.ID, i int) []byte {
	k, nk := WorkloadKey(run, i, 'c'), WorkloadKey(run, i, 'r')
	return Sign(txbuild.Rotate(chainID, id, 1, "key-1", Pub(nk)),
		txbuild.NewSigner(id, "key-1", k), txbuild.NewSigner(id, "key-1", nk))
}

// serviceUpdate returns the update of DID id (index i of run, at version
// 1) that adds a service.
func serviceUpdate(chainID, run string, id types.ID, i int) []byte {
	k := WorkloadKey(run, i, 'c')
	doc := txbuild.SimpleDocument("key-1", Pub(k))
	doc.Services = []types.Service{{Id: "hub", Type: "LinkedDomains", Endpoint: fmt.Sprintf("https://example.com/%d", i)}}
	return Sign(txbuild.Update(chainID, id, 1, doc), txbuild.NewSigner(id, "key-1", k))
}
