package types_test

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"encoding/hex"
	"testing"

	"github.com/multiformats/go-multibase"
	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/txbuild"
	"github.com/custos-ledger/custos/x/did/types"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// didKeyVectors are the Ed25519 / X25519 test vectors of the did:key method:
// repository w3c-ccg/did-method-key, file test-vectors/ed25519-x25519.json
// (commit 801b0a91ce5af882c389ca399fa1fd1a75229c09). Each entry gives the
// Ed25519 seed, the did:key (whose method-specific id is the Ed25519
// Multikey), the derived X25519 key agreement key's Multikey id, and the
// keys in publicKeyBase58 / privateKeyBase58. The hex forms of the base58
// keys were decoded once with a plain big-integer base58 routine in Python,
// independently of the Go code; the same script checked that the seed gives
// the Ed25519 key (pyca/cryptography) and that the X25519 private key gives
// the X25519 public key.
var didKeyVectors = []struct {
	seed       string // Ed25519 seed, hex
	edMultikey string // from "did:key:<edMultikey>"
	edPub58    string // verificationKeyPair.publicKeyBase58
	edPub      string // hex of edPub58
	xMultikey  string // keyAgreementKeyPair.id without '#'
	xPub58     string // keyAgreementKeyPair.publicKeyBase58
	xPub       string // hex of xPub58
	xPriv      string // hex of keyAgreementKeyPair.privateKeyBase58
}{
	{
		seed:       "0000000000000000000000000000000000000000000000000000000000000000",
		edMultikey: "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
		edPub58:    "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS",
		edPub:      "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29",
		xMultikey:  "z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW",
		xPub58:     "7By6kV2t2d188odEM4ExAve1UithKT6dLva4dwsDT3ak",
		xPub:       "5bf55c73b82ebe22be80f3430667af570fae2556a6415e6b30d4065300aa947d",
		xPriv:      "5046adc1dba838867b2bbbfdd0c3423e58b57970b5267a90f57960924a87f156",
	},
	{
		seed:       "0000000000000000000000000000000000000000000000000000000000000001",
		edMultikey: "z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG",
		edPub58:    "6ASf5EcmmEHTgDJ4X4ZT5vT6iHVJBXPg5AN5YoTCpGWt",
		edPub:      "4cb5abf6ad79fbf5abbccafcc269d85cd2651ed4b885b5869f241aedf0a5ba29",
		xMultikey:  "z6LSrHyXiPBhUbvPUtyUCdf32sniiMGPTAesgHrtEa4FePtr",
		xPub58:     "FcoNC5NqP9CePWbhfz95iHaEsCjGkZUioK9Ck7Qiw286",
		xPub:       "d92f5eeaa24fd4e66221c770f704a5e2639a476bab82cfec40bd2874abeb481f",
		xPriv:      "f068e2f7ccc3eee220065e1dc937d34d548ec59be6488fea5ae1397e63f81c52",
	},
	{
		seed:       "0000000000000000000000000000000000000000000000000000000000000002",
		edMultikey: "z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf",
		edPub58:    "8pM1DN3RiT8vbom5u1sNryaNT1nyL8CTTW3b5PwWXRBH",
		edPub:      "7422b9887598068e32c4448a949adb290d0f4e35b9e01b0ee5f1a1e600fe2674",
		xMultikey:  "z6LSkkqoZRC34AEpbkhZCqLDcHQVAxuLpQ7kC8XCXMVUfvjE",
		xPub58:     "A5fe37PAxhX5WNKngBpGHhC1KpNE7nwbK9oX2tqwxYxU",
		xPub:       "86eb31bfa661a77d1a8f714ccb2da9d33bcebb7105bf38a2a9112c4f5b7c1525",
		xPriv:      "88aff351a303e9b6781e37bed44c29b73c09313d501811e62ac2b0b0129cbf7d",
	},
	{
		seed:       "0000000000000000000000000000000000000000000000000000000000000003",
		edMultikey: "z6MkvqoYXQfDDJRv8L4wKzxYeuKyVZBfi9Qo6Ro8MiLH3kDQ",
		edPub58:    "HPYVwAQmskwT1qEEeRzhoomyfyupJGASQQtCXSNG8XS2",
		edPub:      "f381626e41e7027ea431bfe3009e94bdd25a746beec468948d6c3c7c5dc9a54b",
		xMultikey:  "z6LSiUo6AEDat8Ze4nQzDo67SGuHLLwsUGkxndHGUjsywHow",
		xPub58:     "7ocvdvQinfqtyQ3Dh9aA7ggoVCQkmfaoueZazHETDv3B",
		xPub:       "65177583b09a0ee49b98b7ebdfe380f2a026383743e197b1d8d2ba87a379ef12",
		xPriv:      "d86ebb0bdad8cc1f32aa67fe61b076898d347d56e0b08752d6d513a876408872",
	},
	{
		seed:       "0000000000000000000000000000000000000000000000000000000000000004",
		edMultikey: "z6MkwW6aqMnjgrhJXFUko3NnZPGzVpkNzhYK7yEhnsibmLwL",
		edPub58:    "J3qYF7YJMKCqQke47UQwiHizgFUXapHxRxKmxbkar89x",
		edPub:      "fd50b8e3b144ea244fbf7737f550bc8dd0c2650bbc1aada833ca17ff8dbf329b",
		xMultikey:  "z6LSrGb3qm4xMCEBjvwkLb2WEcXfTM94Tu1RyGCbT5wbg8i9",
		xPub58:     "FbQtKTG6FjWSeYZyowWYv2KBcCbwmHqH6HUuxdJ4xkwP",
		xPub:       "d8d45f008bed0d37bb55dcbf2b18a8cb097a59a84a1e4debb317ce1a7fd33346",
		xPriv:      "707463f0cde063bbc51b6c5a43c3733199b83e2c152b19e8ee354d0e6852356b",
	},
}

