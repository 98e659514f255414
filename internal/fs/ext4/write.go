package ext4

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"path"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// Link count limit without dir_nlink (EXT4_LINK_MAX).
const maxLinks = 65000

// begin takes the lock and checks that writing is allowed.
func (f *FS) begin(op, p string) error {
	f.mu.Lock()
	if err := f.canWrite(); err != nil {
		f.mu.Unlock()
		return perr(op, p, err)
	}
	return nil
}

// end releases the lock, wrapping err as a path error.
func (f *FS) end(op, p string, err error) error {
	if errors.Is(err, fs.ErrCorrupt) && f.broken == nil {
		// Damage found half-way through an edit: refuse to build on it.
		f.broken = err
	}
	f.mu.Unlock()
	if err == nil {
		return nil
	}
	var pe *iofs.PathError
	if errors.As(err, &pe) {
		return err
	}
	return perr(op, p, err)
}

// editable refuses inodes whose content the engine cannot rewrite safely.
func (f *FS) editable(n *Inode) error {
	switch fl := n.Flags(); {
	case fl&flagInlineData != 0:
		return fmt.Errorf("ext4: %s: inode %d stores inline data: writing inline_data is not supported: %w", f.name, n.Ino, errUnsupported)
	case fl&flagEncrypt != 0:
		return fmt.Errorf("ext4: %s: inode %d is encrypted: %w", f.name, n.Ino, errUnsupported)
	case fl&flagVerity != 0:
		return fmt.Errorf("ext4: %s: inode %d is protected by fs-verity: %w", f.name, n.Ino, errUnsupported)
	case fl&flagCasefold != 0:
		return fmt.Errorf("ext4: %s: directory inode %d is case-insensitive (casefold): %w", f.name, n.Ino, errUnsupported)
	case fl&flagEAInode != 0:
		return fmt.Errorf("ext4: %s: inode %d holds an xattr value (ea_inode): %w", f.name, n.Ino, errUnsupported)
	}
	return nil
}

// parentOf resolves p's directory and returns it with p's base name.
func (f *FS) parentOf(op, p string) (*Inode, string, error) {
	if p == "/" {
		return nil, "", perr(op, p, iofs.ErrInvalid)
	}
	if _, ok := splitPath(p); !ok {
		return nil, "", perr(op, p, iofs.ErrInvalid)
	}
	dir, name := path.Split(p)
	d, err := f.resolve(op, path.Clean(dir))
	if err != nil {
		return nil, "", perr(op, p, underlying(err))
	}
	if !d.IsDir() {
		return nil, "", perr(op, p, fs.ErrNotDir)
	}
	if len(name) > maxNameLen {
		return nil, "", perr(op, p, fs.ErrTooLarge)
	}
	return d, name, nil
}

