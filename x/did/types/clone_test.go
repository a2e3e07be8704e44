package types_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/custos-ledger/custos/x/did/types"
)

// fill sets every field reachable from v to a distinct non-zero value:
// slices get two elements, pointers a value. n numbers the values.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", *n))
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(*n))
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		v.SetInt(int64(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := 0; i < 2; i++ {
			fill(v.Index(i), n)
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	default:
		panic(fmt.Sprintf("fill: no rule for %s", v.Type()))
	}
}

// mutate changes every value reachable from v in place (not the slices'
// or pointers' identity), so that a clone sharing memory with v shows it.
func mutate(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "!")
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(v.Uint() + 1000)
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		v.SetInt(v.Int() + 1000)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			mutate(v.Index(i))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			mutate(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				mutate(v.Field(i))
			}
		}
	}
}

// TestDocumentClone: a clone of a document whose every field is set is
// equal to it and shares no memory with it.
func TestDocumentClone(t *testing.T) {
	var d types.Document
	n := 0
	fill(reflect.ValueOf(&d).Elem(), &n)
	c := d.Clone()
	if !reflect.DeepEqual(c, d) {
		t.Fatalf("the clone differs: a field is not copied\nclone %+v\norig  %+v", c, d)
	}
	mutate(reflect.ValueOf(&d).Elem())
	var again types.Document
	n = 0
	fill(reflect.ValueOf(&again).Elem(), &n)
	if !reflect.DeepEqual(c, again) {
		t.Fatalf("changing the original changed the clone: memory is shared\nclone %+v", c)
	}
	var empty types.Document
	if got := empty.Clone(); got.NextKeys != nil || len(got.VerificationMethods) != 0 {
		t.Fatalf("the clone of an empty document is %+v", got)
	}
}
