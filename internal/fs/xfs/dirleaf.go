package xfs

// Leaf and node directory structures (xfs_dir3_leaf, xfs_dir3_free).
const (
	dirLeaf1Magic  = 0x3df1     // single leaf block with a bests tail
	dirLeafNMagic  = 0x3dff     // leaf block of a node directory
	dirFreeMagic   = 0x58444633 // "XDF3": free index block
	dirLeafHdrSize = 64
	dirFreeHdrSize = 64
	dirFreeOffset  = 64 << 30 // byte offset of the free index area
	maxDirBlocks   = 1 << 20
)

// dirBlockAt returns the transaction copy of the directory block holding
// logical byte offset byteOff, or nil when it is not mapped in one extent.
func (f *FS) dirBlockAt(d *Inode, exts []extent, byteOff uint64) ([]byte, error) {
	fb := byteOff >> f.sb.BlockLog
	fsbPerDir := uint64(1) << f.sb.DirBlkLog
	e, ok := lookupExtent(exts, fb)
	if !ok || e.Unwritten || e.Off+e.Len < fb+fsbPerDir {
		return nil, nil
	}
	off, err := f.fsbOff(e.Start + fb - e.Off)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, f.sb.DirBlockSize())
	if err := f.readAt(raw, off); err != nil {
		return nil, err
	}
	crcOff := -1
	switch {
	case be32(raw, 0) == dirBlockMagic || be32(raw, 0) == dirDataMagic || be32(raw, 0) == dirFreeMagic:
		crcOff = dirOffCRC
	case be16(raw, daOffMagic) == dirLeaf1Magic || be16(raw, daOffMagic) == dirLeafNMagic || be16(raw, daOffMagic) == daNodeMagic:
		crcOff = daOffCRC
	default:
		return nil, f.corrupt("directory inode %d: block at byte %d has no known magic", d.Ino, off)
	}
	if !f.inTx(off) && !verifyCRC(raw, crcOff) {
		return nil, f.corrupt("directory inode %d: block at byte %d: bad CRC", d.Ino, off)
	}
	return f.txGet(off, len(raw), crcOff)
}

// removeLeafEntry removes an entry from a leaf- or node-format directory:
// the data entry becomes free space, its hash entry goes stale, and the
// best-free record of its data block is updated in the leaf tail or the
// free index.
func (f *FS) removeLeafEntry(d *Inode, e dirent) error {
	hasFtype := f.sb.Incompat&incompatFtype != 0
	exts, err := f.forkExtents(d, forkData)
	if err != nil {
		return err
	}
	dbs := uint64(f.sb.DirBlockSize())
	b, err := f.dirBlockAt(d, exts, e.dblk*dbs)
	if err != nil {
		return err
	}
	if b == nil || be32(b, 0) != dirDataMagic {
		return f.dirUnsupported(d, "removing entries from a data block split across extents")
	}
	sz := dirEntSize(len(e.name), hasFtype)
	if err := freeDataEntry(b, e.pos, sz, len(b), hasFtype); err != nil {
		return f.corrupt("directory inode %d: %v", d.Ino, err)
	}
	best := be16(b, dirOffBestFree+2)
	empty := e.dblk != 0 && int(best) == len(b)-dirHdrSize
	want := uint32((e.dblk*dbs + uint64(e.pos)) >> 3)
	// Find and stale the hash entry, and update the bests.
	staled, bested := false, false
	for _, x := range exts {
		for fb := x.Off; fb < x.Off+x.Len; fb += uint64(1) << f.sb.DirBlkLog {
			byteOff := fb << f.sb.BlockLog
			if byteOff < dirLeafOffset {
				continue
			}
			lb, err := f.dirBlockAt(d, exts, byteOff)
			if err != nil {
				return err
			}
			if lb == nil {
				continue
			}
			switch {
			case byteOff < dirFreeOffset && (be16(lb, daOffMagic) == dirLeaf1Magic || be16(lb, daOffMagic) == dirLeafNMagic):
				if err := f.checkBlockHeader("directory leaf", lb, f.txOffOf(lb), daOffCRC, daOffUUID, daOffBlkno, daOffOwner, d.Ino, false); err != nil {
					return err
				}
				cnt := int(be16(lb, 56))
				if dirLeafHdrSize+cnt*8 > len(lb) {
					return f.corrupt("directory inode %d: leaf with %d entries", d.Ino, cnt)
				}
				for i := 0; i < cnt && !staled; i++ {
					if be32(lb, dirLeafHdrSize+i*8+4) == want {
						putBE32(lb, dirLeafHdrSize+i*8+4, dirNullDataptr)
						putBE16(lb, 58, be16(lb, 58)+1)
						staled = true
					}
				}
				if be16(lb, daOffMagic) == dirLeaf1Magic {
					nb := int(be32(lb, len(lb)-4))
					if e.dblk < uint64(nb) && len(lb)-4-nb*2 > dirLeafHdrSize {
						putBE16(lb, len(lb)-4-nb*2+int(e.dblk)*2, best)
						if empty {
							dropLeafBest(lb, int(e.dblk))
						}
						bested = true
					}
				}
			case byteOff >= dirFreeOffset && be32(lb, 0) == dirFreeMagic:
				if err := f.checkBlockHeader("directory free index", lb, f.txOffOf(lb), dirOffCRC, dirOffUUID, dirOffBlkno, dirOffOwner, d.Ino, false); err != nil {
					return err
				}
				first, nvalid := uint64(be32(lb, 48)), uint64(be32(lb, 52))
				if e.dblk >= first && e.dblk < first+nvalid && dirFreeHdrSize+int(nvalid)*2 <= len(lb) {
					putBE16(lb, dirFreeHdrSize+int(e.dblk-first)*2, best)
					if empty && !dropFreeBest(lb, int(e.dblk-first)) {
						return f.dirUnsupported(d, "freeing a directory free index block")
					}
					bested = true
				}
			}
		}
	}
	if !staled || !bested {
		return f.corrupt("directory inode %d: no leaf or free index entry for %q", d.Ino, e.name)
	}
	if empty {
		return f.freeDataBlock(d, exts, e.dblk, f.txOffOf(b))
	}
	return nil
}

// txOffOf finds the offset of a block buffer held in the transaction.
func (f *FS) txOffOf(b []byte) int64 {
	for off, x := range f.tx {
		if len(x.buf) > 0 && &x.buf[0] == &b[0] {
			return off
		}
	}
	return -1
}

// freeDataEntry turns the entry at pos (sz bytes) of a data block whose
// entries end at end into free space, merged with its free neighbours,
// and recomputes the best-free table.
func freeDataEntry(b []byte, pos, sz, end int, ftype bool) error {
	prev := -1
	for p := dirHdrSize; p < pos; {
		l := dirRegionLen(b, p, ftype)
		if l <= 0 {
			return errCorruptDir
		}
		if p+l == pos {
			prev = p
		}
		p += l
	}
	start, length := pos, sz
	if prev >= 0 && be16(b, prev) == dirFreeTag {
		start, length = prev, length+int(be16(b, prev+2))
	}
	if nx := pos + sz; nx < end && be16(b, nx) == dirFreeTag {
		length += int(be16(b, nx+2))
	}
	clear(b[start : start+length])
	setFree(b, start, length)
	return rebuildBestFree(b, end, ftype)
}
