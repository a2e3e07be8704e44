package node

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tomlEntry is one `key = value` line of a TOML document. Table is the name
// of the enclosing [table] ("" for the top level).
type tomlEntry struct {
	Table string
	Key   string
	Value any // string, int64, bool or []any
	Line  int
}

// parseTOML parses the subset of TOML that CometBFT's config template
// produces and that people write by hand: [table] headers, bare keys, basic
// and literal single-line strings, integers, booleans, arrays (which may span
// lines) and comments. Floats, dates, inline tables, arrays of tables,
// quoted or dotted keys and multi-line strings are reported as errors, never
// silently misread. A key set twice in one table is an error.
func parseTOML(src []byte) ([]tomlEntry, error) {
	if !utf8.Valid(src) {
		return nil, errors.New("not valid UTF-8")
	}
	s := &tomlScanner{src: string(src), line: 1}
	var out []tomlEntry
	table := ""
	seen := map[string]bool{}
	for {
		s.skipBlank(true)
		if s.eof() {
			return out, nil
		}
		line := s.line
		if s.peek() == '[' {
			name, err := s.tableHeader()
			if err != nil {
				return nil, s.errorf(line, "%v", err)
			}
			if seen["["+name] {
				return nil, s.errorf(line, "table [%s] defined twice", name)
			}
			seen["["+name] = true
			table = name
		} else {
			key := s.bareKey()
			if key == "" {
				return nil, s.errorf(line, "expected a key or a [table], found %q", s.rest())
			}
			s.skipBlank(false)
			if !s.consume('=') {
				return nil, s.errorf(line, "expected '=' after key %q", key)
			}
			s.skipBlank(false)
			v, err := s.value(0)
			if err != nil {
				return nil, s.errorf(line, "key %q: %v", key, err)
			}
			full := key
			if table != "" {
				full = table + "." + key
			}
			if seen[full] {
				return nil, s.errorf(line, "key %q set twice", full)
			}
			seen[full] = true
			out = append(out, tomlEntry{Table: table, Key: key, Value: v, Line: line})
		}
		s.skipBlank(false)
		if !s.eof() && !s.consume('\n') {
			return nil, s.errorf(s.line, "unexpected %q at end of line", s.rest())
		}
	}
}

type tomlScanner struct {
	src  string
	pos  int
	line int
}

func (s *tomlScanner) eof() bool  { return s.pos >= len(s.src) }
func (s *tomlScanner) peek() byte { return s.src[s.pos] }

func (s *tomlScanner) consume(c byte) bool {
	if s.eof() || s.src[s.pos] != c {
		return false
	}
	if c == '\n' {
		s.line++
	}
	s.pos++
	return true
}

// rest returns the remainder of the current line, for error messages.
func (s *tomlScanner) rest() string {
	r := s.src[s.pos:]
	if i := strings.IndexByte(r, '\n'); i >= 0 {
		r = r[:i]
	}
	return r
}

func (s *tomlScanner) errorf(line int, format string, args ...any) error {
	return fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...))
}

// skipBlank skips spaces, tabs, carriage returns and comments, and newlines
// too when newlines is set.
func (s *tomlScanner) skipBlank(newlines bool) {
	for !s.eof() {
		switch c := s.peek(); {
		case c == ' ' || c == '\t' || c == '\r':
			s.pos++
		case c == '#':
			for !s.eof() && s.peek() != '\n' {
				s.pos++
			}
		case c == '\n' && newlines:
			s.consume('\n')
		default:
			return
		}
	}
}

