package node

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseTOML(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []tomlEntry
		err  string
	}{
		{name: "empty", in: "", want: nil},
		{name: "comments and blanks", in: "# hello\n\n  # x = 1\n\r\n", want: nil},
		{
			name: "scalars",
			in:   "a = \"x # not a comment\" # comment\nb = 'C:\\path'\nc = -42\nd = 1_000\ne = 0x1f\nf = true\ng = false\n",
			want: []tomlEntry{
				{Key: "a", Value: "x # not a comment", Line: 1},
				{Key: "b", Value: `C:\path`, Line: 2},
				{Key: "c", Value: int64(-42), Line: 3},
				{Key: "d", Value: int64(1000), Line: 4},
				{Key: "e", Value: int64(31), Line: 5},
				{Key: "f", Value: true, Line: 6},
				{Key: "g", Value: false, Line: 7},
			},
		},
		{
			name: "escapes",
			in:   `s = "q\" b\\ t\t n\n u\u00e9 U\U0001F600 js\'"`,
			want: []tomlEntry{{Key: "s", Value: "q\" b\\ t\t n\n u\u00e9 U\U0001F600 js'", Line: 1}},
		},
		{
			name: "tables",
			in:   "top = 1\n[rpc]\nladdr = \"tcp://x\"\n[ p2p ] # c\nkeep-dash_key = 2",
			want: []tomlEntry{
				{Key: "top", Value: int64(1), Line: 1},
				{Table: "rpc", Key: "laddr", Value: "tcp://x", Line: 3},
				{Table: "p2p", Key: "keep-dash_key", Value: int64(2), Line: 5},
			},
		},
		{
			name: "arrays",
			in:   "a = []\nb = [\"x\", \"y\", ]\nc = [\n  \"m\", # one\n  'n'\n]\nd = [1, [true]]\n",
			want: []tomlEntry{
				{Key: "a", Value: []any{}, Line: 1},
				{Key: "b", Value: []any{"x", "y"}, Line: 2},
				{Key: "c", Value: []any{"m", "n"}, Line: 3},
				{Key: "d", Value: []any{int64(1), []any{true}}, Line: 7},
			},
		},
		{name: "duplicate key", in: "a = 1\na = 2", err: `line 2: key "a" set twice`},
		{name: "duplicate table", in: "[x]\n[x]", err: "line 2: table [x] defined twice"},
		{name: "same key in two tables", in: "[x]\na = 1\n[y]\na = 1", want: []tomlEntry{
			{Table: "x", Key: "a", Value: int64(1), Line: 2}, {Table: "y", Key: "a", Value: int64(1), Line: 4},
		}},
		{name: "missing value", in: "a =\n", err: "line 1: key \"a\": missing value"},
		{name: "missing equals", in: "a 1", err: "expected '=' after key"},
		{name: "trailing garbage", in: "a = 1 2", err: "unexpected \"2\" at end of line"},
		{name: "unterminated string", in: "a = \"abc\nb = 1", err: "unterminated string"},
		{name: "bad escape", in: `a = "\x41"`, err: `invalid escape \x`},
		{name: "surrogate escape", in: `a = "\ud800"`, err: "invalid escape"},
		{name: "control char", in: "a = \"\x01\"", err: "control character"},
		{name: "float", in: "a = 1.5", err: "floats and dates are not supported"},
		{name: "leading zero", in: "a = 012", err: "not a string, integer"},
		{name: "overflow", in: "a = 9223372036854775808", err: "not a string, integer"},
		{name: "bare word", in: "a = yes", err: "not a string, integer"},
		{name: "date", in: "a = 1979-05-27", err: "not a string, integer"},
		{name: "inline table", in: "a = {b = 1}", err: "inline tables are not supported"},
		{name: "array of tables", in: "[[a]]", err: "arrays of tables are not supported"},
		{name: "dotted table", in: "[a.b]", err: "nested and quoted names are not supported"},
		{name: "quoted key", in: "\"a\" = 1", err: "expected a key or a [table]"},
		{name: "multi-line string", in: "a = \"\"\"x\"\"\"", err: "multi-line strings are not supported"},
		{name: "unclosed array", in: "a = [1, 2", err: "unterminated array"},
		{name: "unclosed empty array", in: "a = [", err: "unterminated array"},
		{name: "array without comma", in: "a = [1 2]", err: "expected ',' or ']'"},
		{name: "deep arrays", in: "a = " + strings.Repeat("[", 17) + strings.Repeat("]", 17), err: "arrays nested deeper than 16"},
		{name: "invalid utf-8", in: "a = \"\xff\"", err: "not valid UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseTOML([]byte(tc.in))
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// FuzzParseTOML checks that the decoder never panics and that every string
// it accepts decodes the same after a round trip through its own encoding.
func FuzzParseTOML(f *testing.F) {
	for _, s := range []string{
		"a = 1\n[t]\nb = \"x\\u00e9\"\nc = [\"a\", 'b',]\n",
		"x = [\n1,\n[true]\n] # c\n",
		`s = "\U0001F600\'"`,
		"[[a]]\n", "a = 0x1F\nb = -0\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseTOML(data)
		if err != nil {
			return
		}
		again, err := parseTOML(encodeTOML(entries))
		if err != nil {
			t.Fatalf("re-encoding of %q does not parse: %v", data, err)
		}
		for i := range again {
			again[i].Line = entries[i].Line
		}
		require.Equal(t, entries, again)
	})
}
