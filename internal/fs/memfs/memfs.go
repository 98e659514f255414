// Package memfs is an in-memory implementation of fs.FS with POSIX inode
// semantics (hard links, link counts, xattrs). It is the model the engine
// property tests compare against and the fake filesystem that sysprep
// operation tests run on.
package memfs

import (
	"bytes"
	"io"
	iofs "io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

var _ fs.FS = (*FS)(nil)

type inode struct {
	ino      uint64
	mode     iofs.FileMode
	uid, gid uint32
	nlink    uint32
	atime    time.Time
	mtime    time.Time
	ctime    time.Time
	data     []byte            // regular file content or symlink target
	children map[string]*inode // directories only
	xattrs   map[string][]byte
}

// FS is an in-memory filesystem. The zero value is not usable; call New.
type FS struct {
	mu      sync.Mutex
	root    *inode
	nextIno uint64
	// Now supplies timestamps; tests may set it for determinism.
	Now func() time.Time
}

// New returns an empty filesystem whose root is a 0755 directory owned by 0:0.
func New() *FS {
	f := &FS{nextIno: 2, Now: time.Now}
	f.root = f.newInode(iofs.ModeDir | 0o755)
	f.root.nlink = 2
	return f
}

func (f *FS) newInode(mode iofs.FileMode) *inode {
	now := f.Now()
	n := &inode{ino: f.nextIno, mode: mode, nlink: 1, atime: now, mtime: now, ctime: now}
	f.nextIno++
	if mode.IsDir() {
		n.children = map[string]*inode{}
	}
	return n
}

func perr(op, p string, err error) error { return &iofs.PathError{Op: op, Path: p, Err: err} }

func split(p string) ([]string, bool) {
	if !strings.HasPrefix(p, "/") || path.Clean(p) != p {
		return nil, false
	}
	if p == "/" {
		return nil, true
	}
	return strings.Split(p[1:], "/"), true
}

// lookup finds the inode at p without following any symlink.
func (f *FS) lookup(op, p string) (*inode, error) {
	parts, ok := split(p)
	if !ok {
		return nil, perr(op, p, iofs.ErrInvalid)
	}
	n := f.root
	for _, c := range parts {
		if !n.mode.IsDir() {
			return nil, perr(op, p, fs.ErrNotDir)
		}
		next, ok := n.children[c]
		if !ok {
			return nil, perr(op, p, iofs.ErrNotExist)
		}
		n = next
	}
	return n, nil
}

// parent returns the directory inode that holds p and p's base name.
func (f *FS) parent(op, p string) (*inode, string, error) {
	if p == "/" {
		return nil, "", perr(op, p, iofs.ErrInvalid)
	}
	if _, ok := split(p); !ok {
		return nil, "", perr(op, p, iofs.ErrInvalid)
	}
	dir, name := path.Split(p)
	d, err := f.lookup(op, path.Clean(dir))
	if err != nil {
		return nil, "", perr(op, p, underlying(err))
	}
	if !d.mode.IsDir() {
		return nil, "", perr(op, p, fs.ErrNotDir)
	}
	if len(name) > 255 {
		return nil, "", perr(op, p, fs.ErrTooLarge)
	}
	return d, name, nil
}

func underlying(err error) error {
	if pe, ok := err.(*iofs.PathError); ok {
		return pe.Err
	}
	return err
}

func (n *inode) stat() fs.Stat {
	size := int64(len(n.data))
	if n.mode.IsDir() {
		size = 4096
	}
	return fs.Stat{Mode: n.mode, Uid: n.uid, Gid: n.gid, Size: size, Nlink: n.nlink, Ino: n.ino,
		Atime: n.atime, Mtime: n.mtime, Ctime: n.ctime}
}

// Lstat implements fs.FS.
func (f *FS) Lstat(p string) (fs.Stat, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("lstat", p)
	if err != nil {
		return fs.Stat{}, err
	}
	return n.stat(), nil
}

// ReadDir implements fs.FS.
func (f *FS) ReadDir(p string) ([]fs.DirEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("readdir", p)
	if err != nil {
		return nil, err
	}
	if !n.mode.IsDir() {
		return nil, perr("readdir", p, fs.ErrNotDir)
	}
	out := make([]fs.DirEntry, 0, len(n.children))
	for name, c := range n.children {
		out = append(out, fs.DirEntry{Name: name, Type: c.mode.Type(), Ino: c.ino})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Open implements fs.FS. The reader sees a snapshot of the content.
func (f *FS) Open(p string) (io.ReaderAt, int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("open", p)
	if err != nil {
		return nil, 0, err
	}
	if n.mode.IsDir() {
		return nil, 0, perr("open", p, fs.ErrIsDir)
	}
	if !n.mode.IsRegular() {
		return nil, 0, perr("open", p, iofs.ErrInvalid)
	}
	data := bytes.Clone(n.data)
	return bytes.NewReader(data), int64(len(data)), nil
}

// Readlink implements fs.FS.
func (f *FS) Readlink(p string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("readlink", p)
	if err != nil {
		return "", err
	}
	if n.mode&iofs.ModeSymlink == 0 {
		return "", perr("readlink", p, iofs.ErrInvalid)
	}
	return string(n.data), nil
}

// GetXattrs implements fs.FS.
func (f *FS) GetXattrs(p string) (map[string][]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("getxattr", p)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(n.xattrs))
	for k, v := range n.xattrs {
		out[k] = bytes.Clone(v)
	}
	return out, nil
}

func (f *FS) create(op, p string, mode iofs.FileMode) (*inode, error) {
	d, name, err := f.parent(op, p)
	if err != nil {
		return nil, err
	}
	if _, ok := d.children[name]; ok {
		return nil, perr(op, p, iofs.ErrExist)
	}
	n := f.newInode(mode)
	d.children[name] = n
	d.mtime, d.ctime = n.mtime, n.mtime
	if mode.IsDir() {
		n.nlink = 2
		d.nlink++
	}
	return n, nil
}

// WriteFile implements fs.FS.
func (f *FS) WriteFile(p string, data []byte, perm iofs.FileMode) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("write", p)
	switch {
	case err == nil:
		if n.mode.IsDir() {
			return perr("write", p, fs.ErrIsDir)
		}
		if !n.mode.IsRegular() {
			return perr("write", p, iofs.ErrInvalid)
		}
	case isNotExist(err):
		if n, err = f.create("write", p, perm&(iofs.ModePerm|iofs.ModeSetuid|iofs.ModeSetgid|iofs.ModeSticky)); err != nil {
			return err
		}
	default:
		return err
	}
	n.data = bytes.Clone(data)
	now := f.Now()
	n.mtime, n.ctime = now, now
	return nil
}

func isNotExist(err error) bool {
	pe, ok := err.(*iofs.PathError)
	return ok && pe.Err == iofs.ErrNotExist
}

// Mkdir implements fs.FS.
func (f *FS) Mkdir(p string, perm iofs.FileMode) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, err := f.create("mkdir", p, iofs.ModeDir|perm&(iofs.ModePerm|iofs.ModeSetgid|iofs.ModeSticky))
	return err
}

