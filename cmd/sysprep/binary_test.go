package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool/guestgen"
)

// buildBinary compiles the command for tests that run it as a process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sysprep")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestBinary(t *testing.T) {
	bin := buildBinary(t)
	if out, err := exec.Command(bin, "--version").Output(); err != nil || !strings.HasPrefix(string(out), "sysprep ") {
		t.Errorf("--version: %v %q", err, out)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "--no-such-flag")
	cmd.Stderr = &stderr
	if code := exitCode(cmd.Run()); code != 2 || !strings.HasPrefix(stderr.String(), "sysprep: unknown option --no-such-flag") {
		t.Errorf("usage error: exit %d, %q", code, stderr.String())
	}

	// SIGINT during a job: either it finished (exit 0, a complete image)
	// or it stopped (exit 1, one line, nothing left): never a partial file.
	d := guestImage(t, guestgen.Options{Table: "gpt", Format: "qcow2", Size: 1 << 30, Filler: 256 << 20})
	dir := t.TempDir()
	out := filepath.Join(dir, "out.qcow2")
	stderr.Reset()
	cmd = exec.Command(bin, "-q", "-a", d.Path, "-o", out, "--compress", "zlib")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	_ = cmd.Process.Signal(syscall.SIGINT)
	code := exitCode(cmd.Wait())
	ents, _ := os.ReadDir(dir)
	switch code {
	case 0:
		t.Log("the job finished before the signal")
		if len(ents) != 1 {
			t.Errorf("left %v", ents)
		}
	case 1:
		if len(ents) != 0 {
			t.Errorf("interrupted job left %v", ents)
		}
		if s := stderr.String(); !strings.HasPrefix(s, "sysprep: ") || strings.Count(s, "\n") != 1 || !strings.Contains(s, "interrupted") {
			t.Errorf("stderr %q", s)
		}
	default:
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}
