package ext4

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/conformance"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// TestBlockMappedFilesOnExt4: an ext3 filesystem converted with tune2fs -O
// extent keeps block-mapped files; the engine reads, rewrites, truncates
// and frees them (indirect blocks included).
func TestBlockMappedFilesOnExt4(t *testing.T) {
	testtool.Need(t, "tune2fs")
	big := strings.Repeat("0123456789abcdef", 20000) // 320 KB: double indirect with 1 KiB blocks
	img := testtool.MkfsExt4(t, testtool.Tree{
		"old/a": big, "old/b": big[:50000], "old/c": big[:100000], "old/d": "tiny",
	}, "32M", "-t", "ext3", "-b", "1024")
	testtool.Run(t, "tune2fs", "-O", "extent", img)
	f := openFS(t, img, false)
	if got, err := fs.ReadFile(f, "/old/a"); err != nil || string(got) != big {
		t.Fatalf("read block-mapped file: %v", err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.WriteFile("/old/b", []byte("replaced"), 0o644))
	must(f.Remove("/old/a"))
	must(f.Truncate("/old/c", 30000))
	must(f.WriteFile("/new", []byte(big[:70000]), 0o644))
	want := conformance.Snapshot(t, f)
	must(f.Close())
	checkImage(t, img, nil, want)
}

// TestUninitializedExtents: files preallocated by the kernel (fallocate)
// read as zeros where unwritten and are truncated and freed cleanly.
func TestUninitializedExtents(t *testing.T) {
	testtool.NeedRoot(t)
	testtool.Need(t, "fallocate")
	img := testtool.MkfsExt4(t, testtool.Tree{"keep": "k"}, "32M", "-b", "4096")
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	testtool.Run(t, "mount", "-o", "loop", img, mnt)
	mounted := true
	defer func() {
		if mounted {
			testtool.Run(t, "umount", mnt)
		}
	}()
	testtool.Run(t, "fallocate", "-l", "600K", filepath.Join(mnt, "prealloc"))
	testtool.Run(t, "fallocate", "-l", "300K", filepath.Join(mnt, "gone"))
	fh, err := os.OpenFile(filepath.Join(mnt, "prealloc"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteAt(bytes.Repeat([]byte("w"), 10000), 200000)
	fh.Close()
	testtool.Run(t, "umount", mnt)
	mounted = false

	f := openFS(t, img, false)
	got, err := fs.ReadFile(f, "/prealloc")
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 600*1024)
	copy(want[200000:], bytes.Repeat([]byte("w"), 10000))
	if !bytes.Equal(got, want) {
		t.Fatal("preallocated file does not read as zeros around the written part")
	}
	if err := f.Truncate("/prealloc", 205000); err != nil {
		t.Fatal(err)
	}
	if err := f.Remove("/gone"); err != nil {
		t.Fatal(err)
	}
	snap := conformance.Snapshot(t, f)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	checkImage(t, img, nil, snap)
}

// TestPOSIXACLs: ACLs written through the engine in the generic form are
// what the kernel's getxattr returns (it decodes ext4's compact form), and
// they read back unchanged.
func TestPOSIXACLs(t *testing.T) {
	img := testtool.MkfsExt4(t, testtool.Tree{"f": "x", "d/": ""}, "16M", "-b", "4096")
	f := openFS(t, img, false)
	acl := binary.LittleEndian.AppendUint32(nil, aclVFSVersion)
	for _, e := range [][3]uint32{{aclUserObj, 6, aclUndefinedID}, {aclUser, 6, 1000}, {aclGroupObj, 4, aclUndefinedID},
		{aclGroup, 4, 50}, {aclMask, 6, aclUndefinedID}, {aclOther, 4, aclUndefinedID}} {
		acl = binary.LittleEndian.AppendUint16(acl, uint16(e[0]))
		acl = binary.LittleEndian.AppendUint16(acl, uint16(e[1]))
		acl = binary.LittleEndian.AppendUint32(acl, e[2])
	}
	for _, c := range []struct{ p, name string }{{"/f", "system.posix_acl_access"}, {"/d", "system.posix_acl_default"}} {
		if err := f.SetXattr(c.p, c.name, acl); err != nil {
			t.Fatal(err)
		}
		xs, err := f.GetXattrs(c.p)
		if err != nil || !bytes.Equal(xs[c.name], acl) {
			t.Fatalf("%s: read back %x, %v", c.p, xs[c.name], err)
		}
	}
	if err := f.SetXattr("/d", "system.posix_acl_access", []byte("junk")); err == nil {
		t.Fatal("accepted a malformed ACL")
	}
	snap := conformance.Snapshot(t, f)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	checkImage(t, img, nil, snap)
}

// TestSharedXattrBlocks: the kernel shares identical xattr blocks between
// inodes (h_refcount); editing one inode's attributes copies the block,
// removing an inode drops a reference, and e2fsck checks the counts.
func TestSharedXattrBlocks(t *testing.T) {
	testtool.NeedRoot(t)
	img := testtool.MkfsExt4(t, testtool.Tree{"a": "1", "b": "2", "c": "3", "d": "4"}, "16M", "-b", "4096", "-I", "128")
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	testtool.Run(t, "mount", "-o", "loop", img, mnt)
	shared := bytes.Repeat([]byte("s"), 600)
	for _, n := range []string{"a", "b", "c", "d"} {
		if err := syscall.Setxattr(filepath.Join(mnt, n), "user.shared", shared, 0); err != nil {
			testtool.Run(t, "umount", mnt)
			t.Fatal(err)
		}
	}
	testtool.Run(t, "umount", mnt)
	f := openFS(t, img, false)
	blocks := map[uint64]int{}
	for _, n := range []string{"/a", "/b", "/c", "/d"} {
		in, err := f.resolve("t", n)
		if err != nil {
			t.Fatal(err)
		}
		blocks[in.FileACL()]++
	}
	if len(blocks) != 1 {
		t.Skipf("the kernel did not share the xattr block (%d blocks)", len(blocks))
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetXattr("/a", "user.own", []byte("mine")))    // copy on write
	must(f.RemoveXattr("/b", "user.shared"))              // drop a reference
	must(f.Remove("/c"))                                  // drop another
	must(f.WriteFile("/d", []byte("new content"), 0o644)) // keeps its reference
	xs, err := f.GetXattrs("/d")
	if err != nil || !bytes.Equal(xs["user.shared"], shared) {
		t.Fatalf("shared attribute lost: %v", err)
	}
	want := conformance.Snapshot(t, f)
	must(f.Close())
	checkImage(t, img, nil, want)
}

// TestRevision0 reads and edits a revision-0 ext2 (no features at all:
// 128-byte inodes, no filetype, no xattrs, superblock copies in every group).
func TestRevision0(t *testing.T) {
	img := testtool.MkfsExt4(t, testtool.Tree{"etc/hostname": "old\n", "etc/motd": strings.Repeat("m", 30000), "l": "-> etc"},
		"16M", "-t", "ext2", "-r", "0")
	f := openFS(t, img, false)
	for _, err := range []error{
		f.WriteFile("/etc/hostname", []byte("new\n"), 0o644), f.Remove("/etc/motd"), f.Mkdir("/srv", 0o700),
		f.Symlink(strings.Repeat("t", 100), "/srv/slow"), f.Rename("/l", "/srv/l"), f.Truncate("/etc/hostname", 2),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetXattr("/srv", "user.x", nil); !errors.Is(err, fs.ErrUnsupported) {
		t.Fatalf("xattr without ext_attr: %v", err)
	}
	want := conformance.Snapshot(t, f)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	checkImage(t, img, nil, want)
}
