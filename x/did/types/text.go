package types

// ValidateMemo checks a transaction's memo: valid UTF-8 text that displays
// as what it is (printable): no controls, not even a line break, and no
// format or invisible characters, among them the bidirectional overrides
// and isolates (U+202A-U+202E, U+2066-U+2069) that would make a history
// entry read as something else. The length limit (max_memo_bytes) is
// checked apart, first. An empty memo is valid.
func ValidateMemo(m string) error {
	if m == "" || printable(m) {
		return nil
	}
	return ErrInvalidMemo.Wrapf("%q: a memo is UTF-8 text without control, format or invisible characters (no line breaks, no bidirectional controls)", Truncate(m))
}