func underlying(err error) error {
	var pe *iofs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// lookupIn returns the inode name refers to in dir, or nil.
func (f *FS) lookupIn(dir *Inode, name string) (*Inode, error) {
	ino, err := f.lookupName(dir, name)
	if err != nil || ino == 0 {
		return nil, err
	}
	return f.readInode(ino)
}

// newInode allocates and initialises an inode near its parent.
func (f *FS) newInode(parent *Inode, mode uint16) (*Inode, error) {
	dir := mode&sIFMT == sIFDIR
	ino, err := f.allocInode((parent.Ino-1)/f.geo.ipg, dir)
	if err != nil {
		return nil, err
	}
	n := &Inode{Ino: ino, Raw: make([]byte, f.geo.inodeSize)}
	n.put16(iMode, mode)
	n.put16(iLinks, 1)
	if dir {
		n.put16(iLinks, 2)
	}
	if len(n.Raw) > goodOldSize {
		extra := f.sb.WantExtraIsize
		if extra < 32 {
			extra = 32
		}
		n.put16(iExtraIsize, uint16(min(int(extra), len(n.Raw)-goodOldSize)))
	}
	if f.gen == 0 {
		f.gen = uint32(time.Now().UnixNano()) | 1
	}
	f.gen = f.gen*1664525 + 1013904223
	n.put32(iGeneration, f.gen)
	now := time.Now()
	n.setAtime(now)
	n.setMtime(now)
	n.setCtime(now)
	n.setTimeAt(iCrtime, iCrtimeExtra, now)
	return n, nil
}

// touchDir sets a directory's mtime and ctime.
func touch(n *Inode) {
	now := time.Now()
	n.setMtime(now)
	n.setCtime(now)
}

// WriteFile implements fs.FS.
func (f *FS) WriteFile(p string, data []byte, perm iofs.FileMode) error {
	if err := f.begin("write", p); err != nil {
		return err
	}
	return f.end("write", p, f.writeFile(p, data, perm))
}

func (f *FS) writeFile(p string, data []byte, perm iofs.FileMode) error {
	if p == "/" {
		return perr("write", p, fs.ErrIsDir)
	}
	dir, name, err := f.parentOf("write", p)
	if err != nil {
		return err
	}
	n, err := f.lookupIn(dir, name)
	if err != nil {
		return err
	}
	if n != nil {
		switch {
		case n.IsDir():
			return perr("write", p, fs.ErrIsDir)
		case n.Type() != sIFREG:
			return perr("write", p, iofs.ErrInvalid)
		}
		if err := f.editable(n); err != nil {
			return err
		}
		if err := f.replaceContent(n, data); err != nil {
			return err
		}
		touch(n)
		return f.writeInode(n)
	}
	if err := f.editable(dir); err != nil {
		return err
	}
	n, err = f.newInode(dir, sIFREG|permBits(perm))
	if err != nil {
		return err
	}
	if f.sb.FeatureIncompat.Has(IncompatExtents) {
		f.emptyExtentRoot(n)
	}
	if err := f.replaceContent(n, data); err != nil {
		_ = f.freeInode(n.Ino, false)
		return err
	}
	if err := f.writeInode(n); err != nil {
		return err
	}
	touch(dir)
	return f.linkNew(dir, name, n, ftReg)
}

// emptyExtentRoot makes i_block an empty extent tree.
func (f *FS) emptyExtentRoot(n *Inode) {
	// An empty tree needs no blocks, so this cannot fail.
	_, _ = f.writeExtentTree(n, nil, func(int, uint64) ([]uint64, error) { return nil, nil })
}

// replaceContent frees a file's blocks and writes data in new ones.
func (f *FS) replaceContent(n *Inode, data []byte) error {
	old, err := f.readMapping(n)
	if err != nil {
		return err
	}
	bs := uint64(f.geo.bs)
	k := (uint64(len(data)) + bs - 1) / bs
	if k+8 > f.sb.FreeBlocksCount()+old.dataBlocks() {
		return fmt.Errorf("ext4: %s: %d blocks needed: %w", f.name, k, errNoSpace)
	}
	for _, e := range old.exts {
		if err := f.freeBlocks(e.Physical, uint64(e.Len)); err != nil {
			return err
		}
	}
	goal := f.goalFor(n)
	if len(old.exts) > 0 {
		goal = old.exts[0].Physical
	}
	var rs []run
	if k > 0 {
		if rs, err = f.allocBlocks(goal, k); err != nil {
			// Leave a consistent, empty file rather than a dangling map.
			if _, err2 := f.setMapping(n, &mapping{meta: old.meta}, nil); err2 == nil {
				n.setSize(0)
				_ = f.writeInode(n)
			}
			return err
		}
	}
	off := 0
	for _, r := range rs {
		l := int(r.n * bs)
		chunk := data[off:min(off+l, len(data))]
		if len(chunk) < l {
			// The last block: pad with zeros to its end.
			chunk = append(make([]byte, 0, l), chunk...)
			chunk = chunk[:l]
		}
		if _, err := f.vol.WriteAt(chunk, int64(r.start)*f.geo.bs); err != nil {
			f.broken = err
			return fmt.Errorf("ext4: %s: writing file data: %w", f.name, err)
		}
		off += l
	}
	if _, err := f.setMapping(n, &mapping{meta: old.meta}, runsToExtents(rs, 0)); err != nil {
		return err
	}
	n.setSize(int64(len(data)))
	return nil
}

// Truncate implements fs.FS.
func (f *FS) Truncate(p string, size int64) error {
	if err := f.begin("truncate", p); err != nil {
		return err
	}
	return f.end("truncate", p, f.truncate(p, size))
}

func (f *FS) truncate(p string, size int64) error {
	n, err := f.resolve("truncate", p)
	if err != nil {
		return err
	}
	if n.Type() != sIFREG {
		return perr("truncate", p, iofs.ErrInvalid)
	}
	if size < 0 || size > f.maxFileSize() {
		return perr("truncate", p, fs.ErrTooLarge)
	}
	if err := f.editable(n); err != nil {
		return err
	}
	m, err := f.readMapping(n)
	if err != nil {
		return err
	}
	bs := f.geo.bs
	old := n.Size()
	if size < old {
		keep := uint64((size + bs - 1) / bs)
		var exts []Extent
		for _, e := range m.exts {
			end := uint64(e.Logical) + uint64(e.Len)
			switch {
			case uint64(e.Logical) >= keep:
				if err := f.freeBlocks(e.Physical, uint64(e.Len)); err != nil {
					return err
				}
			case end > keep:
				cut := end - keep
				if err := f.freeBlocks(e.Physical+uint64(e.Len)-cut, cut); err != nil {
					return err
				}
				e.Len -= uint32(cut)
				exts = append(exts, e)
			default:
				exts = append(exts, e)
			}
		}
		if m, err = f.setMapping(n, &mapping{meta: m.meta}, exts); err != nil {
			return err
		}
	}
	// Zero the bytes past the new (or old, when growing) end in its last block.
	if edge := min(size, old); edge%bs != 0 {
		if e, ok := lookupExtent(m.exts, uint64(edge/bs)); ok && !e.Uninit {
			blk := e.Physical + uint64(edge/bs) - uint64(e.Logical)
			buf := make([]byte, bs)
			if err := f.readBlock(blk, buf); err != nil {
				return err
			}
			clear(buf[edge%bs:])
			if err := f.writeBlock(blk, buf); err != nil {
				return err
			}
		}
	}
	n.setSize(size)
	touch(n)
	return f.writeInode(n)
}

// maxFileSize is the largest size the engine writes for this filesystem.
func (f *FS) maxFileSize() int64 {
	if f.sb.FeatureIncompat.Has(IncompatExtents) {
		return (1<<32 - 1) * f.geo.bs
	}
	per := f.geo.bs / 4
	return min((12+per+per*per)*f.geo.bs, 1<<41)
}

// Mkdir implements fs.FS.
func (f *FS) Mkdir(p string, perm iofs.FileMode) error {
	if err := f.begin("mkdir", p); err != nil {
		return err
	}
	return f.end("mkdir", p, f.mkdir(p, perm))
}

func (f *FS) mkdir(p string, perm iofs.FileMode) error {
	dir, name, err := f.parentOf("mkdir", p)
	if err != nil {
		return err
	}
	if ex, err := f.lookupIn(dir, name); err != nil || ex != nil {
		if err == nil {
			err = perr("mkdir", p, iofs.ErrExist)
		}
		return err
	}
	if err := f.editable(dir); err != nil {
		return err
	}
	if dir.Links() >= maxLinks && !f.sb.FeatureROCompat.Has(ROCompatDirNlink) {
		return perr("mkdir", p, fmt.Errorf("too many links: %w", fs.ErrTooLarge))
	}
	n, err := f.newInode(dir, sIFDIR|permBits(perm)&^0o4000)
	if err != nil {
		return err
	}
	rs, err := f.allocBlocks(f.goalFor(n), 1)
	if err != nil {
		_ = f.freeInode(n.Ino, true)
		return err
	}
	b := f.newLeaf()
	putDirent(b, 0, n.Ino, ".", ftDir, 12, f.filetype())
	putDirent(b, 12, dir.Ino, "..", ftDir, f.leafEnd()-12, f.filetype())
	if err := f.writeDirLeaf(n, rs[0].start, b); err != nil {
		return err
	}
	if _, err := f.setMapping(n, &mapping{}, runsToExtents(rs, 0)); err != nil {
		return err
	}
	n.setSize(f.geo.bs)
	if err := f.writeInode(n); err != nil {
		return err
	}
	touch(dir)
	oldLinks := dir.Links()
	switch l := oldLinks; {
	case l == 1:
		// dir_nlink: the count overflowed once and stays 1.
	case l+1 >= maxLinks:
		dir.put16(iLinks, 1)
	default:
		dir.put16(iLinks, l+1)
	}
	if err := f.linkNew(dir, name, n, ftDir); err != nil {
		dir.put16(iLinks, oldLinks)
		return err
	}
	return nil
}

// Symlink implements fs.FS.
func (f *FS) Symlink(target, p string) error {
	if err := f.begin("symlink", p); err != nil {
		return err
	}
	return f.end("symlink", p, f.symlink(target, p))
}

func (f *FS) symlink(target, p string) error {
	if target == "" || len(target) >= int(f.geo.bs) || len(target) > 4095 {
		return perr("symlink", p, iofs.ErrInvalid)
	}
	dir, name, err := f.parentOf("symlink", p)
	if err != nil {
		return err
	}
	if ex, err := f.lookupIn(dir, name); err != nil || ex != nil {
		if err == nil {
			err = perr("symlink", p, iofs.ErrExist)
		}
		return err
	}
	if err := f.editable(dir); err != nil {
		return err
	}
	n, err := f.newInode(dir, sIFLNK|0o777)
	if err != nil {
		return err
	}
	if len(target) < iBlockLen {
		copy(n.Raw[iBlock:], target)
		n.setSize(int64(len(target)))
	} else {
		if f.sb.FeatureIncompat.Has(IncompatExtents) {
			f.emptyExtentRoot(n)
		}
		if err := f.replaceContent(n, []byte(target)); err != nil {
			_ = f.freeInode(n.Ino, false)
			return err
		}
	}
	if err := f.writeInode(n); err != nil {
		return err
	}
	touch(dir)
	return f.linkNew(dir, name, n, ftSymlink)
}

// Link implements fs.FS.
func (f *FS) Link(oldname, newname string) error {
	if err := f.begin("link", newname); err != nil {
		return err
	}
	return f.end("link", newname, f.link(oldname, newname))
}

func (f *FS) link(oldname, newname string) error {
	n, err := f.resolve("link", oldname)
	if err != nil {
		return err
	}
	if n.IsDir() {
		return perr("link", oldname, fs.ErrIsDir)
	}
	dir, name, err := f.parentOf("link", newname)
	if err != nil {
		return err
	}
	if ex, err := f.lookupIn(dir, name); err != nil || ex != nil {
		if err == nil {
			err = perr("link", newname, iofs.ErrExist)
		}
		return err
	}
	if err := f.editable(dir); err != nil {
		return err
	}
	if n.Links() >= maxLinks {
		return perr("link", oldname, fmt.Errorf("too many links: %w", fs.ErrTooLarge))
	}
	touch(dir)
	if err := f.addEntry(dir, name, n.Ino, ftFromMode(n.Mode())); err != nil {
		return err
	}
	n.put16(iLinks, n.Links()+1)
	n.setCtime(time.Now())
	return f.writeInode(n)
}

// linkNew enters a freshly made inode in dir; if that fails (a full
// directory on a full filesystem), the inode is released again so that no
// unattached inode is left behind.
func (f *FS) linkNew(dir *Inode, name string, n *Inode, ft uint8) error {
	err := f.addEntry(dir, name, n.Ino, ft)
	if err != nil {
		if rerr := f.releaseInode(n); rerr != nil {
			return fmt.Errorf("%w (and releasing inode %d: %v)", err, n.Ino, rerr)
		}
	}
	return err
}