// requireBase58 cross-checks a hex transcription against the vector's
// base58 text.
func requireBase58(t testing.TB, b58 string, want []byte) {
	t.Helper()
	enc, got, err := multibase.Decode("z" + b58)
	require.NoError(t, err)
	require.Equal(t, multibase.Encoding(multibase.Base58BTC), enc)
	require.Equal(t, want, got)
}

func TestKATDidKeyEd25519(t *testing.T) {
	for _, v := range didKeyVectors {
		t.Run(v.edMultikey, func(t *testing.T) {
			raw := unhex(t, v.edPub)
			require.Equal(t, ed25519.PublicKey(raw), ed25519.NewKeyFromSeed(unhex(t, v.seed)).Public())
			requireBase58(t, v.edPub58, raw)

			pk, err := types.ParseMultikey(v.edMultikey)
			require.NoError(t, err)
			require.Equal(t, types.KeyTypeEd25519, pk.Type())
			require.Equal(t, raw, pk.Raw())
			require.Equal(t, v.edMultikey, pk.Multibase())
			require.Equal(t, append([]byte{0xed, 0x01}, raw...), pk.Multicodec())

			fromRaw, err := types.NewEd25519(raw)
			require.NoError(t, err)
			require.Equal(t, pk, fromRaw)
			require.Equal(t, v.edMultikey, fromRaw.Multibase())

			// The key verifies what its seed signs.
			msg := []byte("did:key vector")
			require.True(t, pk.Verify(msg, ed25519.Sign(ed25519.NewKeyFromSeed(unhex(t, v.seed)), msg)))
		})
	}
}

func TestKATDidKeyX25519(t *testing.T) {
	for _, v := range didKeyVectors {
		t.Run(v.xMultikey, func(t *testing.T) {
			raw := unhex(t, v.xPub)
			requireBase58(t, v.xPub58, raw)
			priv, err := ecdh.X25519().NewPrivateKey(unhex(t, v.xPriv))
			require.NoError(t, err)
			require.Equal(t, raw, priv.PublicKey().Bytes())

			pk, err := types.ParseMultikey(v.xMultikey)
			require.NoError(t, err)
			require.Equal(t, types.KeyTypeX25519, pk.Type())
			require.Equal(t, raw, pk.Raw())
			require.Equal(t, v.xMultikey, pk.Multibase())
			require.Equal(t, append([]byte{0xec, 0x01}, raw...), pk.Multicodec())
			require.False(t, pk.Type().CanSign())
		})
	}
}

