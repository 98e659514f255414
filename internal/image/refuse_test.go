package image_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// wantRefused opens path and checks the error: errors.Is each sentinel,
// and a message naming the file (and the format, if given).
func wantRefused(t *testing.T, path, format string, sentinels ...error) {
	t.Helper()
	d, err := image.Open(path)
	if err == nil {
		d.Close()
		t.Fatalf("Open(%s) succeeded, want %v", path, sentinels)
	}
	for _, s := range sentinels {
		if !errors.Is(err, s) {
			t.Errorf("Open(%s) = %v; not %v", path, err, s)
		}
	}
	if !strings.Contains(err.Error(), filepath.Base(path)) {
		t.Errorf("error %q does not name the file", err)
	}
	if format != "" && !strings.Contains(err.Error(), format) {
		t.Errorf("error %q does not name the format %q", err, format)
	}
}

func TestOpenRefusesForeignFormats(t *testing.T) {
	for _, c := range []struct{ format, opts, name string }{
		{"vmdk", "", "vmdk"},
		{"vmdk", "subformat=monolithicFlat", "vmdk"}, // text descriptor
		{"vpc", "", "vpc"},
		{"vpc", "subformat=fixed", "vpc"},
		{"vhdx", "", "vhdx"},
		{"vdi", "", "vdi"},
		{"qcow", "", "qcow"},
		{"qed", "", "qed"},
		{"parallels", "", "parallels"},
	} {
		t.Run(c.format+c.opts, func(t *testing.T) {
			img := testtool.QemuCreate(t, "disk."+c.format, c.format, "4M", c.opts)
			wantRefused(t, img, c.name, image.ErrUnsupported)
		})
	}
}

func TestOpenRefusesEncrypted(t *testing.T) {
	img := filepath.Join(t.TempDir(), "aes.qcow2")
	testtool.QemuImg(t, "create", "-q", "-f", "qcow2", "--object", "secret,id=s0,data=pw",
		"-o", "encrypt.format=aes,encrypt.key-secret=s0", img, "4M")
	wantRefused(t, img, "qcow2", image.ErrEncrypted, image.ErrUnsupported)
	// qemu-img create -o encrypt.format=luks runs a PBKDF benchmark that
	// takes 20 s on a loaded machine; it differs from the AES image above
	// in crypt_method (0x20) = 2 and an encryption header extension, so
	// patch the field into a plain image.
	b, err := os.ReadFile(qemuInput(t, "6M", ""))
	if err != nil {
		t.Fatal(err)
	}
	binary.BigEndian.PutUint32(b[0x20:], 2)
	img = filepath.Join(t.TempDir(), "luks.qcow2")
	if err := os.WriteFile(img, b, 0o644); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, img, "qcow2", image.ErrEncrypted)
	// A LUKS volume: qemu-img create -f luks needs a PBKDF benchmark that
	// fails in some sandboxes, so write the LUKS2 binary header's magic
	// and version (cryptsetup's luks2.h) at the start of a raw file.
	luks := filepath.Join(t.TempDir(), "disk.luks")
	hdr := make([]byte, 1<<20)
	copy(hdr, "LUKS\xba\xbe\x00\x02")
	if err := os.WriteFile(luks, hdr, 0o644); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, luks, "luks", image.ErrEncrypted)
}

func TestOpenRefusesExternalData(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "ext.qcow2")
	testtool.QemuImg(t, "create", "-q", "-f", "qcow2", "-o", "data_file="+filepath.Join(dir, "data.raw"), img, "4M")
	wantRefused(t, img, "external data file", image.ErrUnsupported)
}

func TestOpenRefusesBrokenChains(t *testing.T) {
	dir := t.TempDir()
	mk := func(name, backing string) string {
		p := filepath.Join(dir, name)
		args := []string{"create", "-q", "-f", "qcow2"}
		if backing != "" {
			args = append(args, "-b", backing, "-F", "qcow2")
		}
		testtool.QemuImg(t, append(args, p, "4M")...)
		return p
	}
	t.Run("missing", func(t *testing.T) {
		mk("gone.qcow2", "")
		top := mk("orphan.qcow2", "gone.qcow2")
		os.Remove(filepath.Join(dir, "gone.qcow2"))
		wantRefused(t, top, "", image.ErrMissingBacking)
	})
	t.Run("loop", func(t *testing.T) {
		a := mk("a.qcow2", "")
		b := mk("b.qcow2", "a.qcow2")
		testtool.QemuImg(t, "rebase", "-u", "-f", "qcow2", "-b", "b.qcow2", "-F", "qcow2", a)
		wantRefused(t, b, "", image.ErrBackingLoop)
		self := mk("self.qcow2", "")
		testtool.QemuImg(t, "rebase", "-u", "-f", "qcow2", "-b", "self.qcow2", "-F", "qcow2", self)
		wantRefused(t, self, "", image.ErrBackingLoop)
	})
	t.Run("depth", func(t *testing.T) {
		prev := mk("d0.qcow2", "")
		for i := 1; i <= image.MaxBackingDepth+1; i++ {
			prev = mk(fmt.Sprintf("d%d.qcow2", i), filepath.Base(prev))
		}
		wantRefused(t, prev, "", image.ErrBackingDepth)
	})
	t.Run("protocol", func(t *testing.T) {
		p := mk("nbd.qcow2", "")
		testtool.QemuImg(t, "rebase", "-u", "-f", "qcow2", "-b", "nbd://127.0.0.1:1/x", "-F", "raw", p)
		wantRefused(t, p, "", image.ErrUnsupported)
	})
}

