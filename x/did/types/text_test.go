package types_test

import (
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"

	"github.com/custos-ledger/custos/x/did/types"
)

func TestValidateMemo(t *testing.T) {
	tests := []struct {
		name string
		memo string
		ok   bool
	}{
		{"empty", "", true},
		{"ascii", "rotated after the laptop was stolen", true},
		{"accents and CJK", "clé tournée · 鍵を更新", true},
		{"emoji", "new key 🔑", true},
		{"right-to-left script", "مفتاح جديد", true},

		{"invalid UTF-8", "key\xff\xfe", false},
		{"truncated sequence", "key \xe2\x80", false},
		{"NUL", "a\x00b", false},
		{"line feed", "line one\nline two", false},
		{"carriage return", "a\rb", false},
		{"tab", "a\tb", false},
		{"escape", "\x1b[31mred", false},
		{"DEL", "a\x7fb", false},
		{"C1 control", "a\u0085b", false},
		{"right-to-left override", "paid \u202eyrros", false},
		{"left-to-right embedding", "\u202atext", false},
		{"pop directional formatting", "text\u202c", false},
		{"right-to-left isolate", "\u2067text\u2069", false},
		{"first strong isolate", "\u2068text", false},
		{"zero-width space", "re\u200bvoked", false},
		{"zero-width joiner", "a\u200db", false},
		{"byte order mark", "\ufeffmemo", false},
		{"soft hyphen", "re\u00advoked", false},
		{"Arabic number sign", "\u0600 12", false},
		{"tag character", "a\U000e0041", false},
		{"line separator", "a\u2028b", false},
		{"private use", "a\ue000b", false},
		{"noncharacter", "a\uffffb", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := types.ValidateMemo(tc.memo)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, types.ErrInvalidMemo)
			require.NotContains(t, err.Error(), "\u202e", "the refusal quotes the memo escaped")
		})
	}
}

// Every format character (category Cf) in Go's Unicode table is refused
// in a memo, and so in a service type (the same rule). The rule itself is
// a fixed list, the same on every node whatever Go it is built with; this
// test says when a newer Unicode adds one the list lacks.
func TestPrintableRefusesFormatCharacters(t *testing.T) {
	n := 0
	for _, r16 := range unicode.Cf.R16 {
		for r := rune(r16.Lo); r <= rune(r16.Hi); r += rune(r16.Stride) {
			require.ErrorIs(t, types.ValidateMemo("a"+string(r)+"b"), types.ErrInvalidMemo, "U+%04X", r)
			n++
		}
	}
	for _, r32 := range unicode.Cf.R32 {
		for r := rune(r32.Lo); r <= rune(r32.Hi); r += rune(r32.Stride) {
			require.ErrorIs(t, types.ValidateMemo("a"+string(r)+"b"), types.ErrInvalidMemo, "U+%04X", r)
			n++
		}
	}
	require.Greater(t, n, 100)
	for _, r := range []rune{unicode.MaxRune, 0x10fffd} {
		require.ErrorIs(t, types.ValidateMemo(string(r)), types.ErrInvalidMemo)
	}
}
