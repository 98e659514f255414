package xfs

import (
	"fmt"
	iofs "io/fs"
)

// unsupported refuses an operation the engine cannot do safely yet.
func (f *FS) unsupported(op, p, what string) error {
	if err := f.canWrite(); err != nil {
		return perr(op, p, err)
	}
	return perr(op, p, fmt.Errorf("xfs: %s: %s is not supported by the XFS engine yet: %w", f.name, what, errUnsupported))
}

// WriteFile implements fs.FS.
func (f *FS) WriteFile(p string, data []byte, perm iofs.FileMode) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unsupported("writefile", p, "writing file content")
}

// Mkdir implements fs.FS.
func (f *FS) Mkdir(p string, perm iofs.FileMode) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unsupported("mkdir", p, "creating a directory")
}

// Symlink implements fs.FS.
func (f *FS) Symlink(target, p string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unsupported("symlink", p, "creating a symlink")
}

// Link implements fs.FS.
func (f *FS) Link(oldname, newname string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unsupported("link", newname, "creating a hard link")
}

// Remove implements fs.FS.
func (f *FS) Remove(p string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unsupported("remove", p, "removing a file")
}

// Rename implements fs.FS.
func (f *FS) Rename(from, to string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unsupported("rename", from, "renaming")
}

// Truncate implements fs.FS.
func (f *FS) Truncate(p string, size int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unsupported("truncate", p, "truncating a file")
}

// SetXattr implements fs.FS.
func (f *FS) SetXattr(p, name string, value []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unsupported("setxattr", p, "setting an extended attribute")
}

// RemoveXattr implements fs.FS.
func (f *FS) RemoveXattr(p, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unsupported("removexattr", p, "removing an extended attribute")
}
