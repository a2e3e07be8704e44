package bench

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// key derives a deterministic Ed25519 key.
func key(run string, i int, tag byte) ed25519.PrivateKey {
	var b [9]byte
	binary.BigEndian.PutUint64(b[:8], uint64(i))
	b[8] = tag
	s := sha256.Sum256(append([]byte("custos bench "+run), b[:]...))
	return ed25519.NewKeyFromSeed(s[:])
}

func pub(k ed25519.PrivateKey) types.PublicKey {
	pk, err := types.NewEd25519(k.Public().(ed25519.PublicKey))
	if err != nil {
		panic(err)
	}
	return pk
}

// Creates returns n signed creates of one-key DIDs, and the DIDs.
func Creates(chainID, run string, from, n int) ([][]byte, []types.ID, error) {
	txs := make([][]byte, 0, n)
	ids := make([]types.ID, 0, n)
	for i := from; i < from+n; i++ {
		k := key(run, i, 'c')
		id, body, err := txbuild.Create(chainID, txbuild.SimpleDocument("key-1", pub(k)), "")
		if err != nil {
			return nil, nil, err
		}
		tx, err := txbuild.Sign(body, txbuild.NewSigner(id, "key-1", k))
		if err != nil {
			return nil, nil, err
		}
		txs, ids = append(txs, tx), append(ids, id)
	}
	return txs, ids, nil
}

// Mix returns the measured workload of a Custos run: for every registered
// DID of warm (created at index from+i, version 1) one rotation or one
// update (alternately), and fresh creates, interleaved, n txs in all. Each
// DID gets at most one op, so the txs commute.
func Mix(chainID, run string, warm []types.ID, warmFrom, createFrom, n int) ([][]byte, error) {
	out := make([][]byte, 0, n)
	w := 0
	for c := createFrom; len(out) < n; {
		if len(out)%2 == 1 && w < len(warm) {
			tx, err := changeOf(chainID, run, warm[w], warmFrom+w, w%2 == 0)
			if err != nil {
				return nil, err
			}
			out = append(out, tx)
			w++
			continue
		}
		txs, _, err := Creates(chainID, run, c, 1)
		if err != nil {
			return nil, err
		}
		out = append(out, txs[0])
		c++
	}
	return out, nil
}

// changeOf signs a rotation (or an update adding a service) of a warm DID.
func changeOf(chainID, run string, id types.ID, i int, rotate bool) ([]byte, error) {
	k := key(run, i, 'c')
	if rotate {
		nk := key(run, i, 'r')
		return txbuild.Sign(txbuild.Rotate(chainID, id, 1, "key-1", pub(nk)),
			txbuild.NewSigner(id, "key-1", k), txbuild.NewSigner(id, "key-1", nk))
	}
	doc := txbuild.SimpleDocument("key-1", pub(k))
	doc.Services = []types.Service{{Id: "hub", Type: "LinkedDomains", Endpoint: fmt.Sprintf("https://example.com/%d", i)}}
	return txbuild.Sign(txbuild.Update(chainID, id, 1, doc), txbuild.NewSigner(id, "key-1", k))
}

// KVTxs returns n kvstore txs ("key=value") of the given sizes, cycling.
func KVTxs(run string, n int, sizes []int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		size := 64
		if len(sizes) > 0 {
			size = sizes[i%len(sizes)]
		}
		k := fmt.Sprintf("%s-%d=", run, i)
		v := make([]byte, max(1, size-len(k)))
		for j := range v {
			v[j] = 'a' + byte((i+j)%26)
		}
		out[i] = append([]byte(k), v...)
	}
	return out
}

// Sizes returns the sizes of txs.
func Sizes(txs [][]byte) []int {
	out := make([]int, len(txs))
	for i, tx := range txs {
		out[i] = len(tx)
	}
	return out
}
