package xfs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/conformance"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// richFixture fills a mount with every on-disk shape the reader handles.
func richFixture(t testing.TB) func(dir string) {
	return func(d string) {
		w := func(p, s string) { must(t, os.WriteFile(filepath.Join(d, p), []byte(s), 0o644)) }
		must(t, os.MkdirAll(filepath.Join(d, "etc/sysconfig"), 0o755))
		w("etc/hostname", "rocky9\n")
		w("etc/machine-id", "0123456789abcdef0123456789abcdef\n")
		must(t, os.Symlink("../usr/share/zoneinfo/UTC", filepath.Join(d, "etc/localtime")))
		long := strings.Repeat("long/", 100) + "target"
		must(t, os.Symlink(long, filepath.Join(d, "etc/longlink")))
		must(t, os.Link(filepath.Join(d, "etc/hostname"), filepath.Join(d, "etc/hostname.hard")))
		// Block-format directory: a few dozen entries.
		must(t, os.Mkdir(filepath.Join(d, "block"), 0o750))
		for i := 0; i < 40; i++ {
			w(fmt.Sprintf("block/entry-%03d", i), fmt.Sprint(i))
		}
		// Leaf and node directories: hundreds and thousands of entries.
		must(t, os.Mkdir(filepath.Join(d, "leaf"), 0o755))
		for i := 0; i < 300; i++ {
			w(fmt.Sprintf("leaf/some-longer-file-name-%05d", i), "")
		}
		must(t, os.Mkdir(filepath.Join(d, "node"), 0o755))
		for i := 0; i < 5000; i++ {
			w(fmt.Sprintf("node/f%06d.conf", i), "x")
		}
		// Fragmented files: interleaved appends of two files make extent
		// lists and btree forks.
		a, err := os.Create(filepath.Join(d, "frag-a"))
		must(t, err)
		b, err := os.Create(filepath.Join(d, "frag-b"))
		must(t, err)
		for i := 0; i < 64; i++ {
			chunk := bytes.Repeat([]byte{byte(i)}, 4096)
			_, err := a.Write(chunk)
			must(t, err)
			must(t, a.Sync())
			_, err = b.Write(chunk)
			must(t, err)
			must(t, b.Sync())
		}
		must(t, a.Close())
		must(t, b.Close())
		// Sparse file with a hole, and a big contiguous file.
		sp, err := os.Create(filepath.Join(d, "sparse"))
		must(t, err)
		_, err = sp.WriteAt([]byte("end"), 10<<20)
		must(t, err)
		must(t, sp.Close())
		w("big", strings.Repeat("0123456789abcdef", 1<<16))
		// Extended attributes: shortform, leaf (many), remote value.
		w("xa-short", "s")
		must(t, syscall.Setxattr(filepath.Join(d, "xa-short"), "security.selinux", []byte("system_u:object_r:etc_t:s0\x00"), 0))
		must(t, syscall.Setxattr(filepath.Join(d, "xa-short"), "user.note", []byte("hello"), 0))
		w("xa-leaf", "l")
		for i := 0; i < 60; i++ {
			must(t, syscall.Setxattr(filepath.Join(d, "xa-leaf"), fmt.Sprintf("user.attr%03d", i), bytes.Repeat([]byte{'v'}, 40), 0))
		}
		w("xa-remote", "r")
		must(t, syscall.Setxattr(filepath.Join(d, "xa-remote"), "user.big", bytes.Repeat([]byte("0123456789"), 1000), 0))
		must(t, syscall.Setxattr(filepath.Join(d, "xa-remote"), "trusted.t", []byte("root"), 0))
		w("xa-node", "n")
		for i := 0; i < 2000; i++ {
			must(t, syscall.Setxattr(filepath.Join(d, "xa-node"), fmt.Sprintf("user.node-attribute-%05d", i), []byte(fmt.Sprint(i)), 0))
		}
		must(t, os.Chmod(filepath.Join(d, "xa-node"), 0o4755))
		must(t, os.Lchown(filepath.Join(d, "etc/localtime"), 12, 34))
		must(t, os.Chown(filepath.Join(d, "etc/hostname"), 1000, 1001))
		must(t, syscall.Mkfifo(filepath.Join(d, "fifo"), 0o600))
		must(t, syscall.Mknod(filepath.Join(d, "null"), syscall.S_IFCHR|0o666, 1<<8|3))
	}
}

var richImg string

