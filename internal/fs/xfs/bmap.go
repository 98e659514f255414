package xfs

// Block map (bmbt) constants.
const (
	bmbtMagic     = 0x424d4133 // "BMA3"
	bmbtHdrSize   = 72
	bmbtOffLevel  = 4
	bmbtOffNrecs  = 6
	bmbtOffRight  = 16
	bmbtOffBlkno  = 24
	bmbtOffUUID   = 40
	bmbtOffOwner  = 56
	bmbtOffCRC    = 64
	maxExtents    = 1 << 22 // cap on the extents of one fork
	forkData      = 0
	forkAttr      = 1
	extentRecSize = 16
	maxFileBlocks = 1 << 62 // bytes: XFS files end before 2^63
)

// extent is one mapping of a fork: file blocks [Off, Off+Len) at
// filesystem block Start.
type extent struct {
	Off, Start, Len uint64
	Unwritten       bool
}

// decodeExtent unpacks one 128-bit bmbt record.
func decodeExtent(b []byte) extent {
	l0, l1 := be64(b, 0), be64(b, 8)
	return extent{
		Unwritten: l0>>63 != 0,
		Off:       (l0 & (1<<63 - 1)) >> 9,
		Start:     (l0&0x1ff)<<43 | l1>>21,
		Len:       l1 & (1<<21 - 1),
	}
}

// encodeExtent packs one bmbt record.
func encodeExtent(b []byte, e extent) {
	l0 := e.Off<<9 | e.Start>>43
	if e.Unwritten {
		l0 |= 1 << 63
	}
	l1 := e.Start<<21 | e.Len&(1<<21-1)
	putBE64(b, 0, l0)
	putBE64(b, 8, l1)
}

// forkExtents returns the extents of a fork in extents or btree format, in
// file order, checking that they neither overlap nor go backwards.
func (f *FS) forkExtents(n *Inode, which int) ([]extent, error) {
	var lit []byte
	var format uint8
	var count uint64
	if which == forkData {
		lit, format, count = n.dataFork(), n.Format(), n.Nextents()
	} else {
		lit, format, count = n.attrFork(), n.AFormat(), uint64(n.ANextents())
	}
	if count > maxExtents {
		return nil, f.corrupt("inode %d: %d extents", n.Ino, count)
	}
	var out []extent
	switch format {
	case fmtExtents:
		if count*extentRecSize > uint64(len(lit)) {
			return nil, f.corrupt("inode %d: %d extents do not fit the fork", n.Ino, count)
		}
		for i := uint64(0); i < count; i++ {
			out = append(out, decodeExtent(lit[i*extentRecSize:]))
		}
	case fmtBtree:
		var err error
		if out, err = f.bmbtExtents(n, lit, count); err != nil {
			return nil, err
		}
	default:
		return nil, f.corrupt("inode %d: fork format %d has no extents", n.Ino, format)
	}
	var next uint64
	for i, e := range out {
		if e.Off+e.Len > maxFileBlocks>>f.sb.BlockLog {
			return nil, f.corrupt("inode %d: extent %d beyond the largest file offset", n.Ino, i)
		}
		if e.Len == 0 || e.Off < next || (i > 0 && e.Off < out[i-1].Off+out[i-1].Len) {
			return nil, f.corrupt("inode %d: extent %d overlaps or is empty", n.Ino, i)
		}
		next = e.Off + e.Len
		if _, err := f.fsbOff(e.Start); err != nil {
			return nil, err
		}
		if _, err := f.fsbOff(e.Start + e.Len - 1); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// bmbtExtents walks a block-mapped btree from its root in the inode.
func (f *FS) bmbtExtents(n *Inode, root []byte, count uint64) ([]extent, error) {
	if len(root) < 4 {
		return nil, f.corrupt("inode %d: btree root too small", n.Ino)
	}
	level, nrecs := int(be16(root, 0)), int(be16(root, 2))
	maxr := (len(root) - 4) / 16
	if level == 0 || level > maxBtreeLevels || nrecs == 0 || nrecs > maxr {
		return nil, f.corrupt("inode %d: btree root level %d with %d records", n.Ino, level, nrecs)
	}
	// Descend the leftmost path, then follow the leaf chain.
	ptr := be64(root, 4+maxr*8)
	var out []extent
	seen := map[uint64]bool{}
	for l := level; l > 0; l-- {
		b, off, err := f.readBmbtBlock(n, ptr, l-1)
		if err != nil {
			return nil, err
		}
		if l-1 == 0 {
			for {
				nr := int(be16(b, bmbtOffNrecs))
				if nr > (len(b)-bmbtHdrSize)/16 {
					return nil, f.corrupt("inode %d: bmbt leaf at byte %d: %d records", n.Ino, off, nr)
				}
				for i := 0; i < nr; i++ {
					out = append(out, decodeExtent(b[bmbtHdrSize+i*16:]))
				}
				if uint64(len(out)) > count || len(out) > maxExtents {
					return nil, f.corrupt("inode %d: bmbt holds more than %d extents", n.Ino, count)
				}
				right := be64(b, bmbtOffRight)
				if right == ^uint64(0) {
					break
				}
				if seen[right] {
					return nil, f.corrupt("inode %d: cycle in the bmbt leaf chain", n.Ino)
				}
				seen[right] = true
				if b, off, err = f.readBmbtBlock(n, right, 0); err != nil {
					return nil, err
				}
			}
			break
		}
		nr := int(be16(b, bmbtOffNrecs))
		maxn := (len(b) - bmbtHdrSize) / 16
		if nr == 0 || nr > maxn {
			return nil, f.corrupt("inode %d: bmbt node at byte %d: %d records", n.Ino, off, nr)
		}
		ptr = be64(b, bmbtHdrSize+maxn*8)
	}
	if uint64(len(out)) != count {
		return nil, f.corrupt("inode %d: bmbt holds %d extents, inode says %d", n.Ino, len(out), count)
	}
	return out, nil
}

func (f *FS) readBmbtBlock(n *Inode, fsb uint64, level int) ([]byte, int64, error) {
	b, off, err := f.readFSB(fsb, 1)
	if err != nil {
		return nil, 0, err
	}
	if be32(b, 0) != bmbtMagic {
		return nil, 0, f.corrupt("inode %d: bmbt block at byte %d: bad magic", n.Ino, off)
	}
	if err := f.checkBlockHeader("bmbt block", b, off, bmbtOffCRC, bmbtOffUUID, bmbtOffBlkno, bmbtOffOwner, n.Ino, false); err != nil {
		return nil, 0, err
	}
	if int(be16(b, bmbtOffLevel)) != level {
		return nil, 0, f.corrupt("inode %d: bmbt block at byte %d: level %d, expected %d", n.Ino, off, be16(b, bmbtOffLevel), level)
	}
	return b, off, nil
}

// lookupExtent finds the extent holding file block fb, or ok=false for a hole.
func lookupExtent(exts []extent, fb uint64) (extent, bool) {
	lo, hi := 0, len(exts)
	for lo < hi {
		m := (lo + hi) / 2
		if exts[m].Off+exts[m].Len <= fb {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(exts) && exts[lo].Off <= fb {
		return exts[lo], true
	}
	return extent{}, false
}
