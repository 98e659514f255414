package ext4

import (
	"encoding/binary"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// patchAt writes b at off in an image file (a hostile edit, no checksums fixed).
func patchAt(t *testing.T, img string, off int64, b []byte) {
	t.Helper()
	fh, err := os.OpenFile(img, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if _, err := fh.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// within fails the test if fn does not return within a few seconds.
func within(t *testing.T, what string, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s hangs", what)
		return nil
	}
}

// TestHostileImages: damaged structures give ErrCorrupt, never a hang or panic.
func TestHostileImages(t *testing.T) {
	nocsum := []string{"-b", "1024", "-O", "^metadata_csum"}
	t.Run("extent-index-points-at-itself", func(t *testing.T) {
		img, _ := mkfsSparse(t)
		f := openFS(t, img, true)
		n, err := f.resolve("t", "/sparse")
		if err != nil {
			t.Fatal(err)
		}
		m, _ := f.readMapping(n)
		top := m.meta[0] // the depth-1 index block under the root
		f.Close()
		// Point the index block's first entry at the index block itself.
		patchAt(t, img, int64(top)*1024+12+4, le32(uint32(top)))
		f = openFS(t, img, true)
		defer f.Close()
		err = within(t, "read", func() error { _, err := fs.ReadFile(f, "/sparse"); return err })
		if !errors.Is(err, fs.ErrCorrupt) {
			t.Fatalf("self-referencing extent index: %v", err)
		}
	})
	t.Run("extent-outside-fs", func(t *testing.T) {
		img := testtool.MkfsExt4(t, testtool.Tree{"f": "content"}, "8M", nocsum...)
		f := openFS(t, img, true)
		n, _ := f.resolve("t", "/f")
		off, _ := f.inodeLoc(n.Ino)
		f.Close()
		patchAt(t, img, off+iBlock+12+8, le32(0x7FFFFFF0)) // first extent's start
		f = openFS(t, img, false)
		defer f.Close()
		if _, err := fs.ReadFile(f, "/f"); !errors.Is(err, fs.ErrCorrupt) {
			t.Fatalf("read: %v", err)
		}
		if err := f.Remove("/f"); !errors.Is(err, fs.ErrCorrupt) {
			t.Fatalf("remove: %v", err)
		}
	})
	t.Run("huge-directory-size", func(t *testing.T) {
		img := testtool.MkfsExt4(t, testtool.Tree{"d/x": "x"}, "8M", nocsum...)
		f := openFS(t, img, true)
		n, _ := f.resolve("t", "/d")
		off, _ := f.inodeLoc(n.Ino)
		f.Close()
		patchAt(t, img, off+iSizeHi, le32(0x100))
		f = openFS(t, img, true)
		defer f.Close()
		err := within(t, "readdir", func() error { _, err := f.ReadDir("/d"); return err })
		if !errors.Is(err, fs.ErrCorrupt) {
			t.Fatalf("readdir: %v", err)
		}
	})
	t.Run("directory-loop", func(t *testing.T) {
		img := testtool.MkfsExt4(t, testtool.Tree{"a/f": "x"}, "8M", nocsum...)
		testtool.Run(t, "debugfs", "-w", "-R", "link / /a/loop", img)
		f := openFS(t, img, false)
		defer f.Close()
		st, err := f.Lstat("/a/loop/a/loop/a/loop")
		if err != nil || st.Ino != rootIno {
			t.Fatalf("lstat through the loop: %+v %v", st, err)
		}
		if err := f.Remove("/a/loop"); !errors.Is(err, fs.ErrNotEmpty) {
			t.Fatalf("remove loop: %v", err)
		}
		err = within(t, "rename", func() error { return f.Rename("/a", "/a/loop/b") })
		if err == nil {
			t.Fatal("moved a directory under itself through a loop")
		}
		n := 0
		err = within(t, "walk", func() error {
			return fs.WalkDir(f, "/", func(p string, st fs.Stat, err error) error {
				if n++; n > 200 {
					return fs.SkipAll
				}
				return err
			})
		})
		if err != nil {
			t.Fatalf("walk: %v", err)
		}
	})
	t.Run("directory-block-checksum", func(t *testing.T) {
		img := testtool.MkfsExt4(t, testtool.Tree{"d/x": "x", "d/y": "y"}, "8M", "-b", "1024")
		f := openFS(t, img, true)
		n, _ := f.resolve("t", "/d")
		m, _ := f.readMapping(n)
		f.Close()
		patchAt(t, img, int64(m.exts[0].Physical)*1024+30, []byte{'Z'}) // inside an entry name
		f = openFS(t, img, false)
		defer f.Close()
		if _, err := f.ReadDir("/d"); !errors.Is(err, fs.ErrCorrupt) {
			t.Fatalf("readdir: %v", err)
		}
		if err := f.WriteFile("/d/new", nil, 0o644); !errors.Is(err, fs.ErrCorrupt) {
			t.Fatalf("write into a damaged directory: %v", err)
		}
	})
	t.Run("bad-xattr-value-size", func(t *testing.T) {
		img, _ := mkfsSample(t, "16M", nocsum...)
		f := openFS(t, img, true)
		n, _ := f.resolve("t", "/etc/motd")
		blk := n.FileACL()
		f.Close()
		patchAt(t, img, int64(blk)*1024+32+8, le32(0xFFFFFFF0)) // first entry's e_value_size
		f = openFS(t, img, true)
		defer f.Close()
		if _, err := f.GetXattrs("/etc/motd"); !errors.Is(err, fs.ErrCorrupt) {
			t.Fatalf("getxattrs: %v", err)
		}
	})
}
