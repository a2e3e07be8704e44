package node

import (
	"testing"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/stretchr/testify/require"
)

func TestParseTOML(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []tomlSetting
		err  string
	}{
		{name: "empty", in: "", want: nil},
		{name: "comments and blanks", in: "# hello\n\n  # x = 1\n\r\n", want: nil},
		{
			name: "scalars in key order",
			in:   "b = 'C:\\path'\na = \"x # not a comment\" # comment\nc = -42\nd = 1_000\ne = 0x1f\nf = true\n",
			want: []tomlSetting{
				{Name: "a", Value: "x # not a comment", Plain: true, Line: 2},
				{Name: "b", Value: `C:\path`, Plain: true, Line: 1},
				{Name: "c", Value: int64(-42), Plain: true, Line: 3},
				{Name: "d", Value: int64(1000), Plain: true, Line: 4},
				{Name: "e", Value: int64(31), Plain: true, Line: 5},
				{Name: "f", Value: true, Plain: true, Line: 6},
			},
		},
		{
			name: "tables, dotted keys and inline tables are one thing",
			in:   "top = 1\n[rpc]\nladdr = \"tcp://x\"\n[p2p]\nkeep-dash_key = 2\n",
			want: []tomlSetting{
				{Name: "p2p.keep-dash_key", Value: int64(2), Plain: true, Line: 5},
				{Name: "rpc.laddr", Value: "tcp://x", Plain: true, Line: 3},
				{Name: "top", Value: int64(1), Plain: true, Line: 1},
			},
		},
		{
			name: "dotted and inline",
			in:   "rpc.laddr = \"tcp://x\"\n\np2p = {keep-dash_key = 2}\n",
			want: []tomlSetting{
				{Name: "p2p.keep-dash_key", Value: int64(2), Plain: true, Line: 3},
				{Name: "rpc.laddr", Value: "tcp://x", Plain: true, Line: 1},
			},
		},
		{
			name: "a quoted key holding a dot is not a table path",
			in:   "\"rpc.laddr\" = 1\n\"\" = 2\n",
			want: []tomlSetting{
				{Name: "", Value: int64(2), Plain: false, Line: 2},
				{Name: "rpc.laddr", Value: int64(1), Plain: false, Line: 1},
			},
		},
		{
			name: "arrays",
			in:   "a = []\nb = [\"x\", \"y\", ]\nc = [\n  \"m\", # one\n  'n'\n]\n",
			want: []tomlSetting{
				{Name: "a", Value: []any{}, Plain: true, Line: 1},
				{Name: "b", Value: []any{"x", "y"}, Plain: true, Line: 2},
				{Name: "c", Value: []any{"m", "n"}, Plain: true, Line: 3},
			},
		},
		{
			name: "an empty table stays a setting",
			in:   "\n[fastsync]\n",
			want: []tomlSetting{{Name: "fastsync", Value: map[string]any{}, Plain: true, Line: 2}},
		},
		{
			name: "CometBFT's \\' in basic strings",
			in:   "db_dir = \"db\\'s dir\" # it\\'s\nlit = 'a\\'\nml = \"\"\"x\\'y\"\"\"\n",
			want: []tomlSetting{
				{Name: "db_dir", Value: "db's dir", Plain: true, Line: 1},
				{Name: "lit", Value: `a\`, Plain: true, Line: 2},
				{Name: "ml", Value: "x'y", Plain: true, Line: 3},
			},
		},
		{
			name: "array of tables: the line of its first header",
			in:   "a = 1\n[[srv]]\nx = 1\n[[srv]]\nx = 2\n",
			want: []tomlSetting{
				{Name: "a", Value: int64(1), Plain: true, Line: 1},
				{Name: "srv", Value: []any{map[string]any{"x": int64(1)}, map[string]any{"x": int64(2)}}, Plain: true, Line: 2},
			},
		},
		{name: "\\' with another error", in: "a = \"\\'\"\nb = ", err: "line 1"},
		{name: "duplicate key", in: "a = 1\na = 2", err: "key a is already defined"},
		{name: "duplicate table", in: "[x]\n[x]", err: "table x already exists"},
		{name: "missing value", in: "a =\n", err: "line 1"},
		{name: "missing equals", in: "a 1", err: "line 1"},
		{name: "trailing garbage", in: "a = 1 2", err: "line 1"},
		{name: "unterminated string", in: "a = \"abc\nb = 1", err: "line 1"},
		{name: "bad escape", in: `a = "\x41"`, err: "line 1"},
		{name: "leading zero", in: "a = 012", err: "line 1"},
		{name: "unclosed array", in: "a = [1, 2", err: "line 1"},
		{name: "invalid utf-8", in: "a = \"\xff\"", err: "invalid UTF-8"},
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

// FuzzDecodeConfig checks that decoding any document into CometBFT's
// config never panics, and that every config it accepts comes back the same
// after a round trip through a TOML encoding of its settings.
func FuzzDecodeConfig(f *testing.F) {
	for _, s := range []string{
		"moniker = \"m\"\n[rpc]\nladdr = \"tcp://127.0.0.1:1\"\ncors_allowed_origins = [\"a\", 'b',]\n",
		"[consensus]\ntimeout_commit = \"1s\"\ncreate_empty_blocks = false\n",
		"[statesync]\nrpc_servers = \"a:1, b:2\"\nchunk_fetchers = \"4\"\ntrust_period = 5\n",
		"db_dir = \"x\\'y\"\n", "rpc.laddr = 'x'\np2p = {pex = true}\n",
		"[[a]]\n", "monikr = 1\n", "[rpc]\nmax_body_bytes = 1.5\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := cmtcfg.DefaultConfig()
		if err := decodeConfig(data, cfg); err != nil {
			return
		}
		again := cmtcfg.DefaultConfig()
		enc := encodeConfig(t, cfg)
		require.NoError(t, decodeConfig(enc, again), "the encoding of %q:\n%s", data, enc)
		require.Equal(t, cfg, again)
	})
}
