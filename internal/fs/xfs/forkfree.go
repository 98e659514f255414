package xfs

// bmbtBlocks lists every block of a btree-format fork (all levels).
func (f *FS) bmbtBlocks(n *Inode, root []byte) ([]uint64, error) {
	level, nrecs := int(be16(root, 0)), int(be16(root, 2))
	maxr := (len(root) - 4) / 16
	if level == 0 || level > maxBtreeLevels || nrecs == 0 || nrecs > maxr {
		return nil, f.corrupt("inode %d: btree root level %d with %d records", n.Ino, level, nrecs)
	}
	var out []uint64
	first := be64(root, 4+maxr*8)
	for l := level - 1; l >= 0; l-- {
		ptr := first
		seen := map[uint64]bool{}
		for {
			if seen[ptr] || len(out) > maxExtents {
				return nil, f.corrupt("inode %d: cycle in the bmbt", n.Ino)
			}
			seen[ptr] = true
			b, off, err := f.readBmbtBlock(n, ptr, l)
			if err != nil {
				return nil, err
			}
			out = append(out, ptr)
			if ptr == first && l > 0 {
				nr := int(be16(b, bmbtOffNrecs))
				maxn := (len(b) - bmbtHdrSize) / 16
				if nr == 0 || nr > maxn {
					return nil, f.corrupt("inode %d: bmbt node at byte %d: %d records", n.Ino, off, nr)
				}
				first = be64(b, bmbtHdrSize+maxn*8)
			}
			right := be64(b, bmbtOffRight)
			if right == ^uint64(0) {
				break
			}
			ptr = right
		}
	}
	return out, nil
}

// freeFork frees every block of one fork (data extents and bmbt blocks) and
// returns how many blocks it freed. The caller resets the fork.
func (f *FS) freeFork(n *Inode, which int) (uint64, error) {
	var format uint8
	var lit []byte
	if which == forkData {
		format, lit = n.Format(), n.dataFork()
	} else {
		format, lit = n.AFormat(), n.attrFork()
		if lit == nil {
			return 0, nil
		}
	}
	if format != fmtExtents && format != fmtBtree {
		return 0, nil
	}
	exts, err := f.forkExtents(n, which)
	if err != nil {
		return 0, err
	}
	var freed uint64
	for _, e := range exts {
		if err := f.freeFSB(e.Start, e.Len); err != nil {
			return 0, err
		}
		freed += e.Len
	}
	if format == fmtBtree {
		blocks, err := f.bmbtBlocks(n, lit)
		if err != nil {
			return 0, err
		}
		for _, b := range blocks {
			if err := f.freeFSB(b, 1); err != nil {
				return 0, err
			}
			freed++
		}
	}
	return freed, nil
}

// setExtents stores an extent list in the data fork (extents format).
func (f *FS) setExtents(n *Inode, exts []extent) error {
	lit := n.dataFork()
	if len(exts)*extentRecSize > len(lit) {
		return f.corrupt("inode %d: %d extents do not fit the fork", n.Ino, len(exts))
	}
	clear(lit)
	for i, e := range exts {
		encodeExtent(lit[i*extentRecSize:], e)
	}
	n.Raw[diOffFormat] = fmtExtents
	n.setNextents(uint64(len(exts)))
	return nil
}

// maxForkExtents is how many extent records the data fork can hold.
func (n *Inode) maxForkExtents() int { return len(n.dataFork()) / extentRecSize }

func (n *Inode) addNblocks(d int64) {
	putBE64(n.Raw, diOffNblocks, uint64(int64(be64(n.Raw, diOffNblocks))+d))
}
