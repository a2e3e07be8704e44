package keeper

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/types"
)

// A tx over the signature limit is refused for its count by every caller
// before its key URLs are read, so its parsing does not parse them; one at
// the limit has every URL parsed.
func TestParseSkipsURLsOverTheSignatureLimit(t *testing.T) {
	params := types.DefaultParams()
	build := func(n int) []byte {
		tx := types.Tx{Body: []byte{}}
		for range n {
			tx.Signatures = append(tx.Signatures, types.Signature{VerificationMethod: "not a DID URL", Signature: make([]byte, 64)})
		}
		raw, err := tx.Marshal()
		require.NoError(t, err)
		return raw
	}
	at, err := ParseTx(build(int(params.MaxSignatures)), params)
	require.NoError(t, err)
	require.Len(t, at.urlErrs, int(params.MaxSignatures))
	for _, e := range at.urlErrs {
		require.Error(t, e)
	}
	over, err := ParseTx(build(int(params.MaxSignatures)+1), params)
	require.NoError(t, err)
	require.Nil(t, over.urls)
	require.Nil(t, over.urlErrs)
}
