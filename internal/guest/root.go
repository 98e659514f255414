package guest

import (
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"path"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

// MaxSymlinkHops bounds symlink resolution per path, as Linux's 40.
const MaxSymlinkHops = 40

// Sentinels of the mount tree. Match with errors.Is.
var (
	// ErrCrossDevice is returned by Rename and Link across mount points;
	// it also matches syscall.EXDEV.
	ErrCrossDevice = fmt.Errorf("cross-device link or rename: %w", syscall.EXDEV)
	// ErrMountPoint is returned when removing or renaming a mount point.
	ErrMountPoint = fmt.Errorf("is a mount point: %w", syscall.EBUSY)
)

// Root is the guest's whole tree: the root filesystem with the others
// mounted on it per /etc/fstab. It implements fs.FS with guest semantics:
// every intermediate symlink is followed inside the guest (absolute targets
// restart at the guest root, ".." never climbs above "/"), mount points are
// crossed, and only the engines are ever called, so no guest path can reach
// the host.
//
// The last component is not followed by Lstat, Readlink, GetXattrs,
// SetXattr, RemoveXattr, Remove, Rename, Symlink, Link, Lchown and Mkdir;
// it is followed by Stat, ReadDir, Open, WriteFile (writing through a
// symlink writes its target), Truncate, Chmod and Chtimes.
type Root struct {
	mounts []mount // sorted by point, longest first
	// onCreate, when set, runs after a successful create of a new inode
	// (WriteFile of a new file, Mkdir, Symlink) with the resolved guest
	// path (its last component is the new inode, not to be followed) and
	// the new inode's mode: the SELinux labeler.
	onCreate func(g string, mode iofs.FileMode) error
	created  atomic.Bool // some create succeeded
}

var _ fs.FS = (*Root)(nil)

type mount struct {
	point string // clean absolute guest path
	fs    fs.FS
}

// NewRoot returns a Root with rootFS at "/" and nothing else mounted.
func NewRoot(rootFS fs.FS) *Root {
	return &Root{mounts: []mount{{point: "/", fs: rootFS}}}
}

// Mount mounts f at the guest path point, which must be clean and absolute.
// A later mount at the same point hides the earlier one. Mount is for
// building the tree before use; it is not safe concurrently with other calls.
func (r *Root) Mount(point string, f fs.FS) error {
	if !validPath(point) {
		return &iofs.PathError{Op: "mount", Path: point, Err: iofs.ErrInvalid}
	}
	r.mounts = append([]mount{{point: point, fs: f}}, r.mounts...)
	sort.SliceStable(r.mounts, func(i, j int) bool { return len(r.mounts[i].point) > len(r.mounts[j].point) })
	return nil
}

// Mountpoints returns the mount points, sorted.
func (r *Root) Mountpoints() []string {
	var out []string
	for _, m := range r.mounts {
		out = append(out, m.point)
	}
	sort.Strings(out)
	return out
}

func validPath(p string) bool {
	return strings.HasPrefix(p, "/") && path.Clean(p) == p
}

// mountFor returns the filesystem holding the resolved guest path g and g's
// path inside it.
func (r *Root) mountFor(g string) (fs.FS, string, string) {
	for _, m := range r.mounts {
		if m.point == "/" {
			return m.fs, g, m.point
		}
		if g == m.point {
			return m.fs, "/", m.point
		}
		if strings.HasPrefix(g, m.point) && g[len(m.point)] == '/' {
			return m.fs, g[len(m.point):], m.point
		}
	}
	return nil, "", "" // unreachable once "/" is mounted
}

func (r *Root) isMountpoint(g string) bool {
	for _, m := range r.mounts {
		if m.point == g {
			return true
		}
	}
	return false
}

func (r *Root) lstatGuest(g string) (fs.Stat, error) {
	f, rel, _ := r.mountFor(g)
	return f.Lstat(rel)
}

// resolve turns the guest path p into a path free of symlinks (except the
// last component when followLast is false). A missing last component is not
// an error: the path is returned for creation. Errors are PathErrors on p.
func (r *Root) resolve(op, p string, followLast bool) (string, error) {
	if !validPath(p) {
		return "", &iofs.PathError{Op: op, Path: p, Err: iofs.ErrInvalid}
	}
	var queue []string
	if p != "/" {
		queue = strings.Split(p[1:], "/")
	}
	cur, hops := "/", 0
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, c)
		last := len(queue) == 0
		if last && !followLast {
			cur = next
			break
		}
		st, err := r.lstatGuest(next)
		if err != nil {
			if last && errors.Is(err, iofs.ErrNotExist) {
				return next, nil
			}
			return "", &iofs.PathError{Op: op, Path: p, Err: underlying(err)}
		}
		if st.IsSymlink() {
			hops++
			if hops > MaxSymlinkHops {
				return "", &iofs.PathError{Op: op, Path: p, Err: fs.ErrLoop}
			}
			f, rel, _ := r.mountFor(next)
			target, err := f.Readlink(rel)
			if err != nil {
				return "", &iofs.PathError{Op: op, Path: p, Err: underlying(err)}
			}
			if target == "" {
				return "", &iofs.PathError{Op: op, Path: p, Err: iofs.ErrNotExist}
			}
			if strings.HasPrefix(target, "/") {
				cur = "/"
			}
			queue = append(strings.Split(target, "/"), queue...)
			continue
		}
		if !last && !st.IsDir() {
			return "", &iofs.PathError{Op: op, Path: p, Err: fs.ErrNotDir}
		}
		cur = next
	}
	return cur, nil
}

