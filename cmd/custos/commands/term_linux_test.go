package commands

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// openPTY returns the two ends of a new pseudo-terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	raw, err := master.SyscallConn()
	require.NoError(t, err)
	var n int
	var ioErr error
	require.NoError(t, raw.Control(func(fd uintptr) {
		if ioErr = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); ioErr == nil {
			n, ioErr = unix.IoctlGetInt(int(fd), unix.TIOCGPTN)
		}
	}))
	require.NoError(t, ioErr)
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	require.NoError(t, err)
	t.Cleanup(func() { slave.Close() })
	return master, slave
}

// TestReadSecretHidesTyping types a passphrase into a pseudo-terminal and
// checks that it is read, that the terminal did not echo it, and that echo
// is back on afterwards.
func TestReadSecretHidesTyping(t *testing.T) {
	master, slave := openPTY(t)
	require.True(t, isTerminal(slave))
	_, isTTY := terminal(slave)
	require.True(t, isTTY)

	type answer struct {
		line []byte
		err  error
	}
	done := make(chan answer, 1)
	var prompt strings.Builder
	go func() {
		line, err := readSecret(slave, &prompt, "Passphrase: ")
		done <- answer{line, err}
	}()
	echoOff := func() bool {
		tio, err := unix.IoctlGetTermios(int(slave.Fd()), ioctlGetTermios)
		return err == nil && tio.Lflag&unix.ECHO == 0
	}
	require.Eventually(t, echoOff, 5*time.Second, 5*time.Millisecond)
	_, err := master.WriteString("hunter2\n")
	require.NoError(t, err)
	var got answer
	select {
	case got = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("readSecret did not return")
	}
	require.NoError(t, got.err)
	require.Equal(t, "hunter2", string(got.line))
	require.Equal(t, "Passphrase: \n", prompt.String())

	require.NoError(t, master.SetReadDeadline(time.Now().Add(200*time.Millisecond)))
	buf := make([]byte, 256)
	n, _ := master.Read(buf)
	require.NotContains(t, string(buf[:n]), "hunter2", "the terminal echoed the passphrase")
	require.False(t, echoOff(), "echo was not restored")
}
