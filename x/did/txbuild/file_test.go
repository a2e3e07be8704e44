package txbuild_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/internal/didtest"
	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

// sampleFile is a rotation of a one-key DID, built on version 1 and
// signed by its controller.
func sampleFile(t testing.TB) []byte {
	k := didtest.Key("file/ctl")
	doc := txbuild.SimpleDocument("key-1", didtest.Pub(k))
	id, _, err := txbuild.Create("custos-test", doc, "")
	require.NoError(t, err)
	body := txbuild.Rotate("custos-test", id, 1, "key-1", didtest.PubOf("file/new"))
	b, err := body.Marshal()
	require.NoError(t, err)
	sig := types.Signature{VerificationMethod: id.String() + "#key-1", Signature: bytes.Repeat([]byte{1}, 64)}
	f, err := txbuild.NewFile(body, []types.Signature{sig})
	require.NoError(t, err)
	require.Equal(t, b, f.Body)
	f.BuiltOn, err = txbuild.DIDState(id, 1, &doc)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, f.Encode(&out))
	return out.Bytes()
}

func TestDecodeFile(t *testing.T) {
	good := string(sampleFile(t))
	f, body, err := txbuild.DecodeFile(strings.NewReader(good))
	require.NoError(t, err)
	require.Equal(t, "custos-test", f.ChainID)
	require.Equal(t, uint64(1), body.ExpectedVersion)
	tests := []struct{ name, in, want string }{
		{"unknown field", strings.Replace(good, `"format"`, `"x": 1, "format"`, 1), "unknown field"},
		{"trailing data", good + "[]", "data after"},
		{"format", strings.Replace(good, txbuild.FileFormat, "custos-tx/v2", 1), "format"},
		{"chain", strings.Replace(good, `"chainId": "custos-test"`, `"chainId": "other"`, 1), "chainId"},
		{"version", strings.Replace(good, `"version": 1`, `"version": 2`, 1), "builtOn"},
		{"no builtOn", good[:strings.Index(good, `,
  "builtOn"`)] + "\n}", "builtOn is missing"},
		{"signer", strings.Replace(good, "#key-1", "#", 1), "signature by"},
		{"body", strings.Replace(good, `"body": "`, `"body": "AAAA`, 1), "body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := txbuild.DecodeFile(strings.NewReader(tc.in))
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// FuzzDecodeFile: any input decodes to a file whose encoding decodes to
// the same body bytes and signatures, or is refused with an error.
func FuzzDecodeFile(f *testing.F) {
	f.Add(sampleFile(f))
	f.Add([]byte(`{"format":"custos-tx/v1"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, _, err := txbuild.DecodeFile(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		require.NoError(t, file.Encode(&out))
		again, _, err := txbuild.DecodeFile(&out)
		require.NoError(t, err)
		require.Equal(t, file.Body, again.Body)
		require.Equal(t, file.Sigs(), again.Sigs())
	})
}
