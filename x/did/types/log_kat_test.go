package types_test

import (
	"encoding/hex"
	"testing"

	"github.com/custos-ledger/custos/x/did/types"
)

// TestLogKnownAnswers pins the history hash chain (docs/state.md, "The
// log") to values computed outside Go: Python 3's hashlib.sha256 over the
// byte strings the formulas in docs/state.md spell out,
//
//	R(k, v) = sha256(struct.pack('>I', len(k)) + k + v)
//	D(v, e) = sha256((v or b'\0'*32) + e)
//	L(p, d) = sha256(b'custos/log/v1' + (p or b'\0'*32) + d)
//
// A change to any of them changes every DID's head and every log proof.
func TestLogKnownAnswers(t *testing.T) {
	h := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	r1 := types.RecordDigest([]byte("v/key"), []byte("value"))
	e1 := types.RecordDigest([]byte("e/1"), []byte("entry one"))
	e2 := types.RecordDigest([]byte("e/2"), []byte("entry two"))
	d1 := types.StepDigest(r1, e1)
	d2 := types.StepDigest(nil, e2)
	l1 := types.ChainLog(nil, d1)
	for _, tc := range []struct {
		name      string
		got, want []byte
	}{
		{"R(v/key, value)", r1, h("2630b411e410dad24bc770b31a30c98f9d6b134cb200d8e9428cb9114782f4fe")},
		{"R(empty, empty)", types.RecordDigest(nil, nil), h("df3f619804a92fdb4057192dc43dd748ea778adc52bc498ce80524c014b81119")},
		{"D(version, entry)", d1, h("1b068fa3977ee1bd4b1e198acc12f5c69cb58335912a873a7df56d0cf4ebee49")},
		{"D(no version, entry)", d2, h("2494110bc1e57d120a60a04c9ae5f52ed5a2938e6fc7d4ebb80e1bacb902bc30")},
		{"L(1)", l1, h("284a28c180aacebb3505e8c1ade76b22c2b41b62b8e71e3c6d0ca6e1f943294b")},
		{"L(2)", types.ChainLog(l1, d2), h("388afaf60003410d2116294b6aef5013bf6b5273d265777be5d1f67d4bc88d87")},
		{"L(0) is 32 zero bytes as prev", types.ChainLog(make([]byte, types.LogDigestLen), d1), l1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if hex.EncodeToString(tc.got) != hex.EncodeToString(tc.want) {
				t.Fatalf("got %x, want %x", tc.got, tc.want)
			}
		})
	}
}
