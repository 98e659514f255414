package selinux

import (
	"errors"
	iofs "io/fs"
	"path"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// labeling is an fs.FS that labels what it creates.
type labeling struct {
	fs.FS
	p *Policy
}

var _ fs.FS = labeling{}

// resolver is implemented by filesystems that resolve symlinks themselves
// (guest.Root): WriteFile through a symlink creates its target, which is
// then what gets labelled.
type resolver interface {
	Resolve(p string) (string, error)
}

// Wrap returns root with SELinux labelling: after WriteFile creates a new
// file, and after Mkdir and Symlink, the new inode's security.selinux is
// set to its label from p. Replacing an existing file keeps its label.
// With a nil policy (not an SELinux guest, or an unreadable policy: see
// NeedsRelabelFallback) it returns root unchanged.
func Wrap(root fs.FS, p *Policy) fs.FS {
	if p == nil {
		return root
	}
	return labeling{FS: root, p: p}
}

// WriteFile implements fs.FS.
func (l labeling) WriteFile(name string, data []byte, perm iofs.FileMode) error {
	target := name
	if r, ok := l.FS.(resolver); ok {
		if g, err := r.Resolve(name); err == nil {
			target = g
		}
	}
	_, err := l.FS.Lstat(target)
	isNew := errors.Is(err, iofs.ErrNotExist)
	if err := l.FS.WriteFile(name, data, perm); err != nil {
		return err
	}
	if !isNew {
		return nil
	}
	return l.p.Apply(l.FS, target, perm.Perm())
}

// Mkdir implements fs.FS.
func (l labeling) Mkdir(name string, perm iofs.FileMode) error {
	if err := l.FS.Mkdir(name, perm); err != nil {
		return err
	}
	return l.p.Apply(l.FS, l.created(name), iofs.ModeDir|perm.Perm())
}

// Symlink implements fs.FS.
func (l labeling) Symlink(target, name string) error {
	if err := l.FS.Symlink(target, name); err != nil {
		return err
	}
	return l.p.Apply(l.FS, l.created(name), iofs.ModeSymlink|0o777)
}

// created returns the real path of a just-created name: its parent with
// symlinks resolved when the filesystem resolves them, the name itself.
func (l labeling) created(name string) string {
	r, ok := l.FS.(resolver)
	if !ok || name == "/" {
		return name
	}
	dir, err := r.Resolve(path.Dir(name))
	if err != nil {
		return name
	}
	return path.Join(dir, path.Base(name))
}
