package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool/guestgen"
)

func TestDryRunWritesNothing(t *testing.T) {
	d := buildGuest(t, guestgen.Options{Table: "gpt", Format: "qcow2", Size: 256 << 20})
	before := testtool.SHA256File(t, d.Path)
	dir := t.TempDir()
	out := filepath.Join(dir, "never.qcow2")
	for _, output := range []string{"", out} {
		res, err := Run(context.Background(), Job{Input: d.Path, Output: output, DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if !res.DryRun || res.FileSize != 0 || res.Output != "" && res.Output != output {
			t.Errorf("result: %+v", res)
		}
		var removed int
		for _, op := range res.Operations {
			removed += len(op.Removed)
		}
		if removed == 0 {
			t.Error("a dry run reports nothing removed")
		}
	}
	noTempFiles(t, dir)
	if testtool.SHA256File(t, d.Path) != before {
		t.Fatal("the input changed")
	}
}

func TestRunRefusesOutputOverInput(t *testing.T) {
	d := buildGuest(t, guestgen.Options{Table: "gpt", Format: "raw", Size: 128 << 20})
	before := testtool.SHA256File(t, d.Path)
	link := filepath.Join(t.TempDir(), "link.img")
	if err := os.Symlink(d.Path, link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(filepath.Dir(d.Path), "hard.img")
	if err := os.Link(d.Path, hard); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{d.Path, link, hard, d.Path + "/."} {
		_, err := Run(context.Background(), Job{Input: d.Path, Output: out})
		if err == nil {
			t.Fatalf("output %s accepted", out)
		}
		if !errors.Is(err, ErrUsage) && !errors.Is(err, image.ErrSameFile) {
			t.Errorf("output %s: %v (want ErrUsage or image.ErrSameFile)", out, err)
		}
		if !strings.HasPrefix(err.Error(), "sysprep: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("error is not one sysprep line: %q", err)
		}
	}
	if testtool.SHA256File(t, d.Path) != before {
		t.Fatal("the input changed")
	}
}

func TestRunCancelLeavesNothing(t *testing.T) {
	d := buildGuest(t, guestgen.Options{Table: "gpt", Format: "qcow2", Size: 512 << 20})
	dir := t.TempDir()
	out := filepath.Join(dir, "out.qcow2")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Job{Input: d.Path, Output: out}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before start: %v", err)
	}
	noTempFiles(t, dir)

	// Cancelled during the operations.
	ctx, cancel = context.WithCancel(context.Background())
	_, err := Run(ctx, Job{Input: d.Path, Output: out, OnOperation: func(n string) {
		if n == "logfiles" {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled during the operations: %v", err)
	}
	noTempFiles(t, dir)

	// Cancelled during the export.
	ctx, cancel = context.WithCancel(context.Background())
	_, err = Run(ctx, Job{Input: d.Path, Output: out, Progress: func(done, total int64) {
		if done > 0 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled during the export: %v", err)
	}
	noTempFiles(t, dir)
	cancel()
}

func TestRunUsageErrors(t *testing.T) {
	d := buildGuest(t, guestgen.Options{Table: "gpt", Format: "raw", Size: 128 << 20})
	dir := t.TempDir()
	out := filepath.Join(dir, "out.img")
	bad := sysprep.DefaultPlan()
	bad.Operations = []string{"logfile"}
	for name, j := range map[string]Job{
		"no input":          {Output: out},
		"no output":         {Input: d.Path},
		"raw compressed":    {Input: d.Path, Output: out, Format: image.FormatRaw, Compression: "zstd"},
		"input raw, zstd":   {Input: d.Path, Output: out, Compression: "zstd"}, // format "" = the input's: raw
		"bad compression":   {Input: d.Path, Output: out, Compression: "lz4"},
		"bad format":        {Input: d.Path, Output: out, Format: "vmdk"},
		"unknown operation": {Input: d.Path, Output: out, Plan: bad},
		"shrink":            {Input: d.Path, Output: out, DiskSize: 64 << 20},
		"output is a dir":   {Input: d.Path, Output: dir},
		"no output dir":     {Input: d.Path, Output: filepath.Join(dir, "missing", "out.img")},
	} {
		_, err := Run(context.Background(), j)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "sysprep: ") || strings.Contains(msg, "\n") {
			t.Errorf("%s: not one sysprep line: %q", name, msg)
		}
		if name == "unknown operation" && !strings.Contains(msg, `did you mean "logfiles"`) {
			t.Errorf("%s: no suggestion: %q", name, msg)
		}
	}
	noTempFiles(t, dir)
}

func TestRunMissingInput(t *testing.T) {
	_, err := Run(context.Background(), Job{Input: "/nonexistent/disk.qcow2", Output: filepath.Join(t.TempDir(), "o")})
	if err == nil || !strings.HasPrefix(err.Error(), "sysprep: /nonexistent/disk.qcow2: ") || strings.Count(err.Error(), "/nonexistent/disk.qcow2") != 1 {
		t.Fatalf("error %q: want one mention of the image", err)
	}
}

func TestSummary(t *testing.T) {
	r := &Result{Operations: []sysprep.OpReport{
		{Name: "logfiles", Removed: []string{"/var/log/a", "/var/log/b"}},
		{Name: "customize", Changed: []string{"/etc/hostname"}, Created: []string{"/etc/motd"}, Notes: []string{"random seed refilled"}},
		{Name: "utmp"},
	}}
	want := []string{"logfiles: 2 removed", "customize: 1 changed, 1 created (random seed refilled)", "utmp: nothing to do"}
	got := r.Summary()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("Summary:\n got %q\nwant %q", got, want)
	}
}

// A guest that was not shut down cleanly is refused with what to do, and
// nothing is written.
func TestRunRefusesDirtyJournal(t *testing.T) {
	d := buildGuest(t, guestgen.Options{Table: "none", Format: "raw", Size: 256 << 20})
	testtool.Run(t, "debugfs", "-w", "-R", "feature needs_recovery", d.Path)
	before := testtool.SHA256File(t, d.Path)
	dir := t.TempDir()
	_, err := Run(context.Background(), Job{Input: d.Path, Output: filepath.Join(dir, "out.img")})
	if err == nil {
		t.Fatal("a dirty journal was accepted")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "sysprep: ") || strings.Contains(msg, "\n") || !strings.Contains(msg, "journal needs recovery") || !strings.Contains(msg, "e2fsck") {
		t.Errorf("error %q: want one line saying the journal needs recovery and what to do", msg)
	}
	noTempFiles(t, dir)
	if testtool.SHA256File(t, d.Path) != before {
		t.Fatal("the input changed")
	}
}

func TestRunOutputFormatFromExtension(t *testing.T) {
	d := buildGuest(t, guestgen.Options{Table: "none", Format: "raw", Size: 128 << 20})
	dir := t.TempDir()
	var warned []string
	warnf := func(f string, a ...any) { warned = append(warned, fmt.Sprintf(f, a...)) }
	// No format given: the .qcow2 name decides, silently.
	res, err := Run(context.Background(), Job{Input: d.Path, Output: filepath.Join(dir, "x.qcow2"), Compression: "zstd", Warnf: warnf})
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "qcow2" || len(warned) != 0 {
		t.Fatalf("raw input to x.qcow2: format %s, warnings %q; want qcow2 without a warning", res.Format, warned)
	}
	if got := testtool.QemuInfo(t, filepath.Join(dir, "x.qcow2"))["format"]; got != "qcow2" {
		t.Fatalf("qemu-img info says format %v", got)
	}
	// An unknown extension keeps the input's format.
	if res, err = Run(context.Background(), Job{Input: d.Path, Output: filepath.Join(dir, "x.disk"), Warnf: warnf}); err != nil || res.Format != "raw" {
		t.Fatalf("x.disk: format %v, %v; want raw like the input", res, err)
	}
	// An explicit format wins over the name, with a warning.
	res, err = Run(context.Background(), Job{Input: d.Path, Output: filepath.Join(dir, "y.qcow2"), Format: image.FormatRaw, Warnf: warnf})
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "raw" || len(warned) != 1 || !strings.Contains(warned[0], "will be raw as asked") || len(res.Warnings) != 1 {
		t.Fatalf("explicit raw to y.qcow2: format %s, warnings %q, result warnings %q", res.Format, warned, res.Warnings)
	}
	// Compression with a raw output is a usage error that says what to do.
	if _, err := Run(context.Background(), Job{Input: d.Path, Output: filepath.Join(dir, "z.img"), Compression: "zstd"}); !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "*.qcow2") {
		t.Fatalf("zstd to z.img: %v", err)
	}
}

// An input with a backing file: the output may not replace the backing
// file, and a normal run reads through the chain and leaves both untouched.
func TestRunBackingChain(t *testing.T) {
	d := buildGuest(t, guestgen.Options{Table: "gpt", Format: "qcow2", Size: 256 << 20})
	top := filepath.Join(t.TempDir(), "top.qcow2")
	testtool.QemuImg(t, "create", "-q", "-f", "qcow2", "-b", d.Path, "-F", "qcow2", top)
	baseSum, topSum := testtool.SHA256File(t, d.Path), testtool.SHA256File(t, top)
	if _, err := Run(context.Background(), Job{Input: top, Output: d.Path}); !errors.Is(err, image.ErrSameFile) {
		t.Errorf("output over the backing file: %v, want image.ErrSameFile", err)
	}
	out := filepath.Join(t.TempDir(), "flat.qcow2")
	if _, err := Run(context.Background(), Job{Input: top, Output: out}); err != nil {
		t.Fatal(err)
	}
	if testtool.SHA256File(t, d.Path) != baseSum || testtool.SHA256File(t, top) != topSum {
		t.Fatal("an input of the chain changed")
	}
	if info := testtool.QemuInfo(t, out); info["backing-filename"] != nil {
		t.Errorf("the output still has a backing file: %v", info["backing-filename"])
	}
	fsckAll(t, toRaw(t, out, "qcow2"), d)
	if exists(t, openGuest(t, out).Root, "/root/.bash_history") {
		t.Error("/root/.bash_history survived")
	}
}
