package node

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// tomlSetting is one setting of a TOML document: its key path joined by
// dots ("rpc.laddr"), and its value as go-toml decodes it into an any
// (string, int64, float64, bool, []any, map[string]any or a date/time).
type tomlSetting struct {
	Name  string
	Value any
	// Plain is false when a part of the key path is empty or holds a dot
	// (a quoted key such as "rpc.laddr" = 1): no setting is named so.
	Plain bool
	// Line is the line of the key that set it, or of the [table] header
	// or inline table it came with (0 if unknown).
	Line int
}

// parseTOML decodes a TOML document (TOML 1.0, github.com/pelletier/go-toml/v2)
// and returns its settings in key order, tables flattened into dotted names.
// A syntax error or invalid UTF-8 is an error naming the line and column; a
// key or table set twice, one naming the key.
//
// CometBFT's config template writes path settings through text/template's js
// escaper, which turns ' into \' (not a TOML escape). A document that does
// not decode is therefore tried once more with \' read as ' inside basic
// strings, so that configs CometBFT writes for such paths load too; if that
// does not decode either, the first error stands.
func parseTOML(data []byte) ([]tomlSetting, error) {
	var doc map[string]any
	err := toml.Unmarshal(data, &doc)
	if err != nil && bytes.Contains(data, []byte(`\'`)) {
		var again map[string]any
		if unescaped := unescapeQuotes(data); toml.Unmarshal(unescaped, &again) == nil {
			data, doc, err = unescaped, again, nil
		}
	}
	if err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return nil, fmt.Errorf("line %d, column %d: %s", line, col, strings.TrimPrefix(de.Error(), "toml: "))
		}
		return nil, errors.New(strings.TrimPrefix(err.Error(), "toml: "))
	}
	var out []tomlSetting
	flattenTOML(nil, doc, &out)
	lines := settingLines(data)
	for i := range out {
		out[i].Line = lineOf(lines, out[i].Name)
	}
	return out, nil
}

// settingLines maps the dotted path of every key a document sets, and of
// every [table] header, to the line it is on. The map decoding that
// parseTOML uses keeps no positions, so the document is walked once more
// with the library's AST parser; its result only ever feeds error messages.
func settingLines(data []byte) map[string]int {
	lines := map[string]int{}
	var p unstable.Parser
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			var line int
			table, line = keyPath(&p, nil, e.Key())
			if name := strings.Join(table, "."); lines[name] == 0 {
				lines[name] = line
			}
		case unstable.KeyValue:
			keyValueLines(&p, table, e, lines)
		}
	}
	if p.Error() != nil {
		return nil
	}
	return lines
}

func keyValueLines(p *unstable.Parser, prefix []string, kv *unstable.Node, lines map[string]int) {
	path, line := keyPath(p, prefix, kv.Key())
	if name := strings.Join(path, "."); lines[name] == 0 {
		lines[name] = line
	}
	if v := kv.Value(); v.Kind == unstable.InlineTable {
		for it := v.Children(); it.Next(); {
			if n := it.Node(); n.Kind == unstable.KeyValue {
				keyValueLines(p, path, n, lines)
			}
		}
	}
}

// keyPath appends the parts of a key to prefix and returns the line of its
// first part.
func keyPath(p *unstable.Parser, prefix []string, it unstable.Iterator) ([]string, int) {
	path, line := slices.Clip(prefix), 0
	for it.Next() {
		n := it.Node()
		if line == 0 {
			line = p.Shape(n.Raw).Start.Line
		}
		path = append(path, string(n.Data))
	}
	return path, line
}

// lineOf returns the line of name, or of its longest dotted prefix that
// has one.
func lineOf(lines map[string]int, name string) int {
	for {
		if l, ok := lines[name]; ok {
			return l
		}
		i := strings.LastIndexByte(name, '.')
		if i < 0 {
			return 0
		}
		name = name[:i]
	}
}

func flattenTOML(path []string, table map[string]any, out *[]tomlSetting) {
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		p := append(slices.Clip(path), k)
		if sub, ok := table[k].(map[string]any); ok && len(sub) > 0 {
			// An empty table stays a setting of its own, so that the
			// caller can tell a known table from an unknown one.
			flattenTOML(p, sub, out)
			continue
		}
		plain := true
		for _, part := range p {
			plain = plain && part != "" && !strings.Contains(part, ".")
		}
		*out = append(*out, tomlSetting{Name: strings.Join(p, "."), Value: table[k], Plain: plain})
	}
}

// unescapeQuotes returns src with every \' inside a basic string ("..." or
// """...""") replaced by '. Literal strings, comments and the rest are
// copied unchanged.
func unescapeQuotes(src []byte) []byte {
	out := make([]byte, 0, len(src))
	for i := 0; i < len(src); {
		switch {
		case src[i] == '#':
			j := indexFrom(src, i, "\n")
			out = append(out, src[i:j]...)
			i = j
		case bytes.HasPrefix(src[i:], []byte(`'''`)):
			j := indexFrom(src, i+3, `'''`)
			out = append(out, src[i:j]...)
			i = j
		case src[i] == '\'':
			j := indexFrom(src, i+1, "'")
			out = append(out, src[i:j]...)
			i = j
		case src[i] == '"':
			closing := `"`
			if bytes.HasPrefix(src[i:], []byte(`"""`)) {
				closing = `"""`
			}
			out = append(out, closing...)
			i += len(closing)
			for i < len(src) && !bytes.HasPrefix(src[i:], []byte(closing)) && (len(closing) == 3 || src[i] != '\n') {
				if src[i] == '\\' && i+1 < len(src) {
					if src[i+1] != '\'' {
						out = append(out, '\\')
					}
					out = append(out, src[i+1])
					i += 2
					continue
				}
				out = append(out, src[i])
				i++
			}
			if i < len(src) && src[i] != '\n' {
				out = append(out, closing...)
				i += len(closing)
			}
		default:
			out = append(out, src[i])
			i++
		}
	}
	return out
}

// indexFrom returns the index just past the first sep in src at or after
// from, or len(src) when there is none. A newline is not consumed.
func indexFrom(src []byte, from int, sep string) int {
	j := bytes.Index(src[from:], []byte(sep))
	if j < 0 {
		return len(src)
	}
	if sep == "\n" {
		return from + j
	}
	return from + j + len(sep)
}