func underlying(err error) error {
	var pe *iofs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// rewrap reports an engine error on the caller's guest path p.
func rewrap(op, p string, err error) error {
	if err == nil {
		return nil
	}
	return &iofs.PathError{Op: op, Path: p, Err: underlying(err)}
}

// at resolves p and returns its filesystem and path inside it.
func (r *Root) at(op, p string, followLast bool) (fs.FS, string, string, error) {
	g, err := r.resolve(op, p, followLast)
	if err != nil {
		return nil, "", "", err
	}
	f, rel, _ := r.mountFor(g)
	return f, rel, g, nil
}

// Resolve returns the guest path p designates with every symlink followed,
// including the last component (which need not exist).
func (r *Root) Resolve(p string) (string, error) { return r.resolve("resolve", p, true) }

// Lstat implements fs.FS (the last component is not followed).
func (r *Root) Lstat(p string) (fs.Stat, error) {
	f, rel, _, err := r.at("lstat", p, false)
	if err != nil {
		return fs.Stat{}, err
	}
	st, err := f.Lstat(rel)
	return st, rewrap("lstat", p, err)
}

// Stat is Lstat following a final symlink.
func (r *Root) Stat(p string) (fs.Stat, error) {
	f, rel, _, err := r.at("stat", p, true)
	if err != nil {
		return fs.Stat{}, err
	}
	st, err := f.Lstat(rel)
	return st, rewrap("stat", p, err)
}

// ReadDir implements fs.FS (follows a final symlink).
func (r *Root) ReadDir(p string) ([]fs.DirEntry, error) {
	f, rel, _, err := r.at("readdir", p, true)
	if err != nil {
		return nil, err
	}
	ents, err := f.ReadDir(rel)
	return ents, rewrap("readdir", p, err)
}

// Open implements fs.FS (follows a final symlink).
func (r *Root) Open(p string) (io.ReaderAt, int64, error) {
	f, rel, _, err := r.at("open", p, true)
	if err != nil {
		return nil, 0, err
	}
	ra, size, err := f.Open(rel)
	return ra, size, rewrap("open", p, err)
}

// Readlink implements fs.FS.
func (r *Root) Readlink(p string) (string, error) {
	f, rel, _, err := r.at("readlink", p, false)
	if err != nil {
		return "", err
	}
	t, err := f.Readlink(rel)
	return t, rewrap("readlink", p, err)
}

// GetXattrs implements fs.FS.
func (r *Root) GetXattrs(p string) (map[string][]byte, error) {
	f, rel, _, err := r.at("getxattrs", p, false)
	if err != nil {
		return nil, err
	}
	x, err := f.GetXattrs(rel)
	return x, rewrap("getxattrs", p, err)
}

func (r *Root) afterCreate(g string, mode iofs.FileMode) error {
	r.created.Store(true)
	if r.onCreate == nil {
		return nil
	}
	return r.onCreate(g, mode)
}

// WriteFile implements fs.FS. Through an existing symlink it writes the
// target (resolved inside the guest), creating it if missing.
func (r *Root) WriteFile(p string, data []byte, perm iofs.FileMode) error {
	f, rel, g, err := r.at("write", p, true)
	if err != nil {
		return err
	}
	_, serr := f.Lstat(rel)
	isNew := errors.Is(serr, iofs.ErrNotExist)
	if err := f.WriteFile(rel, data, perm); err != nil {
		return rewrap("write", p, err)
	}
	if isNew {
		return rewrap("write", p, r.afterCreate(g, perm.Perm()))
	}
	return nil
}

// Mkdir implements fs.FS.
func (r *Root) Mkdir(p string, perm iofs.FileMode) error {
	f, rel, g, err := r.at("mkdir", p, false)
	if err != nil {
		return err
	}
	if r.isMountpoint(g) {
		return &iofs.PathError{Op: "mkdir", Path: p, Err: iofs.ErrExist}
	}
	if err := f.Mkdir(rel, perm); err != nil {
		return rewrap("mkdir", p, err)
	}
	return rewrap("mkdir", p, r.afterCreate(g, iofs.ModeDir|perm.Perm()))
}

// Symlink implements fs.FS; target is stored as given.
func (r *Root) Symlink(target, p string) error {
	f, rel, g, err := r.at("symlink", p, false)
	if err != nil {
		return err
	}
	if r.isMountpoint(g) {
		return &iofs.PathError{Op: "symlink", Path: p, Err: iofs.ErrExist}
	}
	if err := f.Symlink(target, rel); err != nil {
		return rewrap("symlink", p, err)
	}
	return rewrap("symlink", p, r.afterCreate(g, iofs.ModeSymlink|0o777))
}

// Link implements fs.FS; both names must be on the same filesystem.
func (r *Root) Link(oldname, newname string) error {
	of, orel, _, err := r.at("link", oldname, false)
	if err != nil {
		return err
	}
	nf, nrel, _, err := r.at("link", newname, false)
	if err != nil {
		return err
	}
	if of != nf {
		return &iofs.PathError{Op: "link", Path: newname, Err: ErrCrossDevice}
	}
	return rewrap("link", newname, nf.Link(orel, nrel))
}

// Remove implements fs.FS.
func (r *Root) Remove(p string) error {
	f, rel, g, err := r.at("remove", p, false)
	if err != nil {
		return err
	}
	if r.isMountpoint(g) {
		return &iofs.PathError{Op: "remove", Path: p, Err: ErrMountPoint}
	}
	return rewrap("remove", p, f.Remove(rel))
}

// Rename implements fs.FS; both paths must be on the same filesystem.
func (r *Root) Rename(from, to string) error {
	ff, frel, fg, err := r.at("rename", from, false)
	if err != nil {
		return err
	}
	tf, trel, tg, err := r.at("rename", to, false)
	if err != nil {
		return err
	}
	if r.isMountpoint(fg) || r.isMountpoint(tg) {
		return &iofs.PathError{Op: "rename", Path: from, Err: ErrMountPoint}
	}
	if ff != tf {
		return &iofs.PathError{Op: "rename", Path: from, Err: ErrCrossDevice}
	}
	return rewrap("rename", from, ff.Rename(frel, trel))
}

// Truncate implements fs.FS (follows a final symlink).
func (r *Root) Truncate(p string, size int64) error {
	f, rel, _, err := r.at("truncate", p, true)
	if err != nil {
		return err
	}
	return rewrap("truncate", p, f.Truncate(rel, size))
}

// Chmod implements fs.FS (follows a final symlink).
func (r *Root) Chmod(p string, perm iofs.FileMode) error {
	f, rel, _, err := r.at("chmod", p, true)
	if err != nil {
		return err
	}
	return rewrap("chmod", p, f.Chmod(rel, perm))
}

// Lchown implements fs.FS.
func (r *Root) Lchown(p string, uid, gid int) error {
	f, rel, _, err := r.at("lchown", p, false)
	if err != nil {
		return err
	}
	return rewrap("lchown", p, f.Lchown(rel, uid, gid))
}

// Chtimes implements fs.FS (follows a final symlink).
func (r *Root) Chtimes(p string, atime, mtime time.Time) error {
	f, rel, _, err := r.at("chtimes", p, true)
	if err != nil {
		return err
	}
	return rewrap("chtimes", p, f.Chtimes(rel, atime, mtime))
}

// SetXattr implements fs.FS.
func (r *Root) SetXattr(p, name string, value []byte) error {
	f, rel, _, err := r.at("setxattr", p, false)
	if err != nil {
		return err
	}
	return rewrap("setxattr", p, f.SetXattr(rel, name, value))
}

// RemoveXattr implements fs.FS.
func (r *Root) RemoveXattr(p, name string) error {
	f, rel, _, err := r.at("removexattr", p, false)
	if err != nil {
		return err
	}
	return rewrap("removexattr", p, f.RemoveXattr(rel, name))
}

// FreeRanges returns nil: ranges are per volume, see Mounted.FreeRanges.
func (r *Root) FreeRanges() ([]image.Range, error) { return nil, nil }

// Close does nothing: Mounted.Close closes the filesystems.
func (r *Root) Close() error { return nil }
