package customize

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"path"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// maxSymlinkHops bounds symlink chains, as the kernel's ELOOP does.
const maxSymlinkHops = 40

// guestPath checks a guest path given by the user and cleans it.
func guestPath(what, p string) (string, error) {
	if p == "" {
		return "", fmt.Errorf("%s: empty path", what)
	}
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("%s %q: not an absolute guest path", what, p)
	}
	return path.Clean(p), nil
}

func isNotExist(err error) bool {
	return errors.Is(err, iofs.ErrNotExist) || errors.Is(err, fs.ErrNotDir)
}

// resolve follows symlinks in the last component of p, inside the guest
// (an absolute target is relative to the guest root; ".." never climbs
// above it). The result may not exist.
func (r *run) resolve(p string) (string, error) {
	for range maxSymlinkHops {
		st, err := r.root.Lstat(p)
		if isNotExist(err) {
			return p, nil
		}
		if err != nil {
			return "", err
		}
		if !st.IsSymlink() {
			return p, nil
		}
		target, err := r.root.Readlink(p)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(target, "/") {
			p = path.Clean(target)
		} else {
			p = path.Join(path.Dir(p), target)
		}
	}
	return "", &iofs.PathError{Op: "resolve", Path: p, Err: fs.ErrLoop}
}

// stat is Lstat after resolve: it follows a final symlink.
func (r *run) stat(p string) (string, fs.Stat, error) {
	rp, err := r.resolve(p)
	if err != nil {
		return "", fs.Stat{}, err
	}
	st, err := r.root.Lstat(rp)
	return rp, st, err
}

// exists reports whether p exists (final symlink not followed).
func (r *run) exists(p string) (bool, error) { return fs.Exists(r.root, p) }

// isDir reports whether p is a directory, following a final symlink.
func (r *run) isDir(p string) bool {
	_, st, err := r.stat(p)
	return err == nil && st.IsDir()
}

// needParent fails with a clear message when p's parent is not a directory.
func (r *run) needParent(p string) error {
	dir := path.Dir(p)
	if !r.isDir(dir) {
		return fmt.Errorf("%s: parent directory %s does not exist in the guest (add a mkdir step first)", p, dir)
	}
	return nil
}

// writeFile writes data to p, following a final symlink; a new file gets
// perm and owner 0:0, an existing one keeps its mode, owner and xattrs.
func (r *run) writeFile(p string, data []byte, perm iofs.FileMode) error {
	rp, err := r.resolve(p)
	if err != nil {
		return err
	}
	if err := r.needParent(rp); err != nil {
		return err
	}
	return r.root.WriteFile(rp, data, perm)
}

// readFile reads a regular file of the guest, following a final symlink.
// ok is false when it does not exist.
func (r *run) readFile(p string) (data []byte, ok bool, err error) {
	rp, st, err := r.stat(p)
	if isNotExist(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if !st.IsRegular() {
		return nil, false, fmt.Errorf("%s: not a regular file", p)
	}
	data, err = fs.ReadFile(r.root, rp)
	return data, err == nil, err
}

// fileMode turns Unix permission bits (07777) into an io/fs FileMode.
func fileMode(perm uint32) iofs.FileMode {
	m := iofs.FileMode(perm & 0o777)
	if perm&0o4000 != 0 {
		m |= iofs.ModeSetuid
	}
	if perm&0o2000 != 0 {
		m |= iofs.ModeSetgid
	}
	if perm&0o1000 != 0 {
		m |= iofs.ModeSticky
	}
	return m
}

// permBits is the inverse of fileMode.
func permBits(m iofs.FileMode) uint32 {
	p := uint32(m.Perm())
	if m&iofs.ModeSetuid != 0 {
		p |= 0o4000
	}
	if m&iofs.ModeSetgid != 0 {
		p |= 0o2000
	}
	if m&iofs.ModeSticky != 0 {
		p |= 0o1000
	}
	return p
}
