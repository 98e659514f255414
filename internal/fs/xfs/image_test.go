package xfs

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool/diskfile"
)

// openImageFile opens the real image file as a read-write image.Image.
func openImageFile(t testing.TB, path string) *diskfile.File { return diskfile.Open(t, path) }

// openFS opens an image file with the engine; closing is the caller's job.
func openFS(t testing.TB, path string, ro bool) *FS {
	t.Helper()
	f, err := Open(openImageFile(t, path), fs.OpenOptions{Name: "test.img", ReadOnly: ro})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// mkfsXFS makes a sparse 300 MiB image with Debian's mkfs.xfs defaults
// (v5: crc, finobt, sparse, reflink, bigtime, inobtcount) plus extra
// arguments and returns its path.
func mkfsXFS(t testing.TB, extra ...string) string {
	t.Helper()
	testtool.Need(t, "mkfs.xfs", "xfs_repair")
	img := filepath.Join(t.TempDir(), "xfs.img")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(300 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	args := append([]string{"-q", "-f"}, extra...)
	testtool.Run(t, "mkfs.xfs", append(args, img)...)
	return img
}

// populate mounts the image read-write through a loop device (fixture
// creation only), runs fill on the mount point and unmounts cleanly.
func populate(t testing.TB, img string, fill func(dir string)) {
	t.Helper()
	testtool.NeedRoot(t)
	mnt := filepath.Join(t.TempDir(), "rw")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	testtool.Run(t, "mount", "-t", "xfs", "-o", "loop", img, mnt)
	defer func() {
		if out, err := testtool.RunErr("umount", mnt); err != nil {
			t.Fatalf("umount: %v\n%s", err, out)
		}
	}()
	fill(mnt)
}

// engineSnapshot describes the tree read through the engine in the form of
// testtool.Snapshot (of a kernel mount), so the two compare equal.
func engineSnapshot(t testing.TB, f fs.FS) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(f, "/", func(p string, st fs.Stat, err error) error {
		if err != nil {
			return err
		}
		if p == "/" {
			return nil
		}
		perm := uint32(st.Mode.Perm())
		if st.Mode&iofs.ModeSetuid != 0 {
			perm |= 0o4000
		}
		if st.Mode&iofs.ModeSetgid != 0 {
			perm |= 0o2000
		}
		if st.Mode&iofs.ModeSticky != 0 {
			perm |= 0o1000
		}
		tc := "o"
		switch {
		case st.IsDir():
			tc = "d"
		case st.IsSymlink():
			tc = "l"
		case st.IsRegular():
			tc = "f"
		}
		desc := fmt.Sprintf("%s %04o %d:%d", tc, perm, st.Uid, st.Gid)
		switch {
		case st.IsRegular():
			b, err := fs.ReadFile(f, p)
			if err != nil {
				return err
			}
			h := sha256.Sum256(b)
			desc += fmt.Sprintf(" %d %s", len(b), hex.EncodeToString(h[:8]))
		case st.IsSymlink():
			target, err := f.Readlink(p)
			if err != nil {
				return err
			}
			desc += " -> " + target
		}
		if !st.IsSymlink() {
			x, err := f.GetXattrs(p)
			if err != nil {
				return err
			}
			if len(x) > 0 {
				var parts []string
				for k, v := range x {
					parts = append(parts, k+"="+hex.EncodeToString(v))
				}
				sort.Strings(parts)
				desc += " xattr{" + strings.Join(parts, ",") + "}"
			}
		}
		out[strings.TrimPrefix(p, "/")] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// compareWithKernel fails unless the engine's view of img equals a
// read-only kernel mount's.
func compareWithKernel(t testing.TB, img string, f fs.FS) {
	t.Helper()
	want := testtool.Snapshot(t, testtool.Mount(t, "xfs", img, 0, 0))
	got := engineSnapshot(t, f)
	if d := testtool.SnapshotDiff(want, got); len(d) > 0 {
		if len(d) > 20 {
			d = d[:20]
		}
		t.Fatalf("engine and kernel differ (%d entries via kernel, %d via engine):\n%s", len(want), len(got), strings.Join(d, "\n"))
	}
}
