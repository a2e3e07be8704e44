//go:build !cgo

package keyring_test

import (
	"os"
	"testing"
)

// TestPKCS11NeedsCgo stands for the PKCS#11 tests in a build without cgo,
// where they cannot run: under CI that is a failure, not a silent pass.
func TestPKCS11NeedsCgo(t *testing.T) {
	msg := "built without cgo: the PKCS#11 (SoftHSM2) tests cannot run; build the tests with CGO_ENABLED=1 and a C compiler"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