// X25519-only did:key vectors: repository w3c-ccg/did-method-key, file
// test-vectors/x25519.json (commit 801b0a91ce5af882c389ca399fa1fd1a75229c09);
// hex decoded from publicKeyBase58 as above.
func TestKATDidKeyX25519Only(t *testing.T) {
	tests := []struct{ multikey, pub58, pub string }{
		{"z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F", "4Dy8E9UaZscuPUf2GLxV44RCNL7oxmEXXkgWXaug1WKV", "2fe57da347cd62431528daac5fbb290730fff684afc4cfc2ed90995f58cb3b74"},
		{"z6LStiZsmxiK4odS4Sb6JmdRFuJ6e1SYP157gtiCyJKfrYha", "J3PiFeuSyLugy4DKn87TwK5cnruRgPtxouzXUqg99Avp", "fd3384e132ad02a56c78f45547ee40038dc79002b90d29ed90e08eee762ae715"},
		{"z6LSoMdmJz2Djah2P4L9taDmtqeJ6wwd2HhKZvNToBmvaczQ", "CgTbngDMe7yHHfxPMvhpaFRpFoQWKgXAgwenJj8PsFDe", "ad8c48c26765aea7adc536289605c1abea95050093dbd218c96abd2481a03565"},
	}
	for _, tc := range tests {
		t.Run(tc.multikey, func(t *testing.T) {
			pk, err := types.ParseMultikey(tc.multikey)
			require.NoError(t, err)
			require.Equal(t, types.KeyTypeX25519, pk.Type())
			requireBase58(t, tc.pub58, unhex(t, tc.pub))
			require.Equal(t, unhex(t, tc.pub), pk.Raw())
			require.Equal(t, tc.multikey, pk.Multibase())
		})
	}
}

// RFC 8032 section 7.1, TEST 1: the secret key, its public key and the
// signature of the empty message. The Multikey form
// z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw was computed once in
// Python ("z" + base58btc(0xed 0x01 || public key), plain big-integer base58).
const (
	rfc8032Secret   = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
	rfc8032Public   = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
	rfc8032Sig      = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
	rfc8032Multikey = "z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw"
)

func TestKATRFC8032(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(unhex(t, rfc8032Secret))
	require.Equal(t, ed25519.PublicKey(unhex(t, rfc8032Public)), priv.Public())

	pk, err := types.NewEd25519(unhex(t, rfc8032Public))
	require.NoError(t, err)
	require.Equal(t, rfc8032Multikey, pk.Multibase())
	parsed, err := types.ParseMultikey(rfc8032Multikey)
	require.NoError(t, err)
	require.Equal(t, pk, parsed)

	require.Equal(t, unhex(t, rfc8032Sig), ed25519.Sign(priv, nil))
	require.True(t, pk.Verify(nil, unhex(t, rfc8032Sig)))
	require.True(t, pk.Verify([]byte{}, unhex(t, rfc8032Sig)))
	require.False(t, pk.Verify([]byte{0}, unhex(t, rfc8032Sig)))
}

