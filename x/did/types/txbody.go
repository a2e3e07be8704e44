package types

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// TxBody's encoder is written here rather than generated (tx.proto turns
// gogoproto's marshaler off for it): gogoproto writes a oneof where its
// highest field number falls, so once operations are numbered above memo
// (15) it would write every operation after the memo. The canonical
// encoding is every field in field-number order, as protobuf encoders
// write them: chain_id, did, expected_version, then the operation and the
// memo in the order of their numbers.

// memoField is TxBody.memo's field number.
const memoField = 15

// Marshal returns the canonical encoding of the body.
func (m *TxBody) Marshal() ([]byte, error) {
	var b []byte
	if m.ChainId != "" {
		b = appendBytesField(b, 1, []byte(m.ChainId))
	}
	if m.Did != "" {
		b = appendBytesField(b, 2, []byte(m.Did))
	}
	if m.ExpectedVersion != 0 {
		b = binary.AppendUvarint(append(b, 3<<3), m.ExpectedVersion)
	}
	field, op, err := m.operationBytes()
	if err != nil {
		return nil, err
	}
	var memo []byte
	if m.Memo != "" {
		memo = appendBytesField(nil, memoField, []byte(m.Memo))
	}
	if op != nil && field > memoField {
		return append(append(b, memo...), appendBytesField(nil, field, op)...), nil
	}
	if op != nil {
		b = appendBytesField(b, field, op)
	}
	return append(b, memo...), nil
}

// Size returns the length of the canonical encoding.
func (m *TxBody) Size() int {
	b, err := m.Marshal()
	if err != nil {
		return 0
	}
	return len(b)
}

// operationBytes returns the operation's field number and encoding (nil:
// no operation, or a wrapper holding a nil operation, which encodes as
// nothing). The field number is read from the oneof wrapper's struct tag,
// so every operation tx.proto declares is encoded without a list here.
func (m *TxBody) operationBytes() (int, []byte, error) {
	if m.Operation == nil {
		return 0, nil, nil
	}
	w := reflect.ValueOf(m.Operation)
	if w.Kind() != reflect.Pointer || w.IsNil() || w.Elem().Kind() != reflect.Struct || w.Elem().NumField() != 1 {
		return 0, nil, fmt.Errorf("types: unknown operation type %T", m.Operation)
	}
	f := w.Elem().Type().Field(0)
	parts := strings.Split(f.Tag.Get("protobuf"), ",")
	if len(parts) < 2 {
		return 0, nil, fmt.Errorf("types: operation type %T has no protobuf tag", m.Operation)
	}
	field, err := strconv.Atoi(parts[1])
	if err != nil || field <= 0 {
		return 0, nil, fmt.Errorf("types: operation type %T has a bad protobuf tag", m.Operation)
	}
	inner := w.Elem().Field(0)
	if inner.IsNil() {
		return field, nil, nil
	}
	op, ok := inner.Interface().(interface{ Marshal() ([]byte, error) })
	if !ok {
		return 0, nil, fmt.Errorf("types: operation type %T cannot be encoded", m.Operation)
	}
	b, err := op.Marshal()
	if err != nil {
		return 0, nil, err
	}
	if b == nil {
		b = []byte{}
	}
	return field, b, nil
}

func appendBytesField(b []byte, field int, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(field)<<3|2)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}
