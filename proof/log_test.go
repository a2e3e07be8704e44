package proof_test

import (
	"testing"

	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/proof"
	"github.com/custos-ledger/custos/x/did/types"
)

// A log op from an untrusted node is refused with an error, never a
// panic, whatever its key and data.
func TestLogOpRefusesMalformed(t *testing.T) {
	var id types.ID
	id[0] = 7
	vkey := types.VersionKey(id, 1)
	head := types.Head{Version: 1, Events: 1, Log: make([]byte, types.LogDigestLen)}
	hb, err := head.Marshal()
	require.NoError(t, err)
	enc := func(p types.LogProof) []byte {
		b, err := p.Marshal()
		require.NoError(t, err)
		return b
	}
	digest := make([]byte, types.LogDigestLen)
	for _, tc := range []struct {
		name  string
		op    cmtcrypto.ProofOp
		value []byte // nil: run as an absence proof
	}{
		{"not a log key", cmtcrypto.ProofOp{Type: proof.LogOpType, Key: types.HeadKey(id), Data: enc(types.LogProof{Head: hb})}, []byte("v")},
		{"undecodable data", cmtcrypto.ProofOp{Type: proof.LogOpType, Key: vkey, Data: []byte{0xff, 0xff, 0xff}}, []byte("v")},
		{"undecodable head", cmtcrypto.ProofOp{Type: proof.LogOpType, Key: vkey, Data: enc(types.LogProof{Head: []byte{0xff}, Other: digest})}, []byte("v")},
		{"no head", cmtcrypto.ProofOp{Type: proof.LogOpType, Key: vkey, Data: enc(types.LogProof{Other: digest})}, []byte("v")},
		{"short prev", cmtcrypto.ProofOp{Type: proof.LogOpType, Key: vkey, Data: enc(types.LogProof{Head: hb, Prev: []byte{1}, Other: digest})}, []byte("v")},
		{"short later digest", cmtcrypto.ProofOp{Type: proof.LogOpType, Key: vkey, Data: enc(types.LogProof{Head: hb, Other: digest, Later: [][]byte{{1, 2}}})}, []byte("v")},
		{"version without its entry's digest", cmtcrypto.ProofOp{Type: proof.LogOpType, Key: vkey, Data: enc(types.LogProof{Head: hb})}, []byte("v")},
		{"beyond the head", cmtcrypto.ProofOp{Type: proof.LogOpType, Key: types.VersionKey(id, 2), Data: enc(types.LogProof{Head: hb, Other: digest})}, []byte("v")},
		{"wrong chain", cmtcrypto.ProofOp{Type: proof.LogOpType, Key: vkey, Data: enc(types.LogProof{Head: hb, Other: digest})}, []byte("v")},
		{"absent but counted", cmtcrypto.ProofOp{Type: proof.LogOpType, Key: vkey, Data: enc(types.LogProof{Head: hb})}, nil},
		{"absent DID with digests", cmtcrypto.ProofOp{Type: proof.LogOpType, Key: vkey, Data: enc(types.LogProof{Later: [][]byte{digest}})}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op, err := proof.DecodeLog(tc.op)
			if err != nil {
				return // refused at decoding
			}
			var args [][]byte
			if tc.value != nil {
				args = [][]byte{tc.value}
			}
			_, err = op.Run(args)
			require.Error(t, err)
		})
	}
	// The same head proves an absent version beyond it.
	op, err := proof.DecodeLog(cmtcrypto.ProofOp{Type: proof.LogOpType, Key: types.VersionKey(id, 2), Data: enc(types.LogProof{Head: hb})})
	require.NoError(t, err)
	out, err := op.Run(nil)
	require.NoError(t, err)
	require.Equal(t, [][]byte{hb}, out)
}
