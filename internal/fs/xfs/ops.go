package xfs

import (
	iofs "io/fs"
	"path"
	"strings"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

const nullAgino = 0xffffffff

// parentOf resolves p's directory (a transaction copy) and base name.
func (f *FS) parentOf(p string) (*Inode, string, error) {
	if p == "/" {
		return nil, "", iofs.ErrInvalid
	}
	if _, ok := splitPath(p); !ok {
		return nil, "", iofs.ErrInvalid
	}
	dir, name := path.Split(p)
	d, err := f.resolve("", path.Clean(dir))
	if err != nil {
		return nil, "", unwrapPath(err)
	}
	if !d.IsDir() {
		return nil, "", fs.ErrNotDir
	}
	if len(name) > 255 {
		return nil, "", fs.ErrTooLarge
	}
	d, err = f.txInode(d)
	return d, name, err
}

// child looks name up in d and returns the transaction copy of its inode.
func (f *FS) child(d *Inode, name string) (*Inode, dirent, error) {
	e, ok, err := f.lookup(d, name)
	if err != nil {
		return nil, e, err
	}
	if !ok {
		return nil, e, iofs.ErrNotExist
	}
	n, err := f.readInode(e.ino)
	if err != nil {
		return nil, e, err
	}
	n, err = f.txInode(n)
	return n, e, err
}

// dirEmpty reports whether directory n has no entries.
func (f *FS) dirEmpty(n *Inode) (bool, error) {
	es, err := f.readDirEntries(n)
	return len(es) == 0, err
}

// dropLink removes one link to n; at zero it frees the inode and its blocks.
func (f *FS) dropLink(n *Inode) error {
	nl := n.Nlink()
	if n.IsDir() || nl <= 1 {
		return f.freeInode(n)
	}
	putBE32(n.Raw, diOffNlink, nl-1)
	n.touch(false)
	return nil
}

// freeInode frees both forks' blocks and the inode itself, leaving the
// core as the kernel leaves a freed inode.
func (f *FS) freeInode(n *Inode) error {
	if _, err := f.freeFork(n, forkData); err != nil {
		return err
	}
	if _, err := f.freeFork(n, forkAttr); err != nil {
		return err
	}
	if err := f.freeInodeNumber(n.Ino); err != nil {
		return err
	}
	gen := be32(n.Raw, diOffGen) + 1
	flags2 := uint64(0)
	if f.sb.Incompat&incompatBigtime != 0 {
		flags2 |= diflag2Bigtime
	}
	if f.sb.Incompat&incompatNrext64 != 0 {
		flags2 |= diflag2Nrext64
	}
	n.touch(false)
	putBE16(n.Raw, diOffMode, 0)
	putBE16(n.Raw, 6, 0) // di_onlink
	putBE32(n.Raw, diOffNlink, 0)
	putBE64(n.Raw, diOffSize, 0)
	putBE64(n.Raw, diOffNblocks, 0)
	putBE32(n.Raw, 72, 0) // di_extsize
	clear(n.Raw[diOffBigNextents : diOffBigNextents+8])
	clear(n.Raw[diOffNextents : diOffAnextents+2])
	n.Raw[diOffForkoff] = 0
	n.Raw[diOffFormat] = fmtExtents
	n.Raw[diOffAformat] = fmtExtents
	putBE16(n.Raw, diOffFlags, 0)
	putBE32(n.Raw, diOffGen, gen)
	putBE64(n.Raw, diOffFlags2, flags2)
	putBE32(n.Raw, 128, 0) // di_cowextsize
	clear(n.Raw[diCoreSize:])
	return nil
}

// Remove implements fs.FS.
func (f *FS) Remove(p string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.run("remove", p, func() error {
		d, name, err := f.parentOf(p)
		if err != nil {
			return err
		}
		n, e, err := f.child(d, name)
		if err != nil {
			return err
		}
		if n.IsDir() {
			empty, err := f.dirEmpty(n)
			if err != nil {
				return err
			}
			if !empty {
				return fs.ErrNotEmpty
			}
			putBE32(d.Raw, diOffNlink, d.Nlink()-1)
		}
		if err := f.removeEntry(d, e); err != nil {
			return err
		}
		d.touch(true)
		return f.dropLink(n)
	})
}

// newInode allocates and initialises an inode near directory d.
func (f *FS) newInode(d *Inode, mode uint16, nlink uint32) (*Inode, error) {
	agno, _ := f.agino(d.Ino)
	ino, err := f.allocInodeNumber(agno)
	if err != nil {
		return nil, err
	}
	off, err := f.inodeOff(ino)
	if err != nil {
		return nil, err
	}
	raw, err := f.txGet(off, int(f.sb.InodeSize), diOffCRC)
	if err != nil {
		return nil, err
	}
	if be16(raw, 0) != inodeMagic || raw[diOffVersion] != 3 || be64(raw, diOffIno) != ino {
		return nil, f.corrupt("free inode %d is not initialised", ino)
	}
	if be16(raw, diOffMode) != 0 {
		return nil, f.corrupt("inode %d is marked free but in use", ino)
	}
	gen := be32(raw, diOffGen)
	lsn := be64(raw, diOffLSN)
	clear(raw)
	putBE16(raw, 0, inodeMagic)
	putBE16(raw, diOffMode, mode)
	raw[diOffVersion] = 3
	raw[diOffFormat] = fmtExtents
	putBE32(raw, diOffNlink, nlink)
	raw[diOffAformat] = fmtExtents
	putBE32(raw, diOffGen, gen+1)
	putBE32(raw, diOffNextUnlink, nullAgino)
	putBE64(raw, diOffLSN, lsn)
	var flags2 uint64
	if f.sb.Incompat&incompatBigtime != 0 {
		flags2 |= diflag2Bigtime
	}
	if f.sb.Incompat&incompatNrext64 != 0 {
		flags2 |= diflag2Nrext64
	}
	putBE64(raw, diOffFlags2, flags2)
	putBE64(raw, diOffIno, ino)
	copy(raw[diOffUUID:], f.sb.MetaUUID[:])
	n := &Inode{Ino: ino, Raw: raw, off: off}
	now := time.Now()
	for _, o := range []int{diOffAtime, diOffMtime, diOffCtime, diOffCrtime} {
		n.setTime(o, now)
	}
	return n, nil
}

// create makes a new inode at p with the given mode and adds its entry.
func (f *FS) create(p string, mode uint16, ftype uint8) (*Inode, *Inode, error) {
	d, name, err := f.parentOf(p)
	if err != nil {
		return nil, nil, err
	}
	if name == "" || strings.ContainsRune(name, 0) {
		return nil, nil, iofs.ErrInvalid
	}
	if _, ok, err := f.lookup(d, name); err != nil {
		return nil, nil, err
	} else if ok {
		return nil, nil, iofs.ErrExist
	}
	nlink := uint32(1)
	if ftype == 2 {
		nlink = 2
	}
	n, err := f.newInode(d, mode, nlink)
	if err != nil {
		return nil, nil, err
	}
	if err := f.addEntry(d, name, n.Ino, ftype); err != nil {
		return nil, nil, err
	}
	if ftype == 2 {
		putBE32(d.Raw, diOffNlink, d.Nlink()+1)
	}
	d.touch(true)
	return d, n, nil
}

// unixPerm returns the low 12 bits of di_mode for perm.
func unixPerm(perm iofs.FileMode) uint16 { return uint16(fs.UnixPerm(perm)) }

// Mkdir implements fs.FS: a new shortform directory.
func (f *FS) Mkdir(p string, perm iofs.FileMode) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.run("mkdir", p, func() error {
		d, n, err := f.create(p, 0o040000|unixPerm(perm&^iofs.ModeSetuid), 2)
		if err != nil {
			return err
		}
		if d.Ino > 0xffffffff {
			return f.dirUnsupported(d, "creating a subdirectory of a directory with a 64-bit inode number")
		}
		n.Raw[diOffFormat] = fmtLocal
		lit := n.dataFork()
		putBE32(lit, 2, uint32(d.Ino))
		putBE64(n.Raw, diOffSize, 6)
		return nil
	})
}

