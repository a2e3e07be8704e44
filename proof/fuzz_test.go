package proof_test

import (
	"bytes"
	"testing"

	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"

	"github.com/custos-ledger/custos/proof"
	"github.com/custos-ledger/custos/x/did/types"
)

// fuzzSeeds are encodings a node could send: a real tree op and a real log
// op (types' own encodings of small proofs), and garbage.
func fuzzSeeds(f *testing.F) {
	var id types.ID
	id[0] = 9
	root := bytes.Repeat([]byte{1}, 32)
	tree, err := (&types.SMTProof{Root: root, SideNodes: [][]byte{root}, BitMask: []byte{1}, NumSideNodes: 1}).Marshal()
	if err != nil {
		f.Fatal(err)
	}
	head, err := (&types.Head{Version: 1, Events: 1, Log: root}).Marshal()
	if err != nil {
		f.Fatal(err)
	}
	logp, err := (&types.LogProof{Head: head, Other: root, Later: [][]byte{root}}).Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(types.HeadKey(id), tree, []byte("v"))
	f.Add(types.VersionKey(id, 1), logp, []byte("v"))
	f.Add(types.EventKey(id, 1), logp, []byte(nil))
	f.Add([]byte{}, []byte{0xff, 0xff}, []byte{})
}

// FuzzDecode: whatever a node sends as a tree op, decoding and running it
// gives a value or an error, never a panic; a decoded op re-encodes to a
// proof that decodes to the same op.
func FuzzDecode(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, key, data, value []byte) {
		op, err := proof.Decode(cmtcrypto.ProofOp{Type: proof.OpType, Key: key, Data: data})
		if err != nil {
			return
		}
		for _, args := range [][][]byte{nil, {value}} {
			if out, err := op.Run(args); err == nil && (len(out) != 1 || len(out[0]) != 32) {
				t.Fatalf("a tree proof that holds returned %d roots (%x), not one", len(out), out)
			}
		}
		again, err := proof.Decode(op.ProofOp())
		if err != nil {
			t.Fatalf("a decoded op does not decode after re-encoding: %v", err)
		}
		if !bytes.Equal(again.ProofOp().Data, op.ProofOp().Data) {
			t.Fatal("re-encoding a decoded op is not stable")
		}
	})
}

// FuzzDecodeLog: the same for log ops.
func FuzzDecodeLog(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, key, data, value []byte) {
		op, err := proof.DecodeLog(cmtcrypto.ProofOp{Type: proof.LogOpType, Key: key, Data: data})
		if err != nil {
			return
		}
		lp, err := decodeLogProof(data)
		if err != nil {
			t.Fatalf("DecodeLog accepted data that does not decode: %v", err)
		}
		for _, args := range [][][]byte{nil, {value}} {
			out, err := op.Run(args)
			if err != nil {
				continue
			}
			// What holds hands the tree op the head it carries, or, for an
			// absent DID, nothing (the tree op then proves the head absent).
			switch {
			case len(out) == 1 && bytes.Equal(out[0], lp.Head) && len(lp.Head) > 0:
			case len(out) == 0 && args == nil && len(lp.Head) == 0:
			default:
				t.Fatalf("a log proof that holds returned %x (head %x, %d values)", out, lp.Head, len(args))
			}
		}
		again, err := proof.DecodeLog(op.ProofOp())
		if err != nil {
			t.Fatalf("a decoded log op does not decode after re-encoding: %v", err)
		}
		if !bytes.Equal(again.ProofOp().Data, op.ProofOp().Data) {
			t.Fatal("re-encoding a decoded log op is not stable")
		}
	})
}

func decodeLogProof(data []byte) (types.LogProof, error) {
	var p types.LogProof
	return p, p.Unmarshal(data)
}
