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
		{"format", strings.Replace(good, txbuild.FileFormatV1, "custos-tx/v3", 1), "format"},
		{"endorsement of a change", strings.Replace(strings.Replace(good, txbuild.FileFormatV1, txbuild.FileFormat, 1), `"signatures"`, `"endorsement": {"endorsers": []}, "signatures"`, 1), "only a create"},
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

// endorsedCreate is a create of a one-key DID on an endorsed chain, its
// file recording the one endorser, signed by the DID's key.
func endorsedCreate(t testing.TB) (good string, did, endorser types.ID) {
	k := didtest.Key("file/creator")
	doc := txbuild.SimpleDocument("key-1", didtest.Pub(k))
	did, body, err := txbuild.Create("custos-test", doc, "")
	require.NoError(t, err)
	edoc := txbuild.SimpleDocument("key-1", didtest.PubOf("file/endorser"))
	endorser, _, err = txbuild.Create("custos-test", edoc, "")
	require.NoError(t, err)
	f, err := txbuild.NewFile(body, []types.Signature{{VerificationMethod: did.String() + "#key-1", Signature: bytes.Repeat([]byte{1}, 64)}})
	require.NoError(t, err)
	e, err := txbuild.DIDState(endorser, 3, &edoc)
	require.NoError(t, err)
	f.Endorsement = &txbuild.FileEndorsement{Endorsers: []txbuild.FileDID{*e}}
	var out bytes.Buffer
	require.NoError(t, f.Encode(&out))
	return out.String(), did, endorser
}

// A file that records an endorsement is format v2, one that does not is
// v1 (as custos wrote before v2), and both read; the endorsement is
// checked as strictly as the rest.
func TestDecodeFileEndorsement(t *testing.T) {
	good, did, endorser := endorsedCreate(t)
	require.Contains(t, good, `"format": "`+txbuild.FileFormat+`"`)
	f, _, err := txbuild.DecodeFile(strings.NewReader(good))
	require.NoError(t, err)
	require.Len(t, f.Endorsement.Endorsers, 1)
	require.Equal(t, endorser.String(), f.Endorsement.Endorsers[0].DID)
	require.Equal(t, uint64(3), f.Endorsement.Endorsers[0].Version)

	f.Endorsement = nil
	var v1 bytes.Buffer
	require.NoError(t, f.Encode(&v1))
	require.Contains(t, v1.String(), `"format": "`+txbuild.FileFormatV1+`"`, "a file without an endorsement stays readable by earlier releases")
	_, _, err = txbuild.DecodeFile(&v1)
	require.NoError(t, err)
	_, _, err = txbuild.DecodeFile(bytes.NewReader(sampleFile(t)))
	require.NoError(t, err, "a v1 file reads")

	entry := good[strings.Index(good, `{
        "did": "`+endorser.String()):strings.LastIndex(good, `]
  }`)]
	entry = strings.TrimRight(entry, " \n")
	tests := []struct{ name, in, want string }{
		{"v1 with an endorsement", strings.Replace(good, txbuild.FileFormat, txbuild.FileFormatV1, 1), "endorsement"},
		{"its own endorser", strings.ReplaceAll(good, `"did": "`+endorser.String(), `"did": "`+did.String()), "its own create"},
		{"endorser twice", strings.Replace(good, entry, entry+",\n"+entry, 1), "listed twice"},
		{"bad endorser key", strings.Replace(good, `"publicKeyMultibase": "z`, `"publicKeyMultibase": "x`, 1), "endorser"},
		{"no such method", strings.Replace(good, `"capabilityInvocation": [
          "key-1"`, `"capabilityInvocation": [
          "key-9"`, 1), "no method"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.NotEqual(t, good, tc.in, "the case edits the file")
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
	endorsed, _, _ := endorsedCreate(f)
	f.Add([]byte(endorsed))
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
