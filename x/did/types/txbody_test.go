package types_test

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/types"
)

// TestTxBodyFieldOrder checks that every operation tx.proto declares is
// encoded, beside a memo, with the body's fields in field-number order,
// and that the encoding decodes to the same body and encodes back to the
// same bytes (the canonical-encoding rule).
func TestTxBodyFieldOrder(t *testing.T) {
	for _, w := range (*types.TxBody)(nil).XXX_OneofWrappers() {
		wt := reflect.TypeOf(w).Elem()
		t.Run(wt.Name(), func(t *testing.T) {
			op := reflect.New(wt)
			op.Elem().Field(0).Set(reflect.New(wt.Field(0).Type.Elem()))
			body := types.TxBody{ChainId: "c", Did: "did:custos:x", ExpectedVersion: 7, Memo: "m"}
			reflect.ValueOf(&body).Elem().FieldByName("Operation").Set(op)
			b, err := body.Marshal()
			require.NoError(t, err)
			require.Equal(t, len(b), body.Size())
			require.Equal(t, sortedInts([]int{1, 2, 3, opField(t, wt), 15}), sortedInts(fields(t, b)), "every field once")
			require.IsIncreasing(t, fields(t, b), "field-number order")
			var back types.TxBody
			require.NoError(t, back.Unmarshal(b))
			re, err := back.Marshal()
			require.NoError(t, err)
			require.Equal(t, b, re)
		})
	}
}

func opField(t *testing.T, wt reflect.Type) int {
	var n int
	_, err := fmt.Sscanf(wt.Field(0).Tag.Get("protobuf"), "bytes,%d,", &n)
	require.NoError(t, err)
	return n
}

// fields returns the field numbers of a message's top-level fields, in
// the order they are written (varint and length-delimited fields only).
func fields(t *testing.T, b []byte) []int {
	var out []int
	for len(b) > 0 {
		tag, n := binary.Uvarint(b)
		require.Positive(t, n)
		b = b[n:]
		out = append(out, int(tag>>3))
		v, n := binary.Uvarint(b)
		require.Positive(t, n)
		b = b[n:]
		if tag&7 == 2 {
			b = b[v:]
		}
	}
	return out
}

func sortedInts(in []int) []int {
	out := append([]int(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
