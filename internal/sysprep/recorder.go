package sysprep

import (
	"errors"
	iofs "io/fs"
	"sync"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// recorder wraps the guest root and notes every change in a tracker, so
// operations never have to report by hand.
type recorder struct {
	fs.FS
	mu sync.Mutex
	t  tracker
}

func (r *recorder) note(p string, c change) {
	r.mu.Lock()
	r.t.note(p, c)
	r.mu.Unlock()
}

func (r *recorder) exists(p string) bool {
	_, err := r.FS.Lstat(p)
	return err == nil || !errors.Is(err, iofs.ErrNotExist)
}

func (r *recorder) WriteFile(p string, data []byte, perm iofs.FileMode) error {
	existed := r.exists(p)
	if err := r.FS.WriteFile(p, data, perm); err != nil {
		return err
	}
	if existed {
		r.note(p, changed)
	} else {
		r.note(p, created)
	}
	return nil
}

func (r *recorder) Mkdir(p string, perm iofs.FileMode) error {
	if err := r.FS.Mkdir(p, perm); err != nil {
		return err
	}
	r.note(p, created)
	return nil
}

func (r *recorder) Symlink(target, p string) error {
	if err := r.FS.Symlink(target, p); err != nil {
		return err
	}
	r.note(p, created)
	return nil
}

func (r *recorder) Link(oldname, newname string) error {
	if err := r.FS.Link(oldname, newname); err != nil {
		return err
	}
	r.note(newname, created)
	return nil
}

func (r *recorder) Remove(p string) error {
	if err := r.FS.Remove(p); err != nil {
		return err
	}
	r.note(p, removed)
	return nil
}

func (r *recorder) Rename(from, to string) error {
	existed := r.exists(to)
	if err := r.FS.Rename(from, to); err != nil {
		return err
	}
	r.note(from, removed)
	if existed {
		r.note(to, changed)
	} else {
		r.note(to, created)
	}
	return nil
}

func (r *recorder) changedAfter(p string, err error) error {
	if err == nil {
		r.note(p, changed)
	}
	return err
}

func (r *recorder) Truncate(p string, size int64) error {
	return r.changedAfter(p, r.FS.Truncate(p, size))
}

func (r *recorder) Chmod(p string, perm iofs.FileMode) error {
	return r.changedAfter(p, r.FS.Chmod(p, perm))
}

func (r *recorder) Lchown(p string, uid, gid int) error {
	return r.changedAfter(p, r.FS.Lchown(p, uid, gid))
}

func (r *recorder) Chtimes(p string, atime, mtime time.Time) error {
	return r.changedAfter(p, r.FS.Chtimes(p, atime, mtime))
}

func (r *recorder) SetXattr(p, name string, value []byte) error {
	return r.changedAfter(p, r.FS.SetXattr(p, name, value))
}

func (r *recorder) RemoveXattr(p, name string) error {
	return r.changedAfter(p, r.FS.RemoveXattr(p, name))
}
