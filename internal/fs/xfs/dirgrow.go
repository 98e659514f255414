package xfs

import "sort"

// addExtent maps a new extent into a directory's data fork (extents
// format), keeping the list in file order.
func (f *FS) addExtent(d *Inode, e extent) error {
	exts, err := f.forkExtents(d, forkData)
	if err != nil {
		return err
	}
	if len(exts)+1 > d.maxForkExtents() && !f.mergesWith(exts, e) {
		return f.dirUnsupported(d, "growing a directory whose extent list is full (btree-format fork)")
	}
	exts = append(exts, e)
	sort.Slice(exts, func(i, j int) bool { return exts[i].Off < exts[j].Off })
	// Merge neighbours contiguous in the file and on disk.
	out := exts[:1]
	for _, x := range exts[1:] {
		l := &out[len(out)-1]
		if !l.Unwritten && !x.Unwritten && l.Off+l.Len == x.Off && l.Start+l.Len == x.Start && l.Len+x.Len < 1<<21 {
			l.Len += x.Len
			continue
		}
		out = append(out, x)
	}
	return f.setExtents(d, out)
}

// mergesWith reports whether e extends an extent of exts in place.
func (f *FS) mergesWith(exts []extent, e extent) bool {
	for _, x := range exts {
		if !x.Unwritten && (x.Off+x.Len == e.Off && x.Start+x.Len == e.Start || e.Off+e.Len == x.Off && e.Start+e.Len == x.Start) {
			return true
		}
	}
	return false
}

// newDirBlock allocates one directory block (contiguous) for d.
func (f *FS) newDirBlock(d *Inode) (uint64, int64, error) {
	fsbPerDir := uint64(1) << f.sb.DirBlkLog
	exts, err := f.allocBlocks(f.inoAG(d.Ino), fsbPerDir, 0, 1)
	if err != nil {
		return 0, 0, err
	}
	off, err := f.fsbOff(exts[0].Start)
	d.addNblocks(int64(fsbPerDir))
	return exts[0].Start, off, err
}

// blockToLeaf converts a block-format directory to leaf format: the block
// becomes data block 0 and its hash entries move to a new leaf block.
func (f *FS) blockToLeaf(d *Inode, b []byte) error {
	if d.Format() != fmtExtents {
		return f.dirUnsupported(d, "converting a non-extents directory to leaf format")
	}
	hasFtype := f.sb.Incompat&incompatFtype != 0
	end := blockDataEnd(b)
	count, stale := int(be32(b, len(b)-8)), int(be32(b, len(b)-4))
	ents := append([]byte(nil), b[end:end+count*8]...)
	fsb, off, err := f.newDirBlock(d)
	if err != nil {
		return err
	}
	// The data block: new magic, the old leaf area becomes free space.
	putBE32(b, 0, dirDataMagic)
	clear(b[end:])
	start, length := end, len(b)-end
	for p := dirHdrSize; p < end; {
		l := dirRegionLen(b, p, hasFtype)
		if l <= 0 {
			return f.corrupt("directory inode %d: bad entry at %d", d.Ino, p)
		}
		if p+l == end && be16(b, p) == dirFreeTag {
			start, length = p, length+l
		}
		p += l
	}
	setFree(b, start, length)
	if err := rebuildBestFree(b, len(b), hasFtype); err != nil {
		return err
	}
	// The leaf block.
	lb := make([]byte, f.sb.DirBlockSize())
	putBE16(lb, daOffMagic, dirLeaf1Magic)
	putBE64(lb, daOffBlkno, daddr(off))
	putBE64(lb, 24, f.logLSN)
	copy(lb[daOffUUID:], f.sb.MetaUUID[:])
	putBE64(lb, daOffOwner, d.Ino)
	if dirLeafHdrSize+count*8 > len(lb)-6 {
		return f.dirUnsupported(d, "converting a block directory whose hash entries fill a leaf")
	}
	putBE16(lb, 56, uint16(count))
	putBE16(lb, 58, uint16(stale))
	copy(lb[dirLeafHdrSize:], ents)
	putBE32(lb, len(lb)-4, 1)
	putBE16(lb, len(lb)-6, be16(b, dirOffBestFree+2))
	f.txPut(off, lb, daOffCRC)
	leafFSB := uint64(dirLeafOffset) >> f.sb.BlockLog
	return f.addExtent(d, extent{Off: leafFSB, Start: fsb, Len: uint64(1) << f.sb.DirBlkLog})
}