func isBareKeyByte(c byte) bool {
	return c == '_' || c == '-' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

func (s *tomlScanner) bareKey() string {
	start := s.pos
	for !s.eof() && isBareKeyByte(s.peek()) {
		s.pos++
	}
	return s.src[start:s.pos]
}

func (s *tomlScanner) tableHeader() (string, error) {
	s.pos++ // '['
	if s.consume('[') {
		return "", fmt.Errorf("arrays of tables are not supported")
	}
	s.skipBlank(false)
	name := s.bareKey()
	if name == "" {
		return "", fmt.Errorf("expected a table name, found %q", s.rest())
	}
	s.skipBlank(false)
	if !s.consume(']') {
		return "", fmt.Errorf("expected ']' after table name %q (nested and quoted names are not supported)", name)
	}
	return name, nil
}

// maxArrayDepth bounds the nesting of arrays, and so the parser's recursion.
const maxArrayDepth = 16

func (s *tomlScanner) value(depth int) (any, error) {
	if s.eof() {
		return nil, fmt.Errorf("missing value")
	}
	switch c := s.peek(); {
	case c == '"' || c == '\'':
		return s.str()
	case c == '[':
		if depth == maxArrayDepth {
			return nil, fmt.Errorf("arrays nested deeper than %d", maxArrayDepth)
		}
		return s.array(depth + 1)
	case c == '{':
		return nil, fmt.Errorf("inline tables are not supported")
	}
	start := s.pos
	for !s.eof() && strings.IndexByte(" \t\r\n#,]", s.peek()) < 0 {
		s.pos++
	}
	word := s.src[start:s.pos]
	switch word {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "":
		return nil, fmt.Errorf("missing value")
	}
	n, err := parseTOMLInt(word)
	if err != nil {
		return nil, fmt.Errorf("%q is not a string, integer, boolean or array (floats and dates are not supported)", word)
	}
	return n, nil
}

// parseTOMLInt parses a TOML integer: decimal without leading zeros, or
// 0x, 0o, 0b prefixed; underscores between digits.
func parseTOMLInt(w string) (int64, error) {
	if len(w) > 2 && w[0] == '0' && strings.IndexByte("xob", w[1]) >= 0 {
		return strconv.ParseInt(w, 0, 64)
	}
	d := w
	if d != "" && (d[0] == '+' || d[0] == '-') {
		d = d[1:]
	}
	if d == "" || d[0] < '0' || d[0] > '9' || (len(d) > 1 && d[0] == '0') {
		return 0, fmt.Errorf("invalid integer %q", w)
	}
	return strconv.ParseInt(w, 0, 64)
}

func (s *tomlScanner) array(depth int) ([]any, error) {
	s.pos++ // '['
	out := []any{}
	for {
		s.skipBlank(true)
		if s.eof() {
			return nil, errors.New("unterminated array")
		}
		if s.consume(']') {
			return out, nil
		}
		v, err := s.value(depth)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		s.skipBlank(true)
		if s.eof() {
			return nil, errors.New("unterminated array")
		}
		if s.consume(']') {
			return out, nil
		}
		if !s.consume(',') {
			return nil, fmt.Errorf("expected ',' or ']' in array, found %q", s.rest())
		}
	}
}

func (s *tomlScanner) str() (string, error) {
	quote := s.peek()
	if strings.HasPrefix(s.src[s.pos:], strings.Repeat(string(quote), 3)) {
		return "", fmt.Errorf("multi-line strings are not supported")
	}
	s.pos++
	var b strings.Builder
	for {
		if s.eof() || s.peek() == '\n' {
			return "", fmt.Errorf("unterminated string")
		}
		c := s.peek()
		s.pos++
		switch {
		case c == quote:
			return b.String(), nil
		case c == '\\' && quote == '"':
			if err := s.escape(&b); err != nil {
				return "", err
			}
		case c < 0x20 && c != '\t' || c == 0x7f:
			return "", fmt.Errorf("control character %#x in string", c)
		default:
			b.WriteByte(c)
		}
	}
}

func (s *tomlScanner) escape(b *strings.Builder) error {
	if s.eof() {
		return fmt.Errorf("unterminated string")
	}
	c := s.peek()
	s.pos++
	// \' is not TOML, but CometBFT's template (text/template's js) writes it.
	const escaped, unescaped = "btnfr\"\\'", "\b\t\n\f\r\"\\'"
	if i := strings.IndexByte(escaped, c); i >= 0 {
		b.WriteByte(unescaped[i])
		return nil
	}
	width := 0
	switch c {
	case 'u':
		width = 4
	case 'U':
		width = 8
	}
	if width == 0 || s.pos+width > len(s.src) {
		return fmt.Errorf("invalid escape \\%c in string", c)
	}
	hex := s.src[s.pos : s.pos+width]
	n, err := strconv.ParseUint(hex, 16, 32)
	if err != nil || !utf8.ValidRune(rune(n)) {
		return fmt.Errorf("invalid escape \\%c%s in string", c, hex)
	}
	s.pos += width
	b.WriteRune(rune(n))
	return nil
}
