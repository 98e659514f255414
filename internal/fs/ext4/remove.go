package ext4

import (
	"fmt"
	iofs "io/fs"
	"strings"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// releaseInode frees an unlinked inode: its blocks, its xattr block
// reference and its number. The record keeps its mode with links 0 and a
// deletion time, as the kernel leaves it.
func (f *FS) releaseInode(n *Inode) error {
	if n.Flags()&flagInlineData == 0 {
		m, err := f.readMapping(n)
		if err != nil {
			return err
		}
		if err := f.freeMapping(m); err != nil {
			return err
		}
	}
	if b := n.FileACL(); b != 0 {
		if err := f.releaseXattrBlock(n, b); err != nil {
			return err
		}
		n.setFileACL(0)
	}
	dir := n.IsDir()
	n.put16(iLinks, 0)
	n.put32(iDtime, uint32(time.Now().Unix()))
	n.setBlocks512(0)
	n.setSize(0)
	clear(n.Raw[iBlock : iBlock+iBlockLen])
	n.put32(iFlags, n.Flags()&^(flagExtents|flagIndex))
	if err := f.writeInode(n); err != nil {
		return err
	}
	return f.freeInode(n.Ino, dir)
}

// dropLink removes one link from a non-directory, freeing it at zero.
func (f *FS) dropLink(n *Inode) error {
	if n.Links() <= 1 {
		return f.releaseInode(n)
	}
	n.put16(iLinks, n.Links()-1)
	n.setCtime(time.Now())
	return f.writeInode(n)
}

// decDirLinks drops the link a removed subdirectory's ".." held.
func decDirLinks(dir *Inode) {
	if l := dir.Links(); l > 2 {
		dir.put16(iLinks, l-1)
	}
}

// Remove implements fs.FS.
func (f *FS) Remove(p string) error {
	if err := f.begin("remove", p); err != nil {
		return err
	}
	return f.end("remove", p, f.remove(p))
}

func (f *FS) remove(p string) error {
	dir, name, err := f.parentOf("remove", p)
	if err != nil {
		return err
	}
	n, err := f.lookupIn(dir, name)
	if err != nil {
		return err
	}
	if n == nil {
		return perr("remove", p, iofs.ErrNotExist)
	}
	if err := f.editable(dir); err != nil {
		return err
	}
	if n.IsDir() {
		if n.Flags()&flagInlineData != 0 {
			return f.editable(n)
		}
		empty, err := f.dirIsEmpty(n)
		if err != nil {
			return err
		}
		if !empty {
			return perr("remove", p, fs.ErrNotEmpty)
		}
	}
	if err := f.removeEntry(dir, name); err != nil {
		return err
	}
	touch(dir)
	if n.IsDir() {
		decDirLinks(dir)
		if err := f.releaseInode(n); err != nil {
			return err
		}
	} else if err := f.dropLink(n); err != nil {
		return err
	}
	return f.writeInode(dir)
}

// Rename implements fs.FS.
func (f *FS) Rename(from, to string) error {
	if err := f.begin("rename", to); err != nil {
		return err
	}
	return f.end("rename", to, f.rename(from, to))
}

func (f *FS) rename(from, to string) error {
	if from == to {
		_, err := f.resolve("rename", from)
		return err
	}
	if strings.HasPrefix(to, from+"/") {
		return perr("rename", to, iofs.ErrInvalid)
	}
	sd, sname, err := f.parentOf("rename", from)
	if err != nil {
		return err
	}
	n, err := f.lookupIn(sd, sname)
	if err != nil {
		return err
	}
	if n == nil {
		return perr("rename", from, iofs.ErrNotExist)
	}
	dd, dname, err := f.parentOf("rename", to)
	if err != nil {
		return err
	}
	if dd.Ino == sd.Ino {
		dd = sd
	}
	old, err := f.lookupIn(dd, dname)
	if err != nil {
		return err
	}
	for _, x := range []*Inode{sd, dd} {
		if err := f.editable(x); err != nil {
			return err
		}
	}
	if old != nil {
		if old.Ino == n.Ino {
			return nil
		}
		switch {
		case old.IsDir() && !n.IsDir():
			return perr("rename", to, fs.ErrIsDir)
		case !old.IsDir() && n.IsDir():
			return perr("rename", to, fs.ErrNotDir)
		case old.IsDir():
			empty, err := f.dirIsEmpty(old)
			if err != nil {
				return err
			}
			if !empty {
				return perr("rename", to, fs.ErrNotEmpty)
			}
		}
	}
	if n.IsDir() && dd != sd {
		if err := f.editable(n); err != nil {
			return err
		}
		// Refuse moving a directory under itself (through hard paths).
		for cur, hops := dd, 0; cur.Ino != rootIno; hops++ {
			if cur.Ino == n.Ino || hops > 4096 {
				return perr("rename", to, iofs.ErrInvalid)
			}
			d, _, err := f.findEntry(cur, "..")
			if err != nil || d == nil {
				return f.corrupt("directory inode %d has no parent entry", cur.Ino)
			}
			if cur, err = f.readInode(d.Ino); err != nil {
				return err
			}
		}
	}
	ft := ftFromMode(n.Mode())
	if old != nil {
		if err := f.setEntryIno(dd, dname, n.Ino, ft); err != nil {
			return err
		}
	} else if err := f.addEntry(dd, dname, n.Ino, ft); err != nil {
		return err
	}
	if err := f.removeEntry(sd, sname); err != nil {
		return err
	}
	now := time.Now()
	if old != nil {
		if old.IsDir() {
			decDirLinks(dd)
			if err := f.releaseInode(old); err != nil {
				return err
			}
		} else if err := f.dropLink(old); err != nil {
			return err
		}
	}
	if n.IsDir() && dd != sd {
		if err := f.setEntryIno(n, "..", dd.Ino, ftDir); err != nil {
			return err
		}
		decDirLinks(sd)
		if l := dd.Links(); l != 1 {
			if l+1 >= maxLinks {
				dd.put16(iLinks, 1)
			} else {
				dd.put16(iLinks, l+1)
			}
		}
	}
	n.setCtime(now)
	if err := f.writeInode(n); err != nil {
		return err
	}
	touch(sd)
	touch(dd)
	if err := f.writeInode(sd); err != nil {
		return err
	}
	if dd != sd {
		return f.writeInode(dd)
	}
	return nil
}

// Chmod implements fs.FS.
func (f *FS) Chmod(p string, perm iofs.FileMode) error {
	return f.editInode("chmod", p, func(n *Inode) error {
		n.put16(iMode, n.Mode()&sIFMT|permBits(perm))
		return nil
	})
}

// Lchown implements fs.FS.
func (f *FS) Lchown(p string, uid, gid int) error {
	return f.editInode("chown", p, func(n *Inode) error {
		if uid < 0 || gid < 0 || uid > 1<<32-1 || gid > 1<<32-1 {
			return perr("chown", p, iofs.ErrInvalid)
		}
		n.setOwner(uint32(uid), uint32(gid))
		return nil
	})
}

// Chtimes implements fs.FS.
func (f *FS) Chtimes(p string, atime, mtime time.Time) error {
	return f.editInode("chtimes", p, func(n *Inode) error {
		n.setAtime(atime)
		n.setMtime(mtime)
		return nil
	})
}

// editInode applies fn to p's inode, sets ctime and writes it.
func (f *FS) editInode(op, p string, fn func(n *Inode) error) error {
	if err := f.begin(op, p); err != nil {
		return err
	}
	n, err := f.resolve(op, p)
	if err == nil {
		err = fn(n)
	}
	if err == nil {
		n.setCtime(time.Now())
		err = f.writeInode(n)
	}
	return f.end(op, p, err)
}

// SetXattr implements fs.FS.
func (f *FS) SetXattr(p, name string, value []byte) error {
	return f.editInode("setxattr", p, func(n *Inode) error {
		idx, suffix, ok := splitXattrName(name)
		if !ok || len(suffix) > 255 {
			return perr("setxattr", p, fmt.Errorf("attribute name %q: %w", name, iofs.ErrInvalid))
		}
		if len(value) > int(f.geo.bs) || len(value) > maxXattrValue {
			return perr("setxattr", p, fs.ErrTooLarge)
		}
		if isACLIndex(idx) {
			var err error
			if value, err = aclVFSToDisk(value); err != nil {
				return perr("setxattr", p, fmt.Errorf("%s: %v: %w", name, err, iofs.ErrInvalid))
			}
		}
		if !f.sb.FeatureCompat.Has(CompatExtAttr) {
			return fmt.Errorf("ext4: %s: the filesystem has no ext_attr feature: %w", f.name, errUnsupported)
		}
		if err := f.editable(n); err != nil && n.Flags()&flagInlineData != 0 {
			return err
		}
		xs, err := f.readXattrs(n)
		if err != nil {
			return err
		}
		replaced := false
		for i := range xs {
			if xs[i].Index == idx && xs[i].Name == suffix {
				xs[i].Value = append([]byte(nil), value...)
				replaced = true
			}
		}
		if !replaced {
			xs = append(xs, Xattr{Index: idx, Name: suffix, Value: append([]byte(nil), value...)})
		}
		return f.setXattrs(n, xs)
	})
}

// RemoveXattr implements fs.FS.
func (f *FS) RemoveXattr(p, name string) error {
	return f.editInode("removexattr", p, func(n *Inode) error {
		idx, suffix, ok := splitXattrName(name)
		if !ok {
			return perr("removexattr", p, iofs.ErrNotExist)
		}
		if n.Flags()&flagInlineData != 0 {
			return f.editable(n)
		}
		xs, err := f.readXattrs(n)
		if err != nil {
			return err
		}
		out := xs[:0]
		found := false
		for _, x := range xs {
			if x.Index == idx && x.Name == suffix {
				found = true
				continue
			}
			out = append(out, x)
		}
		if !found {
			return perr("removexattr", p, iofs.ErrNotExist)
		}
		return f.setXattrs(n, out)
	})
}