func TestOpenRefusesTruncated(t *testing.T) {
	src := qemuInput(t, "6M", "")
	fi, err := os.Stat(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int64{fi.Size() - 65536, fi.Size() / 2, 4 * 65536, 65536 + 100, 100, 7} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "cut.qcow2")
			b, _ := os.ReadFile(src)
			if err := os.WriteFile(p, b[:n], 0o644); err != nil {
				t.Fatal(err)
			}
			wantRefused(t, p, "qcow2", image.ErrTruncated, image.ErrCorrupt)
		})
	}
}

func TestOpenRefusesEmpty(t *testing.T) {
	p := filepath.Join(t.TempDir(), "empty.img")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, p, "", image.ErrEmpty)
}

// TestOpenRefusesAbsurdHeaders patches single header fields of a valid
// qcow2 (big-endian, offsets from qcow2.txt).
func TestOpenRefusesAbsurdHeaders(t *testing.T) {
	src := qemuInput(t, "6M", "")
	orig, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	u32 := func(off int, v uint32) func([]byte) { return func(b []byte) { binary.BigEndian.PutUint32(b[off:], v) } }
	u64 := func(off int, v uint64) func([]byte) { return func(b []byte) { binary.BigEndian.PutUint64(b[off:], v) } }
	for _, c := range []struct {
		name  string
		patch func([]byte)
		want  error
	}{
		{"cluster-bits-0", u32(0x14, 0), image.ErrCorrupt},
		{"cluster-bits-8", u32(0x14, 8), image.ErrCorrupt},
		{"cluster-bits-22", u32(0x14, 22), image.ErrCorrupt},
		{"cluster-bits-huge", u32(0x14, 0xffffffff), image.ErrCorrupt},
		{"virtual-size-huge", u64(0x18, 1<<63-1), image.ErrCorrupt},
		{"virtual-size-beyond-l1", u64(0x18, 1<<40), image.ErrCorrupt},
		{"l1-size-huge", u32(0x24, 0xffffffff), image.ErrCorrupt},
		{"l1-size-beyond-file", u32(0x24, 1<<20), image.ErrCorrupt},
		{"l1-offset-unaligned", u64(0x28, 0x30001), image.ErrCorrupt},
		{"l1-offset-beyond-eof", u64(0x28, 1<<40), image.ErrTruncated},
		{"header-length-odd", u32(0x64, 105), image.ErrCorrupt},
		{"header-length-huge", u32(0x64, 0xfffffff8), image.ErrCorrupt},
		{"refcount-order", u32(0x60, 7), image.ErrCorrupt},
		{"version-4", u32(0x04, 4), image.ErrUnsupported},
		{"unknown-incompatible", u64(0x48, 1<<40), image.ErrUnsupported},
		{"corrupt-bit", u64(0x48, 2), image.ErrCorrupt},
		{"backing-name-beyond-cluster", func(b []byte) { u64(0x08, 65530)(b); u32(0x10, 100)(b) }, image.ErrCorrupt},
		{"backing-name-too-long", func(b []byte) { u64(0x08, 200)(b); u32(0x10, 5000)(b) }, image.ErrCorrupt},
		{"l1-entry-beyond-eof", func(b []byte) {
			l1 := binary.BigEndian.Uint64(b[0x28:])
			binary.BigEndian.PutUint64(b[l1:], 1<<63|1<<40)
		}, image.ErrTruncated},
		{"compression-type-7", func(b []byte) { b[0x68] = 7 }, image.ErrUnsupported},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := append([]byte(nil), orig...)
			c.patch(b)
			p := filepath.Join(t.TempDir(), "bad.qcow2")
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			wantRefused(t, p, "qcow2", c.want)
		})
	}
}
