package xfs

import (
	iofs "io/fs"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// Rename implements fs.FS.
func (f *FS) Rename(from, to string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if from == to {
		return nil
	}
	return f.run("rename", from, func() error {
		if strings.HasPrefix(to, from+"/") {
			return iofs.ErrInvalid
		}
		sd, sname, err := f.parentOf(from)
		if err != nil {
			return err
		}
		n, _, err := f.child(sd, sname)
		if err != nil {
			return err
		}
		dd, dname, err := f.parentOf(to)
		if err != nil {
			return err
		}
		if _, ok, err := f.lookup(dd, dname); err != nil {
			return err
		} else if ok {
			old, oe, err := f.child(dd, dname)
			if err != nil {
				return err
			}
			if old.Ino == n.Ino {
				return nil
			}
			switch {
			case old.IsDir() && !n.IsDir():
				return fs.ErrIsDir
			case !old.IsDir() && n.IsDir():
				return fs.ErrNotDir
			case old.IsDir():
				empty, err := f.dirEmpty(old)
				if err != nil {
					return err
				}
				if !empty {
					return fs.ErrNotEmpty
				}
				putBE32(dd.Raw, diOffNlink, dd.Nlink()-1)
			}
			if err := f.removeEntry(dd, oe); err != nil {
				return err
			}
			if err := f.dropLink(old); err != nil {
				return err
			}
		}
		e, ok, err := f.lookup(sd, sname)
		if err != nil {
			return err
		}
		if !ok {
			return f.corrupt("directory inode %d: entry %q vanished", sd.Ino, sname)
		}
		if err := f.removeEntry(sd, e); err != nil {
			return err
		}
		if err := f.addEntry(dd, dname, n.Ino, ftypeOf(n.Mode())); err != nil {
			return err
		}
		if n.IsDir() && sd.Ino != dd.Ino {
			if err := f.setDotDot(n, dd.Ino); err != nil {
				return err
			}
			putBE32(sd.Raw, diOffNlink, sd.Nlink()-1)
			putBE32(dd.Raw, diOffNlink, dd.Nlink()+1)
		}
		sd.touch(true)
		dd.touch(true)
		n.touch(false)
		return nil
	})
}

// setDotDot points a moved directory's ".." at its new parent.
func (f *FS) setDotDot(n *Inode, parent uint64) error {
	if n.Format() == fmtLocal {
		lit := n.dataFork()
		if lit[1] != 0 || parent > 0xffffffff {
			return f.dirUnsupported(n, "moving a directory with 64-bit inode numbers")
		}
		putBE32(lit, 2, uint32(parent))
		return nil
	}
	b, ok, err := f.blockDir(n)
	if err != nil {
		return err
	}
	if !ok {
		// Leaf and node format: ".." is the second entry of data block 0.
		exts, err := f.forkExtents(n, forkData)
		if err != nil {
			return err
		}
		if b, err = f.dirBlockAt(n, exts, 0); err != nil {
			return err
		}
		if b == nil || be32(b, 0) != dirDataMagic {
			return f.dirUnsupported(n, "moving a directory whose first data block is split across extents")
		}
	}
	dd := dirHdrSize + 16
	if b[dd+8] != 2 || b[dd+9] != '.' || b[dd+10] != '.' {
		return f.corrupt("directory inode %d: no \"..\" entry where expected", n.Ino)
	}
	putBE64(b, dd, parent)
	return nil
}
