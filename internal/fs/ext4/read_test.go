package ext4

import (
	"bytes"
	"fmt"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/conformance"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// geometries are the mkfs variants every read/write test runs on.
var geometries = []struct {
	name string
	size string
	args []string
}{
	{"ext4-4k", "64M", []string{"-b", "4096"}},
	{"ext4-1k-boot", "32M", []string{"-b", "1024"}},
	{"ext4-nocsum", "64M", []string{"-b", "4096", "-O", "^metadata_csum,uninit_bg"}},
	{"ext4-csumseed", "64M", []string{"-b", "4096", "-O", "metadata_csum_seed,orphan_file"}},
	{"ext3", "32M", []string{"-t", "ext3", "-b", "4096"}},
	{"ext2", "32M", []string{"-t", "ext2", "-b", "2048"}},
	{"ext4-64k", "128M", []string{"-b", "65536"}},
	{"ext2-nofiletype", "16M", []string{"-t", "ext2", "-O", "^filetype"}},
	{"ext4-metabg", "64M", []string{"-b", "1024", "-O", "meta_bg,^resize_inode"}},
	{"ext4-bigfs-flex", "3G", []string{"-b", "4096", "-G", "32"}},
	{"ext4-nodirindex", "32M", []string{"-O", "^dir_index,^64bit", "-I", "128", "-b", "4096"}},
}

func sampleTree() testtool.Tree {
	tr := testtool.Tree{
		"etc/hostname":       "guest\n",
		"etc/machine-id":     "0123456789abcdef0123456789abcdef\n",
		"etc/empty":          "",
		"etc/ssh/":           "",
		"etc/motd":           strings.Repeat("hello world\n", 2000),
		"bin":                "-> usr/bin",
		"usr/bin/":           "",
		"usr/lib/os-release": "ID=debian\n",
		"etc/os-release":     "-> ../usr/lib/os-release",
		"long/link":          "-> " + strings.Repeat("x/", 60) + "end",
		"var/log/":           "",
	}
	return tr
}

// mkfsWithExtras makes an image from tree plus hard links and xattrs set on
// the host tree before mkfs copies it.
func mkfsSample(t *testing.T, size string, args ...string) (img, src string) {
	t.Helper()
	testtool.Need(t, "mkfs.ext4")
	dir := t.TempDir()
	src = filepath.Join(dir, "root")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	sampleTree().WriteDir(t, src)
	if err := os.Link(filepath.Join(src, "etc/hostname"), filepath.Join(src, "etc/hostname.link")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setxattr(filepath.Join(src, "etc/hostname"), "user.note", []byte("kept"), 0); err != nil {
		t.Logf("host cannot set user xattrs here: %v", err)
	}
	big := make([]byte, 400)
	for i := range big {
		big[i] = byte(i)
	}
	_ = syscall.Setxattr(filepath.Join(src, "etc/motd"), "user.big", big, 0)
	if os.Geteuid() == 0 {
		if err := os.MkdirAll(filepath.Join(src, "dev"), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, d := range []struct {
			name string
			mode uint32
			dev  int
		}{{"null", syscall.S_IFCHR | 0o666, devNum(1, 3)}, {"big", syscall.S_IFBLK | 0o660, devNum(300, 70000)},
			{"fifo", syscall.S_IFIFO | 0o600, 0}} {
			if err := syscall.Mknod(filepath.Join(src, "dev", d.name), d.mode, d.dev); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Chmod(filepath.Join(src, "etc/ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	img = filepath.Join(dir, "ext4.img")
	a := append([]string{"-q", "-F", "-E", "root_owner=0:0", "-d", src}, args...)
	a = append(a, img, size)
	testtool.Run(t, "mkfs.ext4", a...)
	return img, src
}

// kernelCanMount reports whether the running kernel mounts this block size.
func kernelCanMount(args []string) bool {
	for i, a := range args {
		if a == "-b" && i+1 < len(args) && args[i+1] == "65536" {
			return os.Getpagesize() >= 65536
		}
	}
	return true
}

// TestReadMatchesKernel reads mkfs-made images of every geometry and compares
// the engine's view with a read-only kernel mount.
func TestReadMatchesKernel(t *testing.T) {
	for _, g := range geometries {
		t.Run(g.name, func(t *testing.T) {
			img, src := mkfsSample(t, g.size, g.args...)
			f := openFS(t, img, true)
			got := conformance.Snapshot(t, f)
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			if d := conformance.Diff(got, testtool.Snapshot(t, src)); d != "" {
				t.Fatalf("engine vs the source tree:\n%s", d)
			}
			if kernelCanMount(g.args) {
				mnt := testtool.Mount(t, "ext4", img, 0, 0)
				if d := conformance.Diff(got, testtool.Snapshot(t, mnt)); d != "" {
					t.Fatalf("engine vs kernel:\n%s", d)
				}
			}
			if len(got) < 10 {
				t.Fatalf("only %d entries read", len(got))
			}
		})
	}
}

// TestFreeRangesMatchDumpe2fs compares FreeRanges with dumpe2fs's free blocks.
func TestFreeRangesMatchDumpe2fs(t *testing.T) {
	for _, g := range geometries[:4] {
		t.Run(g.name, func(t *testing.T) {
			img, _ := mkfsSample(t, g.size, g.args...)
			wantFreeRanges(t, img)
		})
	}
}

// wantFreeRanges fails unless FreeRanges lists exactly dumpe2fs's free blocks.
func wantFreeRanges(t *testing.T, img string) {
	t.Helper()
	testtool.Need(t, "dumpe2fs")
	f := openFS(t, img, true)
	rs, err := f.FreeRanges()
	if err != nil {
		t.Fatal(err)
	}
	bs := f.geo.bs
	ratio := int64(1) << f.sb.clusterBits()
	f.Close()
	var got []string
	var total int64
	for _, r := range rs {
		a, b := r.Off/bs, r.End()/bs-1
		total += r.Len / bs
		got = append(got, fmt.Sprintf("%d-%d", a, b))
	}
	out := testtool.Run(t, "dumpe2fs", img)
	var want []string
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "  Free blocks: "); ok && rest != "" {
			for _, r := range strings.Split(rest, ", ") {
				// With bigalloc dumpe2fs names clusters by their first block.
				var a, b int64
				if n, _ := fmt.Sscanf(r, "%d-%d", &a, &b); n < 2 {
					b = a
				}
				want = append(want, fmt.Sprintf("%d-%d", a, b+ratio-1))
			}
		}
	}
	// dumpe2fs splits ranges at group boundaries; join both the same way.
	if strings.Join(joinRanges(want), ",") != strings.Join(joinRanges(got), ",") {
		t.Fatalf("free ranges:\n got %v\nwant %v", joinRanges(got), joinRanges(want))
	}
	if total == 0 {
		t.Fatal("no free space reported")
	}
}

func joinRanges(rs []string) []string {
	type r struct{ a, b int64 }
	var xs []r
	for _, s := range rs {
		var a, b int64
		if n, _ := fmt.Sscanf(s, "%d-%d", &a, &b); n < 2 {
			b = a
		}
		if k := len(xs); k > 0 && xs[k-1].b+1 == a {
			xs[k-1].b = b
			continue
		}
		xs = append(xs, r{a, b})
	}
	var out []string
	for _, x := range xs {
		out = append(out, fmt.Sprintf("%d-%d", x.a, x.b))
	}
	return out
}

// TestFSTest runs testing/fstest.TestFS on the engine's read side.
func TestFSTest(t *testing.T) {
	for _, g := range geometries[:5] {
		t.Run(g.name, func(t *testing.T) {
			img, _ := mkfsSample(t, g.size, g.args...)
			f := openFS(t, img, true)
			defer f.Close()
			if err := fstest.TestFS(conformance.IOFS(f), "etc/hostname", "etc/motd", "usr/lib/os-release", "etc/ssh"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestProbeAndDetect: the engine recognises ext2/3/4 by magic and nothing else.
func TestProbeAndDetect(t *testing.T) {
	img, _ := mkfsSample(t, "16M", "-t", "ext2")
	im := openImageFile(t, img)
	e, err := fs.Detect(im, im.Size())
	if err != nil || e.Name() != "ext4" {
		t.Fatalf("Detect: %v %v", e, err)
	}
	if (Engine{}).Probe(bytes.NewReader(make([]byte, 4096)), 4096) {
		t.Fatal("probe accepted zeros")
	}
	fsys, err := Engine{}.Open(im, fs.OpenOptions{ReadOnly: true, Name: "x"})
	if err != nil {
		t.Fatal(err)
	}
	fsys.Close()
}

// devNum encodes a device number as Linux's makedev does.
func devNum(major, minor uint64) int {
	return int(major&0xFFFFF000<<32 | major&0xFFF<<8 | minor&0xFFFFFF00<<12 | minor&0xFF)
}

// TestDeviceNodes reads device numbers of nodes mkfs copied.
func TestDeviceNodes(t *testing.T) {
	testtool.NeedRoot(t)
	img, _ := mkfsSample(t, "16M", "-b", "4096")
	f := openFS(t, img, false)
	for p, want := range map[string]int{"/dev/null": devNum(1, 3), "/dev/big": devNum(300, 70000)} {
		st, err := f.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Rdev != uint64(want) || st.Mode&iofs.ModeDevice == 0 {
			t.Errorf("%s: rdev %#x mode %v, want %#x", p, st.Rdev, st.Mode, want)
		}
	}
	for _, p := range []string{"/dev/null", "/dev/big", "/dev/fifo"} {
		if err := f.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	testtool.Fsck(t, "ext4", img)
}
