package image_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// edit is one overlay write, also replayed with qemu-io on the expected image.
type edit struct {
	off  int64
	n    int
	fill byte // 0 writes zeros
}

func (e edit) qemuIO() string {
	if e.fill == 0 {
		return fmt.Sprintf("write -z %d %d", e.off, e.n)
	}
	return fmt.Sprintf("write -P %#x %d %d", e.fill, e.off, e.n)
}

// exportCase opens in, applies edits through an overlay, exports with o and
// checks the result with qemu-img: check (qcow2), info and compare against
// the input with the same edits and discards applied by qemu-io.
func exportCase(t *testing.T, in string, edits []edit, o image.ExportOptions) (string, *image.ExportResult) {
	t.Helper()
	d, err := image.Open(in)
	if err != nil {
		t.Fatalf("Open(%s): %v", in, err)
	}
	defer d.Close()
	ov := image.NewOverlay(d, image.OverlayOptions{})
	defer ov.Close()
	for _, e := range edits {
		if _, err := ov.WriteAt(bytes.Repeat([]byte{e.fill}, e.n), e.off); err != nil {
			t.Fatal(err)
		}
	}
	ext := "qcow2"
	if o.Format == image.FormatRaw {
		ext = "raw"
	}
	out := filepath.Join(t.TempDir(), "out."+ext)
	var last int64 = -1
	o.Progress = func(done, total int64) {
		if done < last || done > total {
			t.Errorf("progress %d/%d after %d", done, total, last)
		}
		last = done
	}
	res, err := image.Export(context.Background(), ov, out, o)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	vsize := (max(o.VirtualSize, d.Size()) + 511) &^ 511
	if last != vsize {
		t.Errorf("last progress %d, want %d", last, vsize)
	}
	if res.VirtualSize != vsize || res.Path != out {
		t.Errorf("result %+v", res)
	}
	if ext == "qcow2" {
		testtool.QemuCheck(t, out)
		want := o.Compression
		if want == "" || want == "none" {
			want = "zlib"
		}
		if got := testtool.QemuCompressionType(t, out); got != want {
			t.Errorf("qemu-img info: compression type %q, want %q", got, want)
		}
	}
	if got := testtool.QemuVirtualSize(t, out); got != vsize {
		t.Errorf("qemu-img info: virtual size %d, want %d", got, vsize)
	}
	// Expected: the input as qemu reads it, edited and discarded by qemu-io.
	want := filepath.Join(t.TempDir(), "want.raw")
	testtool.QemuConvert(t, in, want, "raw")
	if vsize > d.Size() {
		testtool.QemuImg(t, "resize", "-q", "-f", "raw", want, fmt.Sprint(vsize))
	}
	var cmds []string
	for _, e := range edits {
		cmds = append(cmds, e.qemuIO())
	}
	for _, r := range o.Discard {
		off, end := max(r.Off, 0), min(r.End(), d.Size())
		if end > off {
			cmds = append(cmds, fmt.Sprintf("write -z %d %d", off, end-off))
		}
	}
	if len(cmds) > 0 {
		testtool.QemuIO(t, want, "raw", cmds...)
	}
	testtool.QemuCompare(t, want, out)
	return out, res
}

var someEdits = []edit{{0, 512, 0x42}, {70000, 5000, 0x43}, {1 << 20, 65536, 0}, {3 << 20, 100, 0x44}}

// qemuInput makes a qcow2 input of the given size with qemu-io patterns,
// optionally converted (e.g. compressed) with extra convert args.
func qemuInput(t *testing.T, size, opts string, convert ...string) string {
	img := testtool.QemuCreate(t, "in.qcow2", "qcow2", size, opts)
	testtool.QemuIO(t, img, "qcow2", patterns...)
	testtool.QemuIO(t, img, "qcow2", "write -P 0x66 2M 300k", "write -z 2200k 64k")
	if len(convert) == 0 {
		return img
	}
	out := filepath.Join(t.TempDir(), "conv.qcow2")
	testtool.QemuConvert(t, img, out, "qcow2", convert...)
	return out
}

