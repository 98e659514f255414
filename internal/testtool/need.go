// Package testtool wraps the real tools tests run against: mkfs.*, the
// filesystem checkers, debugfs, qemu-img, losetup and mount. Tests make
// their fixtures at run time in t.TempDir(); nothing here is a mock.
package testtool

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// InCI reports whether the tests run in CI (CI set to a true value). There a
// missing tool is a failure, not a skip: .ci/run must install it.
func InCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v != "" && v != "0" && v != "false"
}

// Need skips the test when a tool is missing locally and fails it in CI.
func Need(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if InCI() {
				t.Fatalf("required tool %q is not installed (CI must install it: see .ci/run)", tool)
			}
			t.Skipf("tool %q not installed", tool)
		}
	}
}

// NeedRoot skips (fails in CI) unless the test runs as root with loop
// devices, which the kernel-mount checks need.
func NeedRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		if InCI() {
			t.Fatalf("this test needs root for loop mounts; CI runs as root")
		}
		t.Skip("not root: kernel loop mounts unavailable")
	}
	Need(t, "losetup", "mount", "umount")
}

// Run runs a command and fails the test, with its output, if it exits non-zero.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := RunErr(name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// RunErr runs a command and returns its combined output and error.
func RunErr(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	err := cmd.Run()
	return b.String(), err
}