// richImage returns one shared populated image (made once per test run).
func richImage(t *testing.T) string {
	t.Helper()
	if richImg == "" {
		img := mkfsXFS(t)
		populate(t, img, richFixture(t))
		// Keep it beyond this test's TempDir.
		dst := filepath.Join(os.TempDir(), fmt.Sprintf("xfs-rich-%d.img", os.Getpid()))
		testtool.Run(t, "cp", "--sparse=always", img, dst)
		richImg = dst
	}
	return richImg
}

func TestMain(m *testing.M) {
	code := m.Run()
	if richImg != "" {
		os.Remove(richImg)
	}
	os.Exit(code)
}

// TestReadMatchesKernel compares every file, symlink, directory and xattr
// read through the engine with a read-only kernel mount.
func TestReadMatchesKernel(t *testing.T) {
	img := richImage(t)
	f := openFS(t, img, true)
	defer f.Close()
	compareWithKernel(t, img, f)
}

// TestReadFormats checks that the fixture really has the formats it is
// meant to exercise.
func TestReadFormats(t *testing.T) {
	img := richImage(t)
	f := openFS(t, img, true)
	defer f.Close()
	for _, c := range []struct {
		path   string
		format uint8
		afmt   int
	}{
		{"/etc", fmtLocal, -1},
		{"/block", fmtExtents, -1},
		{"/node", fmtBtree, -1},
		{"/frag-a", fmtBtree, -1},
		{"/etc/localtime", fmtLocal, -1},
		{"/etc/longlink", fmtExtents, -1},
		{"/xa-short", fmtExtents, fmtLocal},
		{"/xa-leaf", fmtExtents, fmtExtents},
		{"/xa-node", fmtExtents, fmtExtents},
	} {
		n, err := f.resolve("test", c.path)
		must(t, err)
		if n.Format() != c.format {
			t.Errorf("%s: data fork format %d, want %d", c.path, n.Format(), c.format)
		}
		if c.afmt >= 0 && int(n.AFormat()) != c.afmt {
			t.Errorf("%s: attr fork format %d, want %d", c.path, n.AFormat(), c.afmt)
		}
	}
	st, err := f.Lstat("/etc/hostname")
	must(t, err)
	if st.Nlink != 2 {
		t.Errorf("hard link count %d", st.Nlink)
	}
	st, err = f.Lstat("/null")
	must(t, err)
	if st.Rdev != 1<<8|3 {
		t.Errorf("rdev %#x", st.Rdev)
	}
	es, err := f.ReadDir("/node")
	must(t, err)
	if len(es) != 5000 {
		t.Errorf("node dir: %d entries", len(es))
	}
}

// TestIOFS runs testing/fstest on the read side.
func TestIOFS(t *testing.T) {
	img := richImage(t)
	f := openFS(t, img, true)
	defer f.Close()
	if err := fstest.TestFS(conformance.IOFS(f), "etc/hostname", "etc/longlink", "frag-a", "node/f000123.conf"); err != nil {
		t.Fatal(err)
	}
}

// TestFreeRanges checks the free ranges against the AGFs' free block counts
// plus the blocks on each AG free list (they hold nothing live, and may hold
// the bytes of files just removed, so they must be reported free), and that
// no range touches a file's data.
func TestFreeRanges(t *testing.T) {
	img := richImage(t)
	f := openFS(t, img, true)
	defer f.Close()
	rs, err := f.FreeRanges()
	must(t, err)
	var total int64
	for i, r := range rs {
		total += r.Len
		if i > 0 && r.Off < rs[i-1].End() {
			t.Fatalf("ranges overlap: %v %v", rs[i-1], r)
		}
	}
	var agfree int64
	for ag := uint32(0); ag < f.sb.AGCount; ag++ {
		a, err := f.readAGF(ag)
		must(t, err)
		agfree += int64(a.FreeBlks) + int64(a.FlCount)
	}
	if total != agfree*f.bs {
		t.Fatalf("free ranges hold %d bytes, AGFs say %d free and free-list blocks", total, agfree)
	}
	// Every data extent of frag-a lies outside every free range.
	n, err := f.resolve("t", "/frag-a")
	must(t, err)
	exts, err := f.forkExtents(n, forkData)
	must(t, err)
	for _, e := range exts {
		off, _ := f.fsbOff(e.Start)
		end := off + int64(e.Len)*f.bs
		for _, r := range rs {
			if off < r.End() && r.Off < end {
				t.Fatalf("extent %+v overlaps free range %+v", e, r)
			}
		}
	}
	if _, ok := fs.Engine(Engine{}).(fs.Engine); !ok || !(Engine{}).Probe(openImageFile(t, img), 1<<20) {
		t.Fatal("Probe does not recognise an XFS image")
	}
	if f.UUID() == "" || len(f.UUID()) != 36 {
		t.Fatalf("UUID %q", f.UUID())
	}
}