func TestExportRoundTrips(t *testing.T) {
	outputs := []image.ExportOptions{
		{},
		{Compression: "zlib"},
		{Compression: "zstd", Workers: 3},
		{ClusterSize: 4096},
		{ClusterSize: 2 << 20, Compression: "zstd"},
		{Format: image.FormatRaw},
	}
	inputs := []struct {
		name string
		make func(t *testing.T) string
	}{
		{"qcow2", func(t *testing.T) string { return qemuInput(t, "6M", "") }},
		{"qcow2-odd-size", func(t *testing.T) string { return qemuInput(t, "5767268", "cluster_size=4096") }},
		{"qcow2-zlib", func(t *testing.T) string { return qemuInput(t, "6M", "", "-c") }},
		{"qcow2-zstd-extl2", func(t *testing.T) string {
			return qemuInput(t, "6M", "", "-c", "-o", "compression_type=zstd,extended_l2=on")
		}},
		{"raw", func(t *testing.T) string {
			img := testtool.QemuCreate(t, "in.raw", "raw", "4100k", "")
			testtool.QemuIO(t, img, "raw", "write -P 0x12 0 1M", "write -P 0x13 4000k 100k")
			return img
		}},
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			src := in.make(t)
			for _, o := range outputs {
				t.Run(fmt.Sprintf("%s-%s-%d", o.Format, o.Compression, o.ClusterSize), func(t *testing.T) {
					exportCase(t, src, someEdits, o)
				})
			}
		})
	}
}

// TestExportChainToRaw: a backing chain of 3 exported to qcow2 and raw and
// back (raw -> qcow2 -> raw).
func TestExportChain(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "base.qcow2")
	testtool.QemuImg(t, "create", "-q", "-f", "qcow2", base, "3M")
	testtool.QemuIO(t, base, "qcow2", "write -P 0x01 0 3M")
	mid := filepath.Join(dir, "mid.qcow2")
	testtool.QemuImg(t, "create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", mid, "5M")
	testtool.QemuIO(t, mid, "qcow2", "write -P 0x02 64k 64k", "write -z 1M 128k", "write -P 0x03 4M 10k")
	top := filepath.Join(dir, "top.qcow2")
	testtool.QemuImg(t, "create", "-q", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2", top, "5M")
	testtool.QemuIO(t, top, "qcow2", "write -P 0x04 100k 3k", "write -z 2M 64k")
	q, _ := exportCase(t, top, someEdits, image.ExportOptions{Compression: "zstd"})
	r, _ := exportCase(t, q, nil, image.ExportOptions{Format: image.FormatRaw})
	exportCase(t, r, nil, image.ExportOptions{})
}

// TestExportDiscard: discarded bytes never reach the output; clusters wholly
// discarded are not allocated.
func TestExportDiscard(t *testing.T) {
	src := testtool.QemuCreate(t, "in.raw", "raw", "4M", "")
	secret := "SECRET-KEY-MATERIAL"
	var cmds []string
	for off := 0; off < 4<<20; off += 4096 {
		cmds = append(cmds, fmt.Sprintf("write -P 0x%02x %d 4096", 0x20+off/4096%64, off))
	}
	testtool.QemuIO(t, src, "raw", cmds...)
	f, err := os.OpenFile(src, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{100000, 1 << 20, 3<<20 + 77} {
		f.WriteAt([]byte(secret), off)
	}
	f.Close()
	discard := []image.Range{
		{Off: 1<<20 - 4096, Len: 200000}, // covers whole 64 KiB clusters and parts of others
		{Off: 99000, Len: 2000},          // inside one cluster
		{Off: 3<<20 + 70, Len: 40},       // unaligned
		{Off: 99500, Len: 100},           // overlaps another
		{Off: 4<<20 - 10, Len: 1 << 30},  // past the end
	}
	for _, format := range []image.Format{image.FormatQcow2, image.FormatRaw} {
		out, res := exportCase(t, src, nil, image.ExportOptions{Format: format, Discard: discard})
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s: discarded secret found in the output file", format)
		}
		if format == image.FormatQcow2 {
			// 4 MiB of data less the 64 KiB clusters wholly inside the first discard.
			if want := int64(4<<20 - 2*65536); res.AllocatedBytes != want {
				t.Errorf("AllocatedBytes = %d, want %d", res.AllocatedBytes, want)
			}
		}
	}
}

// TestExportZeroClustersNotStored: all-zero data written into a qcow2 is not
// allocated in the output.
func TestExportZeroClustersNotStored(t *testing.T) {
	src := testtool.QemuCreate(t, "in.qcow2", "qcow2", "64M", "")
	testtool.QemuIO(t, src, "qcow2", "write -P 0 0 8M", "write -P 0x55 32M 64k")
	out, res := exportCase(t, src, nil, image.ExportOptions{})
	if res.AllocatedBytes != 65536 {
		t.Errorf("AllocatedBytes = %d, want one cluster", res.AllocatedBytes)
	}
	if fi, _ := os.Stat(out); fi.Size() > 6*65536 {
		t.Errorf("output is %d bytes", fi.Size())
	}
}

