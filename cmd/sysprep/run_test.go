package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/engine"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool/guestgen"
)

// cli runs the command in-process and returns its exit code and output.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func guestImage(t *testing.T, o guestgen.Options) *guestgen.Disk {
	t.Helper()
	testtool.Need(t, "mkfs.ext4", "sgdisk", "qemu-img")
	o.Dir = t.TempDir()
	d, err := guestgen.Build(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestInfoCommands(t *testing.T) {
	code, out, _ := cli(t, "--help")
	if code != 0 {
		t.Fatalf("--help: exit %d", code)
	}
	for _, topic := range topics {
		if !strings.Contains(out, topic+":\n") {
			t.Errorf("--help lacks the topic %q", topic)
		}
	}
	for _, d := range flags() {
		if !strings.Contains(out, "--"+d.long) {
			t.Errorf("--help lacks --%s", d.long)
		}
	}
	if !strings.Contains(out, "Examples:") || !strings.Contains(out, "Exit status:") {
		t.Error("--help lacks examples or exit status")
	}

	code, out, _ = cli(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "sysprep ") {
		t.Errorf("--version: %d %q", code, out)
	}

	code, out, _ = cli(t, "--list-operations")
	if code != 0 {
		t.Fatalf("--list-operations: exit %d", code)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(sysprep.Operations()) {
		t.Errorf("%d lines for %d operations", len(lines), len(sysprep.Operations()))
	}
	for i, op := range sysprep.Operations() {
		mark := " "
		if op.DefaultOn() {
			mark = "*"
		}
		if want := op.Name() + " " + mark + " " + op.Summary(); lines[i] != want {
			t.Errorf("line %d: %q, want %q", i, lines[i], want)
		}
	}
	if !strings.Contains(out, "\nlogfiles * ") || !strings.Contains(out, "\nuser-account   ") {
		t.Errorf("default marks wrong:\n%s", out)
	}
}

func TestUsageExitCodes(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-a", "x.img"},
		{"--bogus"},
		{"-a", "x", "-o", "y", "--operations", "ssh-hostkey"},
		{"-a", "x", "-o", "y", "--compress", "zstd", "--format", "raw"},
	} {
		code, out, errOut := cli(t, args...)
		if code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
		lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "sysprep: ") || lines[1] != hint || out != "" {
			t.Errorf("%q: want an error line and the hint, got stdout %q stderr %q", args, out, errOut)
		}
	}
	_, _, errOut := cli(t, "-a", "x", "-o", "y", "--operations", "ssh-hostkey")
	if !strings.Contains(errOut, `did you mean "ssh-hostkeys"?`) {
		t.Errorf("no suggestion: %q", errOut)
	}
}

func TestFailureIsOneLine(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.img")
	if err := os.WriteFile(junk, bytes.Repeat([]byte{0}, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{junk, filepath.Join(dir, "missing.qcow2")} {
		out := filepath.Join(dir, "out.img")
		code, stdout, stderr := cli(t, "-q", "-a", in, "-o", out)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1 (stderr %q)", in, code, stderr)
		}
		if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "sysprep: ") || !strings.Contains(stderr, filepath.Base(in)) {
			t.Errorf("%s: stderr %q: want one sysprep line naming the image", in, stderr)
		}
		if strings.Contains(stderr, "goroutine") || stdout != "" {
			t.Errorf("%s: stdout %q stderr %q", in, stdout, stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: an output was left: %v", in, err)
		}
	}
}

func TestPanicBecomesBugMessage(t *testing.T) {
	saved := runJob
	runJob = func(context.Context, engine.Job) (*engine.Result, error) { panic("boom") }
	defer func() { runJob = saved }()
	code, _, stderr := cli(t, "-q", "-a", "in", "-o", "out")
	if code != 1 || !strings.HasPrefix(stderr, "sysprep: bug: boom") || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestRealRun(t *testing.T) {
	d := guestImage(t, guestgen.Options{Table: "gpt", Format: "qcow2", Size: 512 << 20})
	dir := t.TempDir()
	out := filepath.Join(dir, "golden.qcow2")
	report := filepath.Join(dir, "report.json")
	code, stdout, stderr := cli(t, "-a", d.Path, "-o", out, "--compress", "zstd", "-v",
		"--hostname", "web01", "--root-password", "password:TopS3cretPw", "--report", report)
	if code != 0 {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	for _, s := range []string{stdout, stderr} {
		if strings.Contains(s, "TopS3cretPw") {
			t.Fatal("the password was printed")
		}
	}
	if !strings.Contains(stdout, `Performing "logfiles"`) || !strings.Contains(stdout, "Finished: "+out) || !strings.Contains(stdout, "ssh-hostkeys: 6 removed") {
		t.Errorf("stdout:\n%s", stdout)
	}
	if !strings.Contains(stderr, `customize --root-password "password:<hidden>"`) {
		t.Errorf("-v does not show the plan:\n%s", stderr)
	}
	testtool.QemuCheck(t, out)
	if ct := testtool.QemuCompressionType(t, out); ct != "zstd" {
		t.Errorf("compression %q", ct)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("TopS3cretPw")) {
		t.Fatal("the password is in the report")
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"input", "output", "format", "compression", "virtual_size", "file_size", "guest", "operations", "seconds", "dry_run"} {
		if _, ok := m[k]; !ok {
			t.Errorf("report lacks %q", k)
		}
	}
	g, _ := m["guest"].(map[string]any)
	fss, _ := g["filesystems"].([]any)
	if g["distro"] != "debian" || g["version"] != "12" || len(fss) != 1 {
		t.Errorf("report guest: %v", g)
	}
	fs0, _ := fss[0].(map[string]any)
	for _, k := range []string{"volume", "type", "uuid", "mountpoint"} {
		if _, ok := fs0[k]; !ok {
			t.Errorf("report filesystem lacks %q", k)
		}
	}
	ops, _ := m["operations"].([]any)
	op0, _ := ops[0].(map[string]any)
	for _, k := range []string{"name", "removed", "changed", "created", "seconds"} {
		if _, ok := op0[k]; !ok {
			t.Errorf("report operation lacks %q", k)
		}
	}
	var res engine.Result
	if err := json.Unmarshal(b, &res); err != nil || res.Output != out || res.DryRun {
		t.Errorf("report as engine.Result: %v %+v", err, res)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	d := guestImage(t, guestgen.Options{Table: "mbr", Format: "raw", Size: 256 << 20})
	dir := t.TempDir()
	out := filepath.Join(dir, "never.img")
	code, stdout, stderr := cli(t, "-a", d.Path, "-o", out, "--dry-run", "--report", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("dry run wrote %s", out)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("dry run left %v", ents)
	}
	if !strings.Contains(stdout, "Dry run on") || !strings.Contains(stdout, `"dry_run": true`) {
		t.Errorf("stdout:\n%s", stdout)
	}
	// -q: only the report.
	code, stdout, _ = cli(t, "-q", "-a", d.Path, "-n", "--report", "-")
	if code != 0 || !strings.HasPrefix(stdout, "{") {
		t.Errorf("-q -n --report -: exit %d, stdout %q", code, stdout)
	}
}

func TestOutputOverInputRefused(t *testing.T) {
	d := guestImage(t, guestgen.Options{Table: "gpt", Format: "raw", Size: 128 << 20})
	code, _, stderr := cli(t, "-a", d.Path, "-o", d.Path)
	if code == 0 || !strings.Contains(stderr, "input") {
		t.Fatalf("exit %d, %q", code, stderr)
	}
}
