package image_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// wantSameAsQemu opens img with Open and checks that every byte it reads
// equals what qemu-img convert -O raw makes of the same image.
func wantSameAsQemu(t *testing.T, img string) *image.Disk {
	t.Helper()
	ref := filepath.Join(t.TempDir(), "ref.raw")
	testtool.QemuConvert(t, img, ref, "raw")
	want, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	d, err := image.Open(img)
	if err != nil {
		t.Fatalf("Open(%s): %v", img, err)
	}
	t.Cleanup(func() { d.Close() })
	if d.Size() != int64(len(want)) {
		t.Fatalf("Size() = %d, qemu says %d", d.Size(), len(want))
	}
	got := make([]byte, len(want))
	// Odd-sized reads crossing cluster and subcluster boundaries.
	for off := 0; off < len(got); {
		n := min(len(got)-off, 7*4096+511)
		if _, err := d.ReadAt(got[off:off+n], int64(off)); err != nil {
			t.Fatalf("ReadAt(%d, +%d): %v", off, n, err)
		}
		off += n
	}
	if i := firstDiff(got, want); i >= 0 {
		t.Fatalf("%s: byte %d differs from qemu's reading: got %#x want %#x", img, i, got[i], want[i])
	}
	checkDataExtents(t, d, want)
	if _, err := d.ReadAt(make([]byte, 2), d.Size()-1); !errors.Is(err, image.ErrOutOfRange) {
		t.Errorf("ReadAt across the end: %v, want ErrOutOfRange", err)
	}
	if _, err := d.WriteAt([]byte{1}, 0); !errors.Is(err, image.ErrReadOnly) {
		t.Errorf("WriteAt: %v, want ErrReadOnly", err)
	}
	return d
}

// checkDataExtents checks that every range DataExtent calls a hole reads
// as zeros in want.
func checkDataExtents(t *testing.T, m interface {
	image.Mapper
	Size() int64
}, want []byte) {
	t.Helper()
	for off := int64(0); off < m.Size(); {
		data, n, err := m.DataExtent(off)
		if err != nil || n <= 0 || off+n > m.Size() {
			t.Fatalf("DataExtent(%d) = %v, %d, %v", off, data, n, err)
		}
		if !data {
			if i := bytes.IndexFunc(want[off:off+n], func(r rune) bool { return r != 0 }); i >= 0 {
				t.Fatalf("DataExtent(%d) says hole of %d bytes, but byte %d is not zero", off, n, off+int64(i))
			}
		}
		off += n
	}
}

func firstDiff(a, b []byte) int {
	if bytes.Equal(a, b) {
		return -1
	}
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// patterns writes a recognisable mix: data, a zeroed range, a partial
// last cluster, unaligned writes.
var patterns = []string{
	"write -P 0xab 0 100k",
	"write -P 0x11 1M 64k",
	"write -z 1M 4k",
	"write -P 0x22 3000000 12345",
	"write -P 0x33 5767168 100",
}

func TestOpenQcow2Variants(t *testing.T) {
	cases := []struct{ name, opts, size string }{
		{"v3", "", "6M"},
		{"v2", "compat=0.10", "6M"},
		{"small-clusters", "cluster_size=512", "6M"},
		{"big-clusters", "cluster_size=2M", "6M"},
		{"extended-l2", "extended_l2=on,cluster_size=64k", "6M"},
		{"extended-l2-zstd", "extended_l2=on,cluster_size=32k,compression_type=zstd", "6M"},
		{"odd-size", "", "5767268"},
		{"refcount-bits-1", "refcount_bits=1", "6M"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img := testtool.QemuCreate(t, "in.qcow2", "qcow2", c.size, c.opts)
			testtool.QemuIO(t, img, "qcow2", patterns...)
			d := wantSameAsQemu(t, img)
			if d.Format != image.FormatQcow2 {
				t.Errorf("Format = %q", d.Format)
			}
		})
	}
}

func TestOpenCompressed(t *testing.T) {
	for _, ct := range []string{"zlib", "zstd"} {
		t.Run(ct, func(t *testing.T) {
			src := testtool.QemuCreate(t, "src.qcow2", "qcow2", "6M", "")
			testtool.QemuIO(t, src, "qcow2", patterns...)
			testtool.QemuIO(t, src, "qcow2", "write -P 0x44 2M 1M") // compressible
			img := filepath.Join(t.TempDir(), "c.qcow2")
			testtool.QemuConvert(t, src, img, "qcow2", "-c", "-o", "compression_type="+ct)
			d := wantSameAsQemu(t, img)
			if d.Compression != ct {
				t.Errorf("Compression = %q, want %q", d.Compression, ct)
			}
			// Extended L2 with compressed clusters goes through our decoder.
			img2 := filepath.Join(t.TempDir(), "c2.qcow2")
			testtool.QemuConvert(t, src, img2, "qcow2", "-c", "-o", "extended_l2=on,compression_type="+ct)
			wantSameAsQemu(t, img2)
		})
	}
}

func TestOpenRaw(t *testing.T) {
	img := testtool.QemuCreate(t, "disk.img", "raw", "3000001", "")
	testtool.QemuIO(t, img, "raw", "write -P 0x5a 4096 8192", "write -P 0x77 2999000 1001")
	d := wantSameAsQemu(t, img)
	if d.Format != image.FormatRaw || d.Size() != 3000320 /* qemu-img rounds up to 512 */ {
		t.Errorf("Format, Size = %q, %d", d.Format, d.Size())
	}
	if _, err := d.WriteAt([]byte{1}, 0); !errors.Is(err, image.ErrReadOnly) {
		t.Errorf("WriteAt on an opened disk: %v, want image.ErrReadOnly", err)
	}
	if _, err := d.ReadAt(make([]byte, 2), d.Size()-1); !errors.Is(err, image.ErrOutOfRange) {
		t.Errorf("ReadAt past the end: %v, want image.ErrOutOfRange", err)
	}
}

// TestOpenBackingChain: raw base <- qcow2 <- qcow2 (relative names), each
// layer overwriting part of the one below, the base smaller than the top.
func TestOpenBackingChain(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, "base.raw")
	testtool.QemuImg(t, "create", "-q", "-f", "raw", base, "2M")
	testtool.QemuIO(t, base, "raw", "write -P 0x01 0 2M")
	mid := filepath.Join(sub, "mid.qcow2")
	testtool.QemuImg(t, "create", "-q", "-f", "qcow2", "-b", "../base.raw", "-F", "raw", mid, "4M")
	testtool.QemuIO(t, mid, "qcow2", "write -P 0x02 64k 64k", "write -P 0x03 3M 4k", "write -z 1M 64k")
	top := filepath.Join(dir, "top.qcow2")
	testtool.QemuImg(t, "create", "-q", "-f", "qcow2", "-o", "extended_l2=on", "-b", "sub/mid.qcow2", "-F", "qcow2", top, "6M")
	testtool.QemuIO(t, top, "qcow2", "write -P 0x04 70k 10k", "write -z 1500k 8k", "write -P 0x05 5M 1k")
	d := wantSameAsQemu(t, top)
	if len(d.BackingChain) != 2 || d.BackingChain[1] != base {
		t.Errorf("BackingChain = %q", d.BackingChain)
	}
}
