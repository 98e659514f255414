package testtool

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// QemuImg runs qemu-img with args and returns its output; the test fails,
// with that output, if it exits non-zero.
func QemuImg(t testing.TB, args ...string) string {
	t.Helper()
	Need(t, "qemu-img")
	return Run(t, "qemu-img", args...)
}

// QemuIO runs qemu-io on img (format fmt, "qcow2" or "raw") with one -c
// command per element of cmds, e.g. "write -P 0xab 0 64k".
func QemuIO(t testing.TB, img, format string, cmds ...string) string {
	t.Helper()
	Need(t, "qemu-io")
	args := []string{"-f", format}
	for _, c := range cmds {
		args = append(args, "-c", c)
	}
	args = append(args, img)
	out := Run(t, "qemu-io", args...)
	if strings.Contains(out, "failed") || strings.Contains(out, "error") {
		t.Fatalf("qemu-io %s: %s", img, out)
	}
	return out
}

// QemuCreate makes an image with qemu-img create in a fresh temp dir and
// returns its path: format "qcow2" or "raw", size like "64M", options as
// for -o (e.g. "cluster_size=4096,compression_type=zstd"; may be empty).
func QemuCreate(t testing.TB, name, format, size, options string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	args := []string{"create", "-q", "-f", format}
	if options != "" {
		args = append(args, "-o", options)
	}
	QemuImg(t, append(args, p, size)...)
	return p
}

// QemuCheck runs qemu-img check on a qcow2 image and fails the test unless
// it reports no errors and no leaks.
func QemuCheck(t testing.TB, img string) {
	t.Helper()
	Need(t, "qemu-img")
	out, err := RunErr("qemu-img", "check", "-f", "qcow2", img)
	if err != nil || !strings.Contains(out, "No errors were found") || strings.Contains(out, "leaked") {
		t.Fatalf("qemu-img check %s: %v\n%s", img, err, out)
	}
}

// QemuInfo returns qemu-img info --output=json of img, decoded.
func QemuInfo(t testing.TB, img string) map[string]any {
	t.Helper()
	out := QemuImg(t, "info", "--output=json", img)
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("qemu-img info %s: %v\n%s", img, err, out)
	}
	return m
}

// QemuCompressionType returns the compression type qemu-img info reports
// for a qcow2 image ("zlib", "zstd").
func QemuCompressionType(t testing.TB, img string) string {
	t.Helper()
	m := QemuInfo(t, img)
	fs, _ := m["format-specific"].(map[string]any)
	data, _ := fs["data"].(map[string]any)
	s, _ := data["compression-type"].(string)
	return s
}

// QemuVirtualSize returns the virtual size qemu-img info reports.
func QemuVirtualSize(t testing.TB, img string) int64 {
	t.Helper()
	v, ok := QemuInfo(t, img)["virtual-size"].(float64)
	if !ok {
		t.Fatalf("qemu-img info %s: no virtual-size", img)
	}
	return int64(v)
}

// QemuCompare fails the test unless qemu-img compare finds the
// guest-visible content of a and b identical (a larger image must read as
// zeros beyond the smaller one's end; compare sizes with QemuVirtualSize).
// Formats are probed; pass images of known format only.
func QemuCompare(t testing.TB, a, b string) {
	t.Helper()
	Need(t, "qemu-img")
	out, err := RunErr("qemu-img", "compare", a, b)
	if err != nil {
		t.Fatalf("qemu-img compare %s %s: %v\n%s", a, b, err, out)
	}
}

// QemuConvert runs qemu-img convert -O format src dst with extra args
// (e.g. "-c", "-o", "compression_type=zstd") placed before src.
func QemuConvert(t testing.TB, src, dst, format string, extra ...string) {
	t.Helper()
	args := append([]string{"convert", "-O", format}, extra...)
	QemuImg(t, append(args, src, dst)...)
}
