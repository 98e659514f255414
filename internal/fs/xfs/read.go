package xfs

import (
	"io"
	iofs "io/fs"
	"path"
	"sort"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// splitPath checks that p is absolute and clean and returns its components.
func splitPath(p string) ([]string, bool) {
	if !strings.HasPrefix(p, "/") || path.Clean(p) != p {
		return nil, false
	}
	if p == "/" {
		return nil, true
	}
	return strings.Split(p[1:], "/"), true
}

// lookup finds name in directory n; ok=false when absent.
func (f *FS) lookup(n *Inode, name string) (dirent, bool, error) {
	if len(n.dataFork()) > 0 && n.Format() == fmtLocal {
		es, err := f.readDirEntries(n)
		if err != nil {
			return dirent{}, false, err
		}
		for _, e := range es {
			if e.name == name {
				return e, true, nil
			}
		}
		return dirent{}, false, nil
	}
	key := dirKey{n.Ino, be64(n.Raw, diOffChangecount)}
	idx, ok := f.dirCache[key]
	if !ok {
		es, err := f.readDirEntries(n)
		if err != nil {
			return dirent{}, false, err
		}
		idx = make(map[string]dirent, len(es))
		for _, e := range es {
			idx[e.name] = e
		}
		if f.dirCache == nil || len(f.dirCache) >= maxCachedDirs {
			f.dirCache = map[dirKey]map[string]dirent{}
		}
		f.dirCache[key] = idx
	}
	e, ok := idx[name]
	return e, ok, nil
}

// dirKey names a cached directory index: the inode and its change count,
// so any edit of the directory inode makes a new key.
type dirKey struct{ ino, change uint64 }

const maxCachedDirs = 64

// resolve finds the inode at p without following symlinks.
func (f *FS) resolve(op, p string) (*Inode, error) {
	parts, ok := splitPath(p)
	if !ok {
		return nil, perr(op, p, iofs.ErrInvalid)
	}
	n, err := f.readInode(f.sb.RootIno)
	if err != nil {
		return nil, perr(op, p, err)
	}
	for _, c := range parts {
		if !n.IsDir() {
			return nil, perr(op, p, fs.ErrNotDir)
		}
		e, ok, err := f.lookup(n, c)
		if err != nil {
			return nil, perr(op, p, err)
		}
		if !ok {
			return nil, perr(op, p, iofs.ErrNotExist)
		}
		if n, err = f.readInode(e.ino); err != nil {
			return nil, perr(op, p, err)
		}
	}
	return n, nil
}

// Lstat implements fs.FS.
func (f *FS) Lstat(p string) (fs.Stat, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.resolve("lstat", p)
	if err != nil {
		return fs.Stat{}, err
	}
	return n.stat(), nil
}

// ReadDir implements fs.FS.
func (f *FS) ReadDir(p string) ([]fs.DirEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.resolve("readdir", p)
	if err != nil {
		return nil, err
	}
	if !n.IsDir() {
		return nil, perr("readdir", p, fs.ErrNotDir)
	}
	es, err := f.readDirEntries(n)
	if err != nil {
		return nil, perr("readdir", p, err)
	}
	out := make([]fs.DirEntry, 0, len(es))
	for _, e := range es {
		d, err := f.direntType(e)
		if err != nil {
			return nil, perr("readdir", p, err)
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Open implements fs.FS.
func (f *FS) Open(p string) (io.ReaderAt, int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.resolve("open", p)
	if err != nil {
		return nil, 0, err
	}
	if n.IsDir() {
		return nil, 0, perr("open", p, fs.ErrIsDir)
	}
	if !n.IsReg() {
		return nil, 0, perr("open", p, iofs.ErrInvalid)
	}
	r, size, err := f.dataReader(n)
	if err != nil {
		return nil, 0, perr("open", p, err)
	}
	return lockedReader{f, r}, size, nil
}

// lockedReader serialises reads with edits.
type lockedReader struct {
	f *FS
	r io.ReaderAt
}

func (l lockedReader) ReadAt(p []byte, off int64) (int, error) {
	l.f.mu.Lock()
	defer l.f.mu.Unlock()
	return l.r.ReadAt(p, off)
}

// Readlink implements fs.FS.
func (f *FS) Readlink(p string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.resolve("readlink", p)
	if err != nil {
		return "", err
	}
	if !n.IsLnk() {
		return "", perr("readlink", p, iofs.ErrInvalid)
	}
	s, err := f.readSymlink(n)
	if err != nil {
		return "", perr("readlink", p, err)
	}
	return s, nil
}

// GetXattrs implements fs.FS. XFS's POSIX ACLs are converted to the
// system.posix_acl_* format Linux shows.
func (f *FS) GetXattrs(p string) (map[string][]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.resolve("getxattrs", p)
	if err != nil {
		return nil, err
	}
	xs, err := f.readXattrs(n)
	if err != nil {
		return nil, perr("getxattrs", p, err)
	}
	out := map[string][]byte{}
	for _, x := range xs {
		name := x.fullName()
		if name == "" {
			continue
		}
		v := x.value
		if strings.HasPrefix(name, "system.posix_acl_") {
			if v, err = xfsACLToLinux(v); err != nil {
				return nil, perr("getxattrs", p, f.corrupt("inode %d: %v", n.Ino, err))
			}
		}
		out[name] = v
	}
	return out, nil
}
