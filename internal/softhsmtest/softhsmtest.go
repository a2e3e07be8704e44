// Package softhsmtest gives tests a fresh SoftHSM2 token: a PKCS#11 module
// that keeps its tokens in files, so a test can make, use and delete a
// token of its own.
//
// The module comes with the Debian package softhsm2, which .ci/run
// installs. Where it is missing, New fails the test when CI is set and
// skips it otherwise, saying how to install it.
package softhsmtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Token is a SoftHSM2 token initialised for one test.
type Token struct {
	// Module is the path of libsofthsm2.so.
	Module string
	// Label is the token's label; PIN its user PIN.
	Label, PIN string
	// Conf is the SoftHSM2 configuration file (SOFTHSM2_CONF).
	Conf string
}

// ModuleEnv names the variable that gives the module's path when it is not
// where Debian puts it.
const ModuleEnv = "CUSTOS_TEST_PKCS11_MODULE"

// modulePaths are where Debian and Ubuntu install the module.
var modulePaths = []string{
	"/usr/lib/softhsm/libsofthsm2.so",
	"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
	"/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
	"/usr/local/lib/softhsm/libsofthsm2.so",
}

// Module returns the path of the SoftHSM2 module, or "" when it is not
// installed (or not where ModuleEnv says).
func Module() string {
	if p := os.Getenv(ModuleEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return ""
		}
		return p
	}
	for _, p := range modulePaths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// New initialises a token labelled label with user PIN pin in a temporary
// folder, and points SOFTHSM2_CONF at it for the rest of the test (so the
// test must not run in parallel with another that sets it). The folder is
// removed when the test ends.
func New(t testing.TB, label, pin string) Token {
	t.Helper()
	module := Module()
	util, utilErr := exec.LookPath("softhsm2-util")
	if module == "" || utilErr != nil {
		msg := "SoftHSM2 is not installed (module libsofthsm2.so, softhsm2-util): apt-get install -y softhsm2"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	body := "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	cmd := exec.Command(util, "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", pin+"-so")
	cmd.Env = append(os.Environ(), "SOFTHSM2_CONF="+conf)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("softhsm2-util --init-token: %v\n%s", err, out)
	}
	return Token{Module: module, Label: label, PIN: pin, Conf: conf}
}
