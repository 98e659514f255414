package engine

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool/guestgen"
)

// Helpers shared by the end-to-end tests: every check uses a real tool
// (qemu-img, e2fsck, the kernel's ext4) or our own reader reopening the
// output from scratch.

// buildGuest makes a generator image in a temp dir.
func buildGuest(t testing.TB, o guestgen.Options) *guestgen.Disk {
	t.Helper()
	testtool.Need(t, "mkfs.ext4", "sgdisk", "sfdisk", "qemu-img")
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	d, err := guestgen.Build(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// toRaw returns a raw copy of img made by qemu-img (img itself if raw).
func toRaw(t testing.TB, img, format string) string {
	t.Helper()
	if format == "raw" {
		return img
	}
	raw := filepath.Join(t.TempDir(), "out.raw")
	testtool.QemuConvert(t, img, raw, "raw")
	return raw
}

// extractFS copies one filesystem out of a raw disk into its own file, for
// e2fsck and debugfs (which take a file).
func extractFS(t testing.TB, raw string, f guestgen.Filesystem) string {
	t.Helper()
	return testtool.ExtractRange(t, raw, f.Off, f.Size)
}

// fsckAll runs e2fsck -fn on every filesystem of the raw disk.
func fsckAll(t testing.TB, raw string, d *guestgen.Disk) {
	t.Helper()
	for _, f := range d.Filesystems {
		testtool.Fsck(t, "ext4", extractFS(t, raw, f))
	}
}

// openGuest reopens an output image read-only with our own reader.
func openGuest(t testing.TB, p string) *guest.Mounted {
	t.Helper()
	disk, err := image.Open(p)
	if err != nil {
		t.Fatalf("reopening %s: %v", p, err)
	}
	t.Cleanup(func() { disk.Close() })
	m, err := guest.Open(context.Background(), disk, guest.Options{Name: filepath.Base(p), ReadOnly: true})
	if err != nil {
		t.Fatalf("inspecting %s: %v", p, err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// filesWith walks the guest and returns the regular files containing s.
func filesWith(t testing.TB, root fs.FS, s string) []string {
	t.Helper()
	var out []string
	err := fs.WalkDir(root, "/", func(p string, st fs.Stat, err error) error {
		if err != nil || !st.Mode.IsRegular() {
			return nil
		}
		if b, err := fs.ReadFile(root, p); err == nil && bytes.Contains(b, []byte(s)) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func exists(t testing.TB, root fs.FS, p string) bool {
	t.Helper()
	_, err := root.Lstat(p)
	return err == nil
}

func readGuest(t testing.TB, root fs.FS, p string) string {
	t.Helper()
	b, err := fs.ReadFile(root, p)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return string(b)
}

// noTempFiles fails if a directory holds anything but the listed names
// (an export's temp file left behind, a partial output).
func noTempFiles(t testing.TB, dir string, allowed ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		ok := false
		for _, a := range allowed {
			ok = ok || e.Name() == a
		}
		if !ok {
			t.Errorf("%s: unexpected file %s left behind", dir, e.Name())
		}
	}
}

// mustContain fails unless every want is a substring of s.
func mustContain(t testing.TB, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s: %q not found in:\n%s", what, w, s)
		}
	}
}
