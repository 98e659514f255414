// Package fs defines the one small interface every filesystem engine
// (ext4, xfs, btrfs) implements, engine detection, and the helpers that live
// once above the interface (RemoveAll, Glob, WalkDir, ReadFile...).
//
// Paths are absolute, slash-separated and clean ("/etc/hostname"), relative
// to the root of that filesystem. No method follows a symlink in the last
// component; symlink resolution across mount points is the guest layer's job.
package fs

import (
	"errors"
	"io"
	iofs "io/fs"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

// FS is a mounted guest filesystem that can be read and edited offline.
//
// Errors are *iofs.PathError values wrapping iofs.ErrNotExist, iofs.ErrExist,
// iofs.ErrInvalid or one of the sentinels below, so errors.Is works.
type FS interface {
	Lstat(p string) (Stat, error)
	ReadDir(p string) ([]DirEntry, error) // sorted by name, without "." and ".."
	Open(p string) (io.ReaderAt, int64, error)
	Readlink(p string) (string, error)
	GetXattrs(p string) (map[string][]byte, error)

	// WriteFile creates p (mode perm, owner 0:0, times now) or replaces the
	// content of an existing regular file (keeping its mode, owner and xattrs).
	WriteFile(p string, data []byte, perm iofs.FileMode) error
	Mkdir(p string, perm iofs.FileMode) error // parent must exist; owner 0:0
	Symlink(target, p string) error
	Link(oldname, newname string) error // hard link to a non-directory
	Remove(p string) error              // file, symlink, device, or empty dir
	Rename(from, to string) error       // replaces a non-directory or empty dir at to
	Truncate(p string, size int64) error
	Chmod(p string, perm iofs.FileMode) error // permission + setuid/setgid/sticky bits
	Lchown(p string, uid, gid int) error
	Chtimes(p string, atime, mtime time.Time) error
	SetXattr(p, name string, value []byte) error
	RemoveXattr(p, name string) error

	// FreeRanges lists the byte ranges, relative to the start of the volume,
	// that hold no live data or metadata. The exporter never copies them.
	FreeRanges() ([]image.Range, error)
	// Close flushes every change and leaves the filesystem clean.
	Close() error
}

// Stat describes one inode.
type Stat struct {
	Mode  iofs.FileMode // type bits and permissions, as io/fs encodes them
	Uid   uint32
	Gid   uint32
	Size  int64
	Nlink uint32
	Ino   uint64
	Rdev  uint64 // device number of character and block devices
	Atime time.Time
	Mtime time.Time
	Ctime time.Time
}

// IsDir reports whether the inode is a directory.
func (s Stat) IsDir() bool { return s.Mode.IsDir() }

// IsRegular reports whether the inode is a regular file.
func (s Stat) IsRegular() bool { return s.Mode.IsRegular() }

// IsSymlink reports whether the inode is a symbolic link.
func (s Stat) IsSymlink() bool { return s.Mode&iofs.ModeSymlink != 0 }

// DirEntry is one name in a directory.
type DirEntry struct {
	Name string
	Type iofs.FileMode // only the type bits (iofs.ModeType)
	Ino  uint64
}

// IsDir reports whether the entry names a directory.
func (d DirEntry) IsDir() bool { return d.Type.IsDir() }

// Sentinels beyond those of io/fs. Match with errors.Is.
var (
	ErrNotDir      = errors.New("not a directory")
	ErrIsDir       = errors.New("is a directory")
	ErrNotEmpty    = errors.New("directory not empty")
	ErrNoSpace     = errors.New("no space left on the filesystem")
	ErrReadOnly    = errors.New("filesystem opened read-only")
	ErrTooLarge    = errors.New("value too large for the filesystem")
	ErrLoop        = errors.New("too many levels of symbolic links or a loop in the tree")
	ErrCorrupt     = errors.New("corrupt filesystem")
	ErrUnsupported = errors.New("unsupported filesystem feature")
)

// Engine is one filesystem implementation.
type Engine interface {
	Name() string                         // "ext4", "xfs", "btrfs"
	Probe(r io.ReaderAt, size int64) bool // magic only, cheap, never fails loudly
	Open(vol image.Image, o OpenOptions) (FS, error)
}

// OpenOptions tune Engine.Open.
type OpenOptions struct {
	// ReadOnly refuses every write; features that only block writes are
	// then accepted.
	ReadOnly bool
	// Name identifies the volume in errors, e.g. "disk.qcow2 partition 2".
	Name string
}
