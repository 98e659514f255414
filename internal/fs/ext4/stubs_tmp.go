package ext4

import (
	iofs "io/fs"
	"time"
)

func (f *FS) WriteFile(p string, data []byte, perm iofs.FileMode) error { return errUnsupported }
func (f *FS) Mkdir(p string, perm iofs.FileMode) error                  { return errUnsupported }
func (f *FS) Symlink(target, p string) error                            { return errUnsupported }
func (f *FS) Link(oldname, newname string) error                        { return errUnsupported }
func (f *FS) Remove(p string) error                                     { return errUnsupported }
func (f *FS) Rename(from, to string) error                              { return errUnsupported }
func (f *FS) Truncate(p string, size int64) error                       { return errUnsupported }
func (f *FS) Chmod(p string, perm iofs.FileMode) error                  { return errUnsupported }
func (f *FS) Lchown(p string, uid, gid int) error                       { return errUnsupported }
func (f *FS) Chtimes(p string, atime, mtime time.Time) error            { return errUnsupported }
func (f *FS) SetXattr(p, name string, value []byte) error               { return errUnsupported }
func (f *FS) RemoveXattr(p, name string) error                          { return errUnsupported }