// addDataBlock gives a leaf-format directory a new, empty data block and
// returns its directory block number and contents.
func (f *FS) addDataBlock(d *Inode, exts []extent) (uint64, []byte, error) {
	lb, err := f.dirBlockAt(d, exts, dirLeafOffset)
	if err != nil {
		return 0, nil, err
	}
	if lb == nil {
		return 0, nil, f.dirUnsupported(d, "adding a data block to a directory whose leaf block is split across extents")
	}
	dbs := uint64(f.sb.DirBlockSize())
	dblk := uint64(d.Size()) / dbs
	if uint64(d.Size())%dbs != 0 || dblk*dbs >= dirLeafOffset {
		return 0, nil, f.corrupt("directory inode %d: size %d", d.Ino, d.Size())
	}
	// The first hole left by a freed data block, else the next block.
	fsbPerDir := uint64(1) << f.sb.DirBlkLog
	for db := uint64(0); db < dblk; db++ {
		mapped := 0
		for fb := db * fsbPerDir; fb < (db+1)*fsbPerDir; fb++ {
			if _, ok := lookupExtent(exts, fb); ok {
				mapped++
			}
		}
		if mapped == 0 {
			dblk = db
			break
		}
		if mapped != int(fsbPerDir) {
			return 0, nil, f.dirUnsupported(d, "growing a directory with a partly mapped data block")
		}
	}
	if m := be16(lb, daOffMagic); m == dirLeafNMagic || m == daNodeMagic {
		return f.nodeAddDataBlock(d, exts, dblk)
	}
	if be16(lb, daOffMagic) != dirLeaf1Magic {
		return 0, nil, f.corrupt("directory inode %d: leaf block magic %#x", d.Ino, be16(lb, daOffMagic))
	}
	nb := int(be32(lb, len(lb)-4))
	cnt := int(be16(lb, 56))
	bests := len(lb) - 4 - nb*2
	if dblk < uint64(nb) && bests >= dirLeafHdrSize+cnt*8 {
		if be16(lb, bests+int(dblk)*2) != dirNullBest {
			return 0, nil, f.corrupt("directory inode %d: best-free entry for unmapped data block %d", d.Ino, dblk)
		}
		b, err := f.newDataBlock(d, dblk)
		if err != nil {
			return 0, nil, err
		}
		putBE16(lb, bests+int(dblk)*2, be16(b, dirOffBestFree+2))
		return dblk, b, nil
	}
	if uint64(nb) != dblk {
		return 0, nil, f.dirUnsupported(d, "growing a directory whose best-free table does not match its data blocks")
	}
	if dirLeafHdrSize+(cnt+1)*8 > bests-2 {
		return 0, nil, f.dirUnsupported(d, "growing a directory whose leaf block is full (conversion to node format)")
	}
	b, err := f.newDataBlock(d, dblk)
	if err != nil {
		return 0, nil, err
	}
	// One more best-free slot in the leaf tail.
	copy(lb[bests-2:], lb[bests:len(lb)-4])
	putBE16(lb, len(lb)-6, be16(b, dirOffBestFree+2))
	putBE32(lb, len(lb)-4, uint32(nb+1))
	return dblk, b, nil
}

// newDataBlock allocates and maps empty data block dblk of a directory
// and raises the directory size to cover it.
func (f *FS) newDataBlock(d *Inode, dblk uint64) ([]byte, error) {
	fsb, off, err := f.newDirBlock(d)
	if err != nil {
		return nil, err
	}
	b := make([]byte, f.sb.DirBlockSize())
	f.initDirBlockHdr(b, dirDataMagic, off, d.Ino)
	setFree(b, dirHdrSize, len(b)-dirHdrSize)
	if err := rebuildBestFree(b, len(b), f.sb.Incompat&incompatFtype != 0); err != nil {
		return nil, err
	}
	f.txPut(off, b, dirOffCRC)
	fsbPerDir := uint64(1) << f.sb.DirBlkLog
	if err := f.addExtent(d, extent{Off: dblk * fsbPerDir, Start: fsb, Len: fsbPerDir}); err != nil {
		return nil, err
	}
	putBE64(d.Raw, diOffSize, max(uint64(d.Size()), (dblk+1)*uint64(len(b))))
	return b, nil
}

// nodeAddDataBlock gives a node-format directory its next data block.
func (f *FS) nodeAddDataBlock(d *Inode, exts []extent, dblk uint64) (uint64, []byte, error) {
	b, err := f.newDataBlock(d, dblk)
	if err != nil {
		return 0, nil, err
	}
	if exts, err = f.forkExtents(d, forkData); err != nil {
		return 0, nil, err
	}
	if err := f.nodeAddBest(d, exts, dblk, be16(b, dirOffBestFree+2)); err != nil {
		return 0, nil, err
	}
	return dblk, b, nil
}
