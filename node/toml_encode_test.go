package node

import (
	"fmt"
	"strconv"
	"strings"
)

// encodeTOML writes entries back as TOML, for round-trip tests.
func encodeTOML(entries []tomlEntry) []byte {
	var b strings.Builder
	table := ""
	for _, e := range entries {
		if e.Table != table {
			table = e.Table
			fmt.Fprintf(&b, "[%s]\n", table)
		}
		fmt.Fprintf(&b, "%s = %s\n", e.Key, encodeTOMLValue(e.Value))
	}
	return []byte(b.String())
}

func encodeTOMLValue(v any) string {
	switch x := v.(type) {
	case string:
		var b strings.Builder
		b.WriteByte('"')
		for _, r := range x {
			switch {
			case r == '"' || r == '\\':
				b.WriteByte('\\')
				b.WriteRune(r)
			case r < 0x20 || r == 0x7f:
				fmt.Fprintf(&b, "\\u%04x", r)
			default:
				b.WriteRune(r)
			}
		}
		b.WriteByte('"')
		return b.String()
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = encodeTOMLValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	panic(fmt.Sprintf("encodeTOML: unexpected %T", v))
}