// Symlink implements fs.FS.
func (f *FS) Symlink(target, p string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if target == "" || len(target) > 4095 {
		return perr("symlink", p, iofs.ErrInvalid)
	}
	n, err := f.create("symlink", p, iofs.ModeSymlink|0o777)
	if err != nil {
		return err
	}
	n.data = []byte(target)
	return nil
}

// Link implements fs.FS.
func (f *FS) Link(oldname, newname string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("link", oldname)
	if err != nil {
		return err
	}
	if n.mode.IsDir() {
		return perr("link", oldname, fs.ErrIsDir)
	}
	d, name, err := f.parent("link", newname)
	if err != nil {
		return err
	}
	if _, ok := d.children[name]; ok {
		return perr("link", newname, iofs.ErrExist)
	}
	d.children[name] = n
	n.nlink++
	n.ctime = f.Now()
	return nil
}

// Remove implements fs.FS.
func (f *FS) Remove(p string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, name, err := f.parent("remove", p)
	if err != nil {
		return err
	}
	n, ok := d.children[name]
	if !ok {
		return perr("remove", p, iofs.ErrNotExist)
	}
	if n.mode.IsDir() {
		if len(n.children) > 0 {
			return perr("remove", p, fs.ErrNotEmpty)
		}
		d.nlink--
		n.nlink = 0
	} else {
		n.nlink--
	}
	delete(d.children, name)
	d.mtime, d.ctime = f.Now(), f.Now()
	return nil
}