// The Custos vectors below were computed once, independently of the Go code,
// by a Python 3 script: pyca/cryptography for Ed25519 (public key from the
// RFC 8032 TEST 1 secret, and the signature), hashlib.sha256 for the DID, a
// plain big-integer base58btc encoder, and protobuf bytes written field by
// field by hand (tag = field<<3 | wire type, lengths as varints), following
// proto/custos/did/v1/*.proto.
const (
	// katChainID is the chain the vectors are derived on.
	katChainID = "custos-test"

	// katInception is the canonical encoding of
	// Document{verification_methods: [{id: "key-1", public_key: 0xed01 || RFC 8032 TEST 1 public key}],
	// authentication: ["key-1"], assertion_method: ["key-1"],
	// capability_invocation: ["key-1"], threshold: 1}, id empty.
	katInception = "122b0a056b65792d311222ed01d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a" +
		"1a056b65792d3122056b65792d3132056b65792d314801"

	// katDID is "did:custos:" + base58btc(SHA-256("custos/did/v1" || "custos-test" || 0x00 || katInception)[:16]).
	katDID = "did:custos:Fbttymt253Hki8in6aSZVW"

	// katBody is TxBody{chain_id: "custos-test", did: katDID, expected_version: 1, deactivate: {}}.
	katBody = "0a0b637573746f732d7465737412216469643a637573746f733a46627474796d74323533486b6938696e3661535a565718014200"

	// katSignBytes is "custos/tx/v1" || 0x00 || katBody.
	katSignBytes = "637573746f732f74782f763100" + katBody

	// katSignature is the Ed25519 signature of katSignBytes by the RFC 8032 TEST 1 key.
	katSignature = "662614275dc1c19a72d139947c544df1e32e6e90de8ba80d52ab19fe8948db6e" +
		"6c4bded627053a6b39f4716c23854927fb07fe368cb3b6db45b174b3099f9800"

	// katTx is Tx{body: katBody, signatures: [{verification_method: katDID + "#key-1", signature: katSignature}]}.
	katTx = "0a34" + katBody +
		"126b0a276469643a637573746f733a46627474796d74323533486b6938696e3661535a5657236b65792d311240" + katSignature
)

func katKey(t testing.TB) (ed25519.PrivateKey, types.PublicKey) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(unhex(t, rfc8032Secret))
	pk, err := types.NewEd25519(priv.Public().(ed25519.PublicKey))
	require.NoError(t, err)
	return priv, pk
}

func TestKATDerivation(t *testing.T) {
	_, pk := katKey(t)
	doc := txbuild.SimpleDocument("key-1", pk)

	inc, err := types.Inception(doc)
	require.NoError(t, err)
	require.Equal(t, katInception, hex.EncodeToString(inc))

	id := types.DeriveID(katChainID, inc)
	require.Equal(t, katDID, id.String())
	parsed, err := types.ParseID(katDID)
	require.NoError(t, err)
	require.Equal(t, id, parsed)

	viaBuilder, err := txbuild.DID(katChainID, doc)
	require.NoError(t, err)
	require.Equal(t, id, viaBuilder)

	// The id of a document never changes its inception.
	doc.Id = katDID
	inc2, err := types.Inception(doc)
	require.NoError(t, err)
	require.Equal(t, inc, inc2)
}

func TestKATSignBytes(t *testing.T) {
	priv, pk := katKey(t)
	id, err := types.ParseID(katDID)
	require.NoError(t, err)

	msg := txbuild.Deactivate(katChainID, id, 1)
	body, err := msg.Marshal()
	require.NoError(t, err)
	require.Equal(t, katBody, hex.EncodeToString(body))

	sb := types.SignBytes(body)
	require.Equal(t, katSignBytes, hex.EncodeToString(sb))

	sig := ed25519.Sign(priv, sb)
	require.Equal(t, katSignature, hex.EncodeToString(sig))
	require.True(t, pk.Verify(sb, sig))
	require.False(t, pk.Verify(body, sig), "a signature of the bare body must not verify")

	tx, err := txbuild.SignBytes(body, txbuild.NewSigner(id, "key-1", priv))
	require.NoError(t, err)
	require.Equal(t, katTx, hex.EncodeToString(tx))

	decoded, decodedBody, err := types.DecodeTx(unhex(t, katTx), types.DefaultParams().MaxTxBytes)
	require.NoError(t, err)
	require.Equal(t, body, decoded.Body)
	require.Equal(t, katDID, decodedBody.Did)
	require.Equal(t, katDID+"#key-1", decoded.Signatures[0].VerificationMethod)
}