func TestExportGrowAndShrink(t *testing.T) {
	src := qemuInput(t, "6M", "")
	exportCase(t, src, someEdits, image.ExportOptions{VirtualSize: 10<<20 + 512})
	exportCase(t, src, nil, image.ExportOptions{VirtualSize: 9 << 20, Format: image.FormatRaw})
	d, err := image.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	out := filepath.Join(t.TempDir(), "small.qcow2")
	if _, err := image.Export(context.Background(), d, out, image.ExportOptions{VirtualSize: 5 << 20}); !errors.Is(err, image.ErrShrink) {
		t.Errorf("shrink: %v, want ErrShrink", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a refused export left %s", out)
	}
}

func TestExportRefusesInput(t *testing.T) {
	src := qemuInput(t, "6M", "")
	before, _ := os.ReadFile(src)
	dir := t.TempDir()
	link := filepath.Join(dir, "link.qcow2")
	hard := filepath.Join(filepath.Dir(src), "hard.qcow2")
	if err := os.Symlink(src, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(src, hard); err != nil {
		t.Fatal(err)
	}
	d, err := image.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ov := image.NewOverlay(d, image.OverlayOptions{})
	for _, dst := range []string{src, link, hard} {
		if _, err := image.Export(context.Background(), ov, dst, image.ExportOptions{}); !errors.Is(err, image.ErrSameFile) {
			t.Errorf("Export to %s: %v, want ErrSameFile", dst, err)
		}
	}
	other := filepath.Join(dir, "other.img")
	os.WriteFile(other, []byte("x"), 0o644)
	if _, err := image.Export(context.Background(), ov, other, image.ExportOptions{Inputs: []string{other}}); !errors.Is(err, image.ErrSameFile) {
		t.Errorf("Export onto an explicit input: %v, want ErrSameFile", err)
	}
	after, _ := os.ReadFile(src)
	if !bytes.Equal(before, after) {
		t.Errorf("the input changed")
	}
}

// TestExportCancelLeavesNothing: a cancelled export leaves neither the
// destination nor a temp file.
func TestExportCancelLeavesNothing(t *testing.T) {
	src := qemuInput(t, "6M", "")
	d, err := image.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	dir := t.TempDir()
	dst := filepath.Join(dir, "out.qcow2")
	os.WriteFile(dst, []byte("previous"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	_, err = image.Export(ctx, d, dst, image.ExportOptions{Progress: func(done, total int64) {
		if done > 0 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Export: %v, want context.Canceled", err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != "out.qcow2" {
		t.Errorf("directory holds %s", strings.Join(names, ", "))
	}
	if b, _ := os.ReadFile(dst); string(b) != "previous" {
		t.Errorf("destination changed: %q", b)
	}
}

// TestExportCompressedPacking: half-compressible clusters make compressed
// data that straddles host cluster boundaries; qemu must agree on the
// refcounts (check) and the content (compare).
func TestExportCompressedPacking(t *testing.T) {
	const size = 3<<20 + 1000
	b := make([]byte, size)
	seed := uint32(1)
	for i := range b {
		if i%4096 < 1500 { // a random run, then a compressible rest
			seed = seed*1664525 + 1013904223
			b[i] = byte(seed >> 24)
		} else {
			b[i] = byte(i % 7)
		}
	}
	src := filepath.Join(t.TempDir(), "in.raw")
	if err := os.WriteFile(src, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"zlib", "zstd"} {
		for _, cs := range []int{4096, 65536} {
			_, res := exportCase(t, src, nil, image.ExportOptions{Compression: c, ClusterSize: cs})
			if res.AllocatedBytes >= size*3/4 {
				t.Errorf("%s/%d: %d bytes stored for %d: not compressed?", c, cs, res.AllocatedBytes, size)
			}
		}
	}
}

// TestOverlaySpillLeavesNothing: the spill file is unlinked at once.
func TestOverlaySpillLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	o := image.NewOverlay(rawDisk(t, make([]byte, 1<<20)), image.OverlayOptions{MemoryLimit: 4096, TempDir: dir})
	if _, err := o.WriteAt(bytes.Repeat([]byte{7}, 64<<10), 4096); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("spill dir holds %d entries", len(entries))
	}
	got := make([]byte, 64<<10)
	if _, err := o.ReadAt(got, 4096); err != nil || !bytes.Equal(got, bytes.Repeat([]byte{7}, 64<<10)) {
		t.Errorf("read back from the spill file: %v", err)
	}
	o.Close()
}
