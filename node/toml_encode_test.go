package node

import (
	"reflect"
	"strings"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/pelletier/go-toml/v2"
	"github.com/stretchr/testify/require"
)

// encodeConfig writes every setting of cfg as TOML, by the same field
// names decodeConfig reads, for round-trip tests: a duration as its string,
// a nil list as "" (decodeConfig's empty comma-separated list).
func encodeConfig(t *testing.T, cfg *cmtcfg.Config) []byte {
	t.Helper()
	fields := map[string]reflect.Value{}
	configFields(reflect.ValueOf(cfg).Elem(), "", fields)
	doc := map[string]any{}
	for name, f := range fields {
		var v any
		switch {
		case f.Type() == durationType:
			v = time.Duration(f.Int()).String()
		case f.Kind() == reflect.Slice && f.IsNil():
			v = ""
		case f.Kind() == reflect.Slice:
			v = f.Convert(reflect.TypeFor[[]string]()).Interface()
		case f.CanUint():
			v = int64(f.Uint())
		default:
			v = f.Interface()
		}
		table, key, ok := strings.Cut(name, ".")
		if !ok {
			doc[name] = v
			continue
		}
		sub, _ := doc[table].(map[string]any)
		if sub == nil {
			sub = map[string]any{}
			doc[table] = sub
		}
		sub[key] = v
	}
	out, err := toml.Marshal(doc)
	require.NoError(t, err)
	return out
}
