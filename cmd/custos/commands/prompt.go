package commands

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxLine bounds one line of interactive input.
const maxLine = 4096

// readLine reads one line from r one byte at a time, so that nothing after
// the newline is consumed and the next read gets the next line. The newline
// and a carriage return before it are dropped. It returns io.EOF only when
// r is at its end before any byte.
func readLine(r io.Reader) ([]byte, error) {
	var line []byte
	var b [1]byte
	for {
		n, err := r.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			if len(line) == maxLine {
				return nil, fmt.Errorf("input line longer than %d bytes", maxLine)
			}
			line = append(line, b[0])
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(line) == 0 {
				return nil, io.EOF
			}
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// terminal returns in as a file when it is a terminal.
func terminal(in io.Reader) (*os.File, bool) {
	f, ok := in.(*os.File)
	if !ok || !isTerminal(f) {
		return nil, false
	}
	return f, true
}

// readSecret reads a secret line: at a terminal it shows prompt on w and
// hides what is typed; otherwise it reads the next line of in silently.
func readSecret(in io.Reader, w io.Writer, prompt string) ([]byte, error) {
	if f, ok := terminal(in); ok {
		fmt.Fprint(w, prompt)
		line, err := readHidden(f)
		fmt.Fprintln(w)
		return line, err
	}
	return readLine(in)
}

// confirm asks question on w and reports whether the answer read from in
// is y or yes. No answer (end of input) is a no.
func confirm(in io.Reader, w io.Writer, question string) (bool, error) {
	fmt.Fprintf(w, "%s [y/N]: ", question)
	line, err := readLine(in)
	if _, ok := terminal(in); !ok {
		fmt.Fprintln(w)
	}
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(string(line))) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
