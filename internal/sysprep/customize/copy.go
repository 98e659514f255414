package customize

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"path"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

func validateCopy(arg string) error {
	_, _, err := parseSrcDest(arg)
	return err
}

// applyCopy is cp -a inside the guest: recursive; modes, owners, xattrs,
// times and symlinks kept; hard links inside the copied tree stay linked.
func applyCopy(r *run, arg string) error {
	src, dest, _ := parseSrcDest(arg)
	if ok, err := r.exists(src); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("%s does not exist in the guest", src)
	}
	dest, err := r.target(src, dest)
	if err != nil {
		return err
	}
	if err := r.needParent(dest); err != nil {
		return err
	}
	return r.copyTree(src, dest)
}

// copyTree copies src to dest as cp -a does.
func (r *run) copyTree(src, dest string) error {
	c := treeCopier{r: r, links: map[uint64]string{}}
	st, err := r.root.Lstat(src)
	if err != nil {
		return err
	}
	return c.copy(src, dest, st, 0)
}

type treeCopier struct {
	r     *run
	links map[uint64]string // inode of a multiply-linked source file -> its first copy
	// owner, when set, replaces the source owners, and xattrs are not
	// copied (a new home from /etc/skel: the labels of /etc would be wrong).
	owner *[2]int
}

func (c *treeCopier) copy(src, dest string, st fs.Stat, depth int) error {
	root := c.r.root
	if depth > fs.MaxDepth {
		return &iofs.PathError{Op: "copy", Path: src, Err: fs.ErrLoop}
	}
	if err := c.r.ctx.Err(); err != nil {
		return err
	}
	old, err := root.Lstat(dest)
	exists := err == nil
	if err != nil && !isNotExist(err) {
		return err
	}
	if exists && (old.IsDir() != st.IsDir()) {
		return fmt.Errorf("cannot overwrite %s with %s: one is a directory, the other not", dest, src)
	}
	if exists && !st.IsDir() && !(st.IsRegular() && old.IsRegular() && st.Nlink <= 1) {
		if err := root.Remove(dest); err != nil {
			return err
		}
	}
	switch {
	case st.IsDir():
		if !exists {
			if err := root.Mkdir(dest, 0o700); err != nil {
				return err
			}
		}
		ents, err := root.ReadDir(src)
		if err != nil {
			return err
		}
		for _, e := range ents {
			cst, err := root.Lstat(path.Join(src, e.Name))
			if err != nil {
				return err
			}
			if err := c.copy(path.Join(src, e.Name), path.Join(dest, e.Name), cst, depth+1); err != nil {
				return err
			}
		}
	case st.IsRegular():
		if first, ok := c.links[st.Ino]; ok && st.Nlink > 1 {
			return root.Link(first, dest)
		}
		data, err := fs.ReadFile(root, src)
		if err != nil {
			return err
		}
		if err := root.WriteFile(dest, data, 0o600); err != nil {
			return err
		}
		if st.Nlink > 1 {
			c.links[st.Ino] = dest
		}
	case st.IsSymlink():
		target, err := root.Readlink(src)
		if err != nil {
			return err
		}
		if err := root.Symlink(target, dest); err != nil {
			return err
		}
		uid, gid := c.ownerOf(st)
		return root.Lchown(dest, uid, gid)
	default:
		return fmt.Errorf("%s: cannot copy a %v (only files, directories and symlinks)", src, st.Mode.Type())
	}
	return c.attrs(src, dest, st)
}

// attrs copies owner, mode, xattrs and times, in that order (a chown
// clears setuid bits on real systems, so the mode comes after it).
func (c *treeCopier) attrs(src, dest string, st fs.Stat) error {
	root := c.r.root
	uid, gid := c.ownerOf(st)
	if err := root.Lchown(dest, uid, gid); err != nil {
		return err
	}
	if err := root.Chmod(dest, st.Mode&(iofs.ModePerm|iofs.ModeSetuid|iofs.ModeSetgid|iofs.ModeSticky)); err != nil {
		return err
	}
	if c.owner != nil {
		return root.Chtimes(dest, st.Atime, st.Mtime)
	}
	xs, err := root.GetXattrs(src)
	if err != nil && !errors.Is(err, fs.ErrUnsupported) {
		return err
	}
	for name, v := range xs {
		if err := root.SetXattr(dest, name, v); err != nil {
			return err
		}
	}
	return root.Chtimes(dest, st.Atime, st.Mtime)
}

func (c *treeCopier) ownerOf(st fs.Stat) (int, int) {
	if c.owner != nil {
		return c.owner[0], c.owner[1]
	}
	return int(st.Uid), int(st.Gid)
}
