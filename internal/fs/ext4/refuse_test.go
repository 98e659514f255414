package ext4

import (
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/conformance"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// patchSuperblock edits the primary superblock of an image file and, with
// fixCsum, recomputes its checksum as a real tool would.
func patchSuperblock(t *testing.T, img string, fixCsum bool, edit func(sb []byte)) {
	t.Helper()
	fh, err := os.OpenFile(img, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sb := make([]byte, superblockSize)
	if _, err := fh.ReadAt(sb, superblockOff); err != nil {
		t.Fatal(err)
	}
	edit(sb)
	if fixCsum && ROCompat(binary.LittleEndian.Uint32(sb[0x64:])).Has(ROCompatMetadataCsum) {
		binary.LittleEndian.PutUint32(sb[sbOffChecksum:], crc32c(^uint32(0), sb[:sbOffChecksum]))
	}
	if _, err := fh.WriteAt(sb, superblockOff); err != nil {
		t.Fatal(err)
	}
}

func openErr(t *testing.T, img string, ro bool) error {
	t.Helper()
	f, err := Open(openImageFile(t, img), fs.OpenOptions{Name: "disk.qcow2 partition 1", ReadOnly: ro})
	if err == nil {
		f.Close()
	}
	return err
}

func setBits(off int, bits uint32) func([]byte) {
	return func(sb []byte) {
		binary.LittleEndian.PutUint32(sb[off:], binary.LittleEndian.Uint32(sb[off:])|bits)
	}
}

// TestRefusals checks that unsafe filesystems are refused with an error
// naming the volume and the feature, and that reads still work where safe.
func TestRefusals(t *testing.T) {
	for _, c := range []struct {
		name     string
		fixCsum  bool
		edit     func([]byte)
		rwErr    error
		rwText   string
		roOK     bool
		roErr    error
		mkfsArgs []string
	}{
		{"needs_recovery", true, setBits(0x60, uint32(IncompatRecover)), fs.ErrUnsupported, "journal needs recovery", true, nil, nil},
		{"unknown_incompat", true, setBits(0x60, 0x80000000), fs.ErrUnsupported, "incompat_0x80000000", false, fs.ErrUnsupported, nil},
		{"unknown_ro_compat", true, setBits(0x64, 0x40000000), fs.ErrUnsupported, "ro_compat_0x40000000", true, nil, nil},
		{"bad_sb_checksum", false, func(sb []byte) { sb[0x78] ^= 0xFF }, fs.ErrCorrupt, "superblock checksum", false, fs.ErrCorrupt, nil},
		{"bad_magic", true, func(sb []byte) { sb[0x38] = 0 }, fs.ErrCorrupt, "magic", false, fs.ErrCorrupt, nil},
		{"orphans", true, func(sb []byte) { binary.LittleEndian.PutUint32(sb[0xE8:], 12) }, fs.ErrUnsupported, "orphan", true, nil, nil},
		{"errors_state", true, func(sb []byte) { binary.LittleEndian.PutUint16(sb[0x3A:], 3) }, fs.ErrUnsupported, "errors", true, nil, nil},
		{"unclean", true, func(sb []byte) { binary.LittleEndian.PutUint16(sb[0x3A:], 0) }, fs.ErrUnsupported, "not cleanly unmounted", true, nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			img := testtool.MkfsExt4(t, testtool.Tree{"etc/hostname": "x\n"}, "16M", c.mkfsArgs...)
			patchSuperblock(t, img, c.fixCsum, c.edit)
			err := openErr(t, img, false)
			if !errors.Is(err, c.rwErr) || !strings.Contains(err.Error(), c.rwText) || !strings.Contains(err.Error(), "disk.qcow2 partition 1") {
				t.Fatalf("read-write open: %v, want %v mentioning %q and the volume", err, c.rwErr, c.rwText)
			}
			err = openErr(t, img, true)
			if c.roOK && err != nil {
				t.Fatalf("read-only open: %v", err)
			}
			if !c.roOK && !errors.Is(err, c.roErr) {
				t.Fatalf("read-only open: %v, want %v", err, c.roErr)
			}
		})
	}
}

// TestBadGroupDescriptorChecksum flips a byte of a descriptor.
func TestBadGroupDescriptorChecksum(t *testing.T) {
	img := testtool.MkfsExt4(t, testtool.Tree{"a": "b"}, "16M", "-b", "4096")
	fh, err := os.OpenFile(img, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b [1]byte
	fh.ReadAt(b[:], 4096+gdItableUnusedLo)
	b[0] ^= 1
	fh.WriteAt(b[:], 4096+gdItableUnusedLo)
	fh.Close()
	if err := openErr(t, img, true); !errors.Is(err, fs.ErrCorrupt) || !strings.Contains(err.Error(), "group 0 descriptor checksum") {
		t.Fatalf("open: %v", err)
	}
}

// TestWriteRefusedFeatures: quota blocks writes (usage accounting), reads work;
// inline-data files are read but never rewritten.
func TestWriteRefusedFeatures(t *testing.T) {
	t.Run("quota", func(t *testing.T) {
		img := testtool.MkfsExt4(t, testtool.Tree{"etc/hostname": "x\n"}, "16M", "-O", "quota")
		f := openFS(t, img, false)
		defer f.Close()
		if b, err := fs.ReadFile(f, "/etc/hostname"); err != nil || string(b) != "x\n" {
			t.Fatalf("read: %q %v", b, err)
		}
		err := f.WriteFile("/etc/hostname", []byte("y"), 0o644)
		if !errors.Is(err, fs.ErrUnsupported) || !strings.Contains(err.Error(), "quota") {
			t.Fatalf("write with quota: %v", err)
		}
	})
	t.Run("inline_data", func(t *testing.T) {
		img := testtool.MkfsExt4(t, testtool.Tree{"etc/hostname": "inline\n", "etc/big": strings.Repeat("b", 9000)}, "16M",
			"-O", "inline_data", "-b", "4096")
		f := openFS(t, img, false)
		if b, err := fs.ReadFile(f, "/etc/hostname"); err != nil || string(b) != "inline\n" {
			t.Fatalf("read inline: %q %v", b, err)
		}
		err := f.WriteFile("/etc/hostname", []byte("y"), 0o644)
		if !errors.Is(err, fs.ErrUnsupported) || !strings.Contains(err.Error(), "inline") {
			t.Fatalf("rewrite inline file: %v", err)
		}
		if err := f.WriteFile("/etc/big", []byte("short now"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := f.WriteFile("/new", []byte("new file"), 0o644); err != nil {
			t.Fatal(err)
		}
		want := conformance.Snapshot(t, f)
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		checkImage(t, img, nil, want)
		testtool.WantDebugfs(t, img, "cat /etc/big", "short now")
	})
}

// TestReadOnlyRefusesWrites: a read-only open never writes.
func TestReadOnlyRefusesWrites(t *testing.T) {
	img := testtool.MkfsExt4(t, testtool.Tree{"a": "b"}, "16M")
	before, _ := os.ReadFile(img)
	f := openFS(t, img, true)
	if err := f.WriteFile("/a", []byte("c"), 0o644); !errors.Is(err, fs.ErrReadOnly) {
		t.Fatalf("write on read-only: %v", err)
	}
	f.Close()
	after, _ := os.ReadFile(img)
	if string(before) != string(after) {
		t.Fatal("read-only open changed the image")
	}
}

// TestBigallocReadOnly: bigalloc filesystems are read (matching the kernel
// and dumpe2fs's free space) but refused for writing, naming the feature.
func TestBigallocReadOnly(t *testing.T) {
	img, src := mkfsSample(t, "64M", "-b", "4096", "-O", "bigalloc", "-C", "16384")
	f := openFS(t, img, false)
	got := conformance.Snapshot(t, f)
	if d := conformance.Diff(got, testtool.Snapshot(t, src)); d != "" {
		t.Fatalf("engine vs source tree:\n%s", d)
	}
	err := f.WriteFile("/etc/hostname", []byte("x"), 0o644)
	if !errors.Is(err, fs.ErrUnsupported) || !strings.Contains(err.Error(), "bigalloc") {
		t.Fatalf("write on bigalloc: %v", err)
	}
	f.Close()
	wantFreeRanges(t, img)
}

// TestTruncatedImage: a volume shorter than the filesystem is refused.
func TestTruncatedImage(t *testing.T) {
	img := testtool.MkfsExt4(t, testtool.Tree{"a": "b"}, "16M")
	if err := os.Truncate(img, 8<<20); err != nil {
		t.Fatal(err)
	}
	err := openErr(t, img, true)
	if !errors.Is(err, fs.ErrCorrupt) || !strings.Contains(err.Error(), "truncated image") {
		t.Fatalf("open truncated image: %v", err)
	}
}