// Rename implements fs.FS.
func (f *FS) Rename(from, to string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if from == to {
		return nil
	}
	if strings.HasPrefix(to, from+"/") {
		return perr("rename", to, iofs.ErrInvalid)
	}
	sd, sname, err := f.parent("rename", from)
	if err != nil {
		return err
	}
	n, ok := sd.children[sname]
	if !ok {
		return perr("rename", from, iofs.ErrNotExist)
	}
	dd, dname, err := f.parent("rename", to)
	if err != nil {
		return err
	}
	if old, ok := dd.children[dname]; ok {
		if old == n {
			return nil
		}
		switch {
		case old.mode.IsDir() && !n.mode.IsDir():
			return perr("rename", to, fs.ErrIsDir)
		case !old.mode.IsDir() && n.mode.IsDir():
			return perr("rename", to, fs.ErrNotDir)
		case old.mode.IsDir() && len(old.children) > 0:
			return perr("rename", to, fs.ErrNotEmpty)
		}
		if old.mode.IsDir() {
			dd.nlink--
		} else {
			old.nlink--
		}
	}
	delete(sd.children, sname)
	dd.children[dname] = n
	if n.mode.IsDir() && sd != dd {
		sd.nlink--
		dd.nlink++
	}
	now := f.Now()
	sd.mtime, sd.ctime, dd.mtime, dd.ctime, n.ctime = now, now, now, now, now
	return nil
}

// Truncate implements fs.FS.
func (f *FS) Truncate(p string, size int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("truncate", p)
	if err != nil {
		return err
	}
	if !n.mode.IsRegular() {
		return perr("truncate", p, iofs.ErrInvalid)
	}
	if size < 0 || size > 1<<32 {
		return perr("truncate", p, fs.ErrTooLarge)
	}
	if size <= int64(len(n.data)) {
		n.data = n.data[:size:size]
	} else {
		n.data = append(n.data, make([]byte, size-int64(len(n.data)))...)
	}
	now := f.Now()
	n.mtime, n.ctime = now, now
	return nil
}

// Chmod implements fs.FS.
func (f *FS) Chmod(p string, perm iofs.FileMode) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("chmod", p)
	if err != nil {
		return err
	}
	bits := iofs.ModePerm | iofs.ModeSetuid | iofs.ModeSetgid | iofs.ModeSticky
	n.mode = n.mode&^bits | perm&bits
	n.ctime = f.Now()
	return nil
}

// Lchown implements fs.FS.
func (f *FS) Lchown(p string, uid, gid int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("chown", p)
	if err != nil {
		return err
	}
	if uid < 0 || gid < 0 || uid > 1<<32-1 || gid > 1<<32-1 {
		return perr("chown", p, iofs.ErrInvalid)
	}
	n.uid, n.gid = uint32(uid), uint32(gid)
	n.ctime = f.Now()
	return nil
}

// Chtimes implements fs.FS.
func (f *FS) Chtimes(p string, atime, mtime time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("chtimes", p)
	if err != nil {
		return err
	}
	n.atime, n.mtime, n.ctime = atime, mtime, f.Now()
	return nil
}

// SetXattr implements fs.FS.
func (f *FS) SetXattr(p, name string, value []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("setxattr", p)
	if err != nil {
		return err
	}
	if name == "" || len(name) > 255 || len(value) > 65536 {
		return perr("setxattr", p, iofs.ErrInvalid)
	}
	if n.xattrs == nil {
		n.xattrs = map[string][]byte{}
	}
	n.xattrs[name] = bytes.Clone(value)
	n.ctime = f.Now()
	return nil
}

// RemoveXattr implements fs.FS.
func (f *FS) RemoveXattr(p, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("removexattr", p)
	if err != nil {
		return err
	}
	if _, ok := n.xattrs[name]; !ok {
		return perr("removexattr", p, iofs.ErrNotExist)
	}
	delete(n.xattrs, name)
	n.ctime = f.Now()
	return nil
}

// FreeRanges implements fs.FS: memory has no blocks.
func (f *FS) FreeRanges() ([]image.Range, error) { return nil, nil }

// Close implements fs.FS.
func (f *FS) Close() error { return nil }