// Symlink implements fs.FS.
func (f *FS) Symlink(target, p string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.run("symlink", p, func() error {
		if target == "" || len(target) > maxSymlinkLen {
			return iofs.ErrInvalid
		}
		_, n, err := f.create(p, 0o120777, 7)
		if err != nil {
			return err
		}
		putBE64(n.Raw, diOffSize, uint64(len(target)))
		if len(target) <= len(n.dataFork()) {
			n.Raw[diOffFormat] = fmtLocal
			copy(n.dataFork(), target)
			return nil
		}
		exts, err := f.allocBlocks(f.inoAG(n.Ino), 1, 0, 1)
		if err != nil {
			return err
		}
		off, err := f.fsbOff(exts[0].Start)
		if err != nil {
			return err
		}
		b := make([]byte, f.bs)
		putBE32(b, 0, symlinkMagic)
		putBE32(b, symlinkOffOffset, 0)
		putBE32(b, symlinkOffBytes, uint32(len(target)))
		copy(b[symlinkOffUUID:], f.sb.MetaUUID[:])
		putBE64(b, symlinkOffOwner, n.Ino)
		putBE64(b, symlinkOffBlkno, daddr(off))
		putBE64(b, 48, f.logLSN)
		copy(b[symlinkHdrSize:], target)
		f.txPut(off, b, symlinkOffCRC)
		n.addNblocks(1)
		return f.setExtents(n, exts)
	})
}

func (f *FS) inoAG(ino uint64) uint32 { a, _ := f.agino(ino); return a }

// Link implements fs.FS.
func (f *FS) Link(oldname, newname string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.run("link", newname, func() error {
		src, err := f.resolve("", oldname)
		if err != nil {
			return unwrapPath(err)
		}
		if src.IsDir() {
			return fs.ErrIsDir
		}
		d, name, err := f.parentOf(newname)
		if err != nil {
			return err
		}
		if _, ok, err := f.lookup(d, name); err != nil {
			return err
		} else if ok {
			return iofs.ErrExist
		}
		n, err := f.txInode(src)
		if err != nil {
			return err
		}
		if err := f.addEntry(d, name, n.Ino, ftypeOf(n.Mode())); err != nil {
			return err
		}
		putBE32(n.Raw, diOffNlink, n.Nlink()+1)
		n.touch(false)
		d.touch(true)
		return nil
	})
}

// ftypeOf maps st_mode to a directory entry file type.
func ftypeOf(m uint16) uint8 {
	switch m & 0o170000 {
	case 0o100000:
		return 1
	case 0o040000:
		return 2
	case 0o020000:
		return 3
	case 0o060000:
		return 4
	case 0o010000:
		return 5
	case 0o140000:
		return 6
	case 0o120000:
		return 7
	}
	return 0
}
