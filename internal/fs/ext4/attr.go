package ext4

import (
	"fmt"
	iofs "io/fs"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

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
		if idx == 7 || idx == 8 {
			// system.data is inline file content; richacl is not supported.
			return perr("setxattr", p, fmt.Errorf("ext4: %s: attribute %q: %w", f.name, name, errUnsupported))
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
