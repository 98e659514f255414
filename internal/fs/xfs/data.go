package xfs

import (
	"fmt"
	iofs "io/fs"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

const maxWriteSize = 1 << 32

// truncateTo shrinks or grows a regular file's size. Shrinking frees the
// blocks past the new end (extents format only, or to zero from any
// format) and zeroes the tail of the last kept block.
func (f *FS) truncateTo(n *Inode, size int64) error {
	cur := n.Size()
	if size == 0 {
		freed, err := f.freeFork(n, forkData)
		if err != nil {
			return err
		}
		n.addNblocks(-int64(freed))
		if err := f.setExtents(n, nil); err != nil {
			return err
		}
		putBE64(n.Raw, diOffSize, 0)
		return nil
	}
	if n.Format() != fmtExtents && n.Format() != fmtBtree {
		return fs.ErrUnsupported
	}
	exts, err := f.forkExtents(n, forkData)
	if err != nil {
		return err
	}
	keep := uint64((size + f.bs - 1) / f.bs)
	if n.Format() == fmtBtree {
		// Only shrinking to what fits back in the inode: the bmbt blocks
		// are freed and the fork returns to extents format.
		kept := 0
		for _, e := range exts {
			if e.Off < keep {
				kept++
			}
		}
		if size >= cur || kept > n.maxForkExtents() {
			return fs.ErrUnsupported
		}
		blocks, err := f.bmbtBlocks(n, n.dataFork())
		if err != nil {
			return err
		}
		for _, b := range blocks {
			if err := f.freeFSB(b, 1); err != nil {
				return err
			}
		}
		n.addNblocks(-int64(len(blocks)))
	}
	if size < cur {
		var out []extent
		var freed int64
		for _, e := range exts {
			switch {
			case e.Off >= keep:
				if err := f.freeFSB(e.Start, e.Len); err != nil {
					return err
				}
				freed += int64(e.Len)
			case e.Off+e.Len > keep:
				cut := e.Off + e.Len - keep
				if err := f.freeFSB(e.Start+e.Len-cut, cut); err != nil {
					return err
				}
				freed += int64(cut)
				e.Len -= cut
				out = append(out, e)
			default:
				out = append(out, e)
			}
		}
		exts = out
		n.addNblocks(-freed)
		if err := f.setExtents(n, exts); err != nil {
			return err
		}
	}
	// Zero the last block's bytes past the smaller of the two sizes.
	edge := min(size, cur)
	if edge%f.bs != 0 {
		if e, ok := lookupExtent(exts, uint64(edge/f.bs)); ok && !e.Unwritten {
			off, err := f.fsbOff(e.Start + uint64(edge/f.bs) - e.Off)
			if err != nil {
				return err
			}
			blk := make([]byte, f.bs)
			if err := f.readAt(blk, off); err != nil {
				return err
			}
			clear(blk[edge%f.bs:])
			f.txWriteData(off, blk)
		}
	}
	putBE64(n.Raw, diOffSize, uint64(size))
	return nil
}

// Truncate implements fs.FS.
func (f *FS) Truncate(p string, size int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.run("truncate", p, func() error {
		n, err := f.resolveTx(p)
		if err != nil {
			return err
		}
		if !n.IsReg() {
			return iofs.ErrInvalid
		}
		if size < 0 || size > maxWriteSize {
			return fs.ErrTooLarge
		}
		if err := f.truncateTo(n, size); err != nil {
			if err == fs.ErrUnsupported {
				return fmt.Errorf("xfs: %s: inode %d: shrinking a btree-format (heavily fragmented) file to a non-zero size is not supported: %w", f.name, n.Ino, errUnsupported)
			}
			return err
		}
		n.touch(true)
		return nil
	})
}

// writeData gives an empty regular file the content data in new blocks.
func (f *FS) writeData(n *Inode, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	nb := uint64((int64(len(data)) + f.bs - 1) / f.bs)
	exts, err := f.allocBlocks(f.inoAG(n.Ino), nb, 0, min(n.maxForkExtents(), maxAllocExts))
	if err != nil {
		return err
	}
	pos := int64(0)
	for _, e := range exts {
		off, err := f.fsbOff(e.Start)
		if err != nil {
			return err
		}
		buf := make([]byte, int64(e.Len)*f.bs)
		copy(buf, data[pos:])
		f.txWriteData(off, buf)
		pos += int64(len(buf))
	}
	n.addNblocks(int64(nb))
	putBE64(n.Raw, diOffSize, uint64(len(data)))
	return f.setExtents(n, exts)
}

// WriteFile implements fs.FS.
func (f *FS) WriteFile(p string, data []byte, perm iofs.FileMode) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.run("write", p, func() error {
		if len(data) > maxWriteSize {
			return fs.ErrTooLarge
		}
		d, name, err := f.parentOf(p)
		if err != nil {
			return err
		}
		var n *Inode
		if _, ok, err := f.lookup(d, name); err != nil {
			return err
		} else if ok {
			if n, _, err = f.child(d, name); err != nil {
				return err
			}
			if n.IsDir() {
				return fs.ErrIsDir
			}
			if !n.IsReg() {
				return iofs.ErrInvalid
			}
			if err := f.truncateTo(n, 0); err != nil {
				return err
			}
		} else {
			if _, n, err = f.create(p, 0o100000|unixPerm(perm), 1); err != nil {
				return err
			}
		}
		if err := f.writeData(n, data); err != nil {
			return err
		}
		n.touch(true)
		return nil
	})
}
