package xfs

// Freeing directory data blocks that a removal leaves empty (xfs_repair
// junks empty data blocks other than the first, and the kernel never
// leaves them).

// dropLeafBest forgets empty data block dblk in a leaf block's best-free
// tail: a null slot, or a shorter table when it was the last block.
func dropLeafBest(lb []byte, dblk int) {
	nb := int(be32(lb, len(lb)-4))
	start := len(lb) - 4 - nb*2
	if dblk != nb-1 {
		putBE16(lb, start+dblk*2, dirNullBest)
		return
	}
	i := dblk - 1
	for i > 0 && be16(lb, start+i*2) == dirNullBest {
		i--
	}
	newStart := len(lb) - 4 - (i+1)*2
	copy(lb[newStart:len(lb)-4], lb[start:start+(i+1)*2])
	clear(lb[start:newStart])
	putBE32(lb, len(lb)-4, uint32(i+1))
}

// dropFreeBest forgets empty data block dblk in a free index block; it
// reports false when the free index block would end up unused.
func dropFreeBest(fb []byte, idx int) bool {
	nvalid := int(be32(fb, 52))
	putBE16(fb, dirFreeHdrSize+idx*2, dirNullBest)
	putBE32(fb, 56, be32(fb, 56)-1)
	if idx == nvalid-1 {
		i := idx - 1
		for i >= 0 && be16(fb, dirFreeHdrSize+i*2) == dirNullBest {
			i--
		}
		clear(fb[dirFreeHdrSize+(i+1)*2 : dirFreeHdrSize+nvalid*2])
		putBE32(fb, 52, uint32(i+1))
	}
	return be32(fb, 56) != 0
}

// freeDataBlock unmaps and frees directory data block dblk (held in the
// transaction at byte off), and lowers the size when it was the last one.
func (f *FS) freeDataBlock(d *Inode, exts []extent, dblk uint64, off int64) error {
	fsbPerDir := uint64(1) << f.sb.DirBlkLog
	lo, hi := dblk*fsbPerDir, (dblk+1)*fsbPerDir
	var out []extent
	var fsb uint64
	found := false
	for _, x := range exts {
		if x.Off+x.Len <= lo || x.Off >= hi {
			out = append(out, x)
			continue
		}
		if x.Off > lo || x.Off+x.Len < hi {
			return f.dirUnsupported(d, "freeing a data block split across extents")
		}
		if x.Off < lo {
			l := x
			l.Len = lo - x.Off
			out = append(out, l)
		}
		if x.Off+x.Len > hi {
			r := x
			r.Off, r.Start, r.Len = hi, x.Start+(hi-x.Off), x.Off+x.Len-hi
			out = append(out, r)
		}
		fsb, found = x.Start+(lo-x.Off), true
	}
	if !found {
		return f.corrupt("directory inode %d: data block %d not mapped", d.Ino, dblk)
	}
	if len(out) > d.maxForkExtents() {
		return f.dirUnsupported(d, "freeing a data block from a full extent list")
	}
	if err := f.setExtents(d, out); err != nil {
		return err
	}
	if err := f.freeFSB(fsb, fsbPerDir); err != nil {
		return err
	}
	d.addNblocks(-int64(fsbPerDir))
	delete(f.tx, off)
	dbs := uint64(f.sb.DirBlockSize())
	if uint64(d.Size()) == (dblk+1)*dbs {
		var size uint64
		for _, x := range out {
			if end := (x.Off + x.Len) << f.sb.BlockLog; x.Off<<f.sb.BlockLog < dirLeafOffset {
				size = max(size, min(end, dirLeafOffset))
			}
		}
		putBE64(d.Raw, diOffSize, size)
	}
	return nil
}
