package testtool

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Mount mounts the filesystem at byte offset off (size bytes; 0 = to the end)
// of the image file read-only through a loop device and returns the mount
// point. It is unmounted when the test ends. Needs root (see NeedRoot).
func Mount(t testing.TB, fstype, img string, off, size int64) string {
	t.Helper()
	NeedRoot(t)
	dir := t.TempDir()
	mnt := filepath.Join(dir, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := "ro,loop,offset=" + strconv.FormatInt(off, 10)
	if size > 0 {
		opts += ",sizelimit=" + strconv.FormatInt(size, 10)
	}
	switch fstype {
	case "ext4", "ext3", "ext2":
		opts += ",noload" // never replay a journal: we look, we do not touch
	case "xfs":
		opts += ",norecovery"
	}
	Run(t, "mount", "-t", fstype, "-o", opts, img, mnt)
	t.Cleanup(func() {
		if out, err := RunErr("umount", mnt); err != nil {
			t.Errorf("umount %s: %v\n%s", mnt, err, out)
		}
	})
	return mnt
}

// Snapshot describes a host directory tree in a comparable, line-per-entry
// form: "path type mode uid:gid size sha256|target [xattrs]". It never follows
// symlinks. lost+found and the root itself are skipped.
func Snapshot(t testing.TB, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if rel == "lost+found" {
			return filepath.SkipDir
		}
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		desc := fmt.Sprintf("%s %04o %d:%d", typeChar(info.Mode()), st.Mode&0o7777, st.Uid, st.Gid)
		switch {
		case info.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h := sha256.Sum256(b)
			desc += fmt.Sprintf(" %d %s", len(b), hex.EncodeToString(h[:8]))
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			desc += " -> " + target
		}
		if x := xattrs(p); x != "" && info.Mode()&fs.ModeSymlink == 0 {
			desc += " " + x
		}
		out[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func typeChar(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "d"
	case m&fs.ModeSymlink != 0:
		return "l"
	case m.IsRegular():
		return "f"
	default:
		return "o"
	}
}

func xattrs(p string) string {
	buf := make([]byte, 64<<10)
	n, err := syscall.Listxattr(p, buf)
	if err != nil || n <= 0 {
		// Listxattr follows symlinks; symlink xattrs are rare in guests.
		return ""
	}
	var names []string
	for _, nm := range strings.Split(string(buf[:n]), "\x00") {
		if nm != "" {
			names = append(names, nm)
		}
	}
	sort.Strings(names)
	var parts []string
	for _, nm := range names {
		v := make([]byte, 64<<10)
		m, err := syscall.Getxattr(p, nm, v)
		if err != nil {
			continue
		}
		parts = append(parts, nm+"="+hex.EncodeToString(v[:m]))
	}
	return "xattr{" + strings.Join(parts, ",") + "}"
}
