package xfs

// addLeafEntry adds an entry to a leaf- or node-format directory when an
// existing data block has room and the target leaf block has a stale or
// spare slot. Anything that would need a new data block or a leaf split is
// refused with fs.ErrUnsupported.
func (f *FS) addLeafEntry(d *Inode, name string, ino uint64, ftype uint8) error {
	hasFtype := f.sb.Incompat&incompatFtype != 0
	exts, err := f.forkExtents(d, forkData)
	if err != nil {
		return err
	}
	sz := dirEntSize(len(name), hasFtype)
	dbs := uint64(f.sb.DirBlockSize())
	fsbPerDir := uint64(1) << f.sb.DirBlkLog
	// 0. A leaf block too full for one more hash entry and best-free
	// slot: convert to node format.
	root, err := f.dirBlockAt(d, exts, dirLeafOffset)
	if err != nil {
		return err
	}
	if root != nil && be16(root, daOffMagic) == dirLeaf1Magic {
		cnt, nb := int(be16(root, 56)), int(be32(root, len(root)-4))
		if dirLeafHdrSize+(cnt+1)*8+2 > len(root)-4-nb*2 {
			if err := f.leafToNode(d, root); err != nil {
				return err
			}
			if exts, err = f.forkExtents(d, forkData); err != nil {
				return err
			}
		}
	}
	// 1. A data block with a free region large enough.
	var data []byte
	var dblk uint64
	for _, e := range exts {
		for fb := e.Off; fb < e.Off+e.Len && data == nil; fb += fsbPerDir {
			byteOff := fb << f.sb.BlockLog
			if byteOff >= dirLeafOffset {
				break
			}
			b, err := f.dirBlockAt(d, exts, byteOff)
			if err != nil {
				return err
			}
			if b != nil && be32(b, 0) == dirDataMagic && int(be16(b, dirOffBestFree+2)) >= sz {
				data, dblk = b, byteOff/dbs
			}
		}
	}
	if data == nil {
		if dblk, data, err = f.addDataBlock(d, exts); err != nil {
			return err
		}
		if exts, err = f.forkExtents(d, forkData); err != nil {
			return err
		}
	}
	// 2. The leaf block for the name's hash.
	hash := dahash([]byte(name))
	leaf, path, err := f.leafForHash(d, exts, hash)
	if err != nil {
		return err
	}
	cnt, stale := int(be16(leaf, 56)), int(be16(leaf, 58))
	limit := len(leaf)
	if be16(leaf, daOffMagic) == dirLeaf1Magic {
		limit = len(leaf) - 4 - int(be32(leaf, len(leaf)-4))*2
	}
	if dirLeafHdrSize+cnt*8 > max(limit, 0) || stale > cnt {
		return f.corrupt("directory inode %d: leaf block with %d entries (%d stale)", d.Ino, cnt, stale)
	}
	if stale == 0 && dirLeafHdrSize+(cnt+1)*8 > limit {
		if be16(leaf, daOffMagic) != dirLeafNMagic {
			return f.dirUnsupported(d, "adding entries to a full leaf block")
		}
		if err := f.splitLeaf(d, exts, leaf, path); err != nil {
			return err
		}
		if exts, err = f.forkExtents(d, forkData); err != nil {
			return err
		}
		if leaf, path, err = f.leafForHash(d, exts, hash); err != nil {
			return err
		}
		cnt, stale = int(be16(leaf, 56)), int(be16(leaf, 58))
		if dirLeafHdrSize+(cnt+1)*8 > len(leaf) {
			return f.corrupt("directory inode %d: leaf block still full after a split", d.Ino)
		}
	}
	// 3. Place the data entry.
	pos := -1
	for p := dirHdrSize; p < len(data); {
		l := dirRegionLen(data, p, hasFtype)
		if l <= 0 {
			return f.corrupt("directory inode %d: bad entry at %d", d.Ino, p)
		}
		if be16(data, p) == dirFreeTag && l >= sz {
			pos = p
			break
		}
		p += l
	}
	if pos < 0 {
		return f.corrupt("directory inode %d: data block %d best-free table lies", d.Ino, dblk)
	}
	freeLen := int(be16(data, pos+2))
	clear(data[pos : pos+sz])
	putBE64(data, pos, ino)
	data[pos+8] = byte(len(name))
	copy(data[pos+9:], name)
	if hasFtype {
		data[pos+9+len(name)] = ftype
	}
	putBE16(data, pos+sz-2, uint16(pos))
	if freeLen > sz {
		setFree(data, pos+sz, freeLen-sz)
	}
	if err := rebuildBestFree(data, len(data), hasFtype); err != nil {
		return err
	}
	// 4. The hash entry, in hash order, reusing a stale slot if any.
	type he struct{ hash, addr uint32 }
	hs := make([]he, 0, cnt+1)
	dropped := stale == 0
	for i := 0; i < cnt; i++ {
		h := he{be32(leaf, dirLeafHdrSize+i*8), be32(leaf, dirLeafHdrSize+i*8+4)}
		if h.addr == dirNullDataptr && !dropped {
			dropped = true
			continue
		}
		hs = append(hs, h)
	}
	nh := he{hash, uint32((dblk*dbs + uint64(pos)) >> 3)}
	i := 0
	for i < len(hs) && hs[i].hash <= nh.hash {
		i++
	}
	hs = append(hs[:i], append([]he{nh}, hs[i:]...)...)
	for i, h := range hs {
		putBE32(leaf, dirLeafHdrSize+i*8, h.hash)
		putBE32(leaf, dirLeafHdrSize+i*8+4, h.addr)
	}
	putBE16(leaf, 56, uint16(len(hs)))
	if stale > 0 {
		putBE16(leaf, 58, uint16(stale-1))
	}
	fixHashPath(path, hs[len(hs)-1].hash)
	return f.setBest(d, exts, dblk, be16(data, dirOffBestFree+2))
}

type daLevel struct {
	buf []byte
	idx int
}

// leafForHash returns the leaf block (transaction copy) where hash belongs
// and the node path to it.
func (f *FS) leafForHash(d *Inode, exts []extent, hash uint32) ([]byte, []daLevel, error) {
	b, err := f.dirBlockAt(d, exts, dirLeafOffset)
	if err != nil {
		return nil, nil, err
	}
	var path []daLevel
	for depth := 0; b != nil && be16(b, daOffMagic) == daNodeMagic; depth++ {
		cnt := int(be16(b, 56))
		if depth > maxBtreeLevels || cnt == 0 || daNodeHdrSize+cnt*8 > len(b) {
			return nil, nil, f.corrupt("directory inode %d: bad node block", d.Ino)
		}
		i := 0
		for i < cnt-1 && be32(b, daNodeHdrSize+i*8) < hash {
			i++
		}
		path = append(path, daLevel{b, i})
		before := uint64(be32(b, daNodeHdrSize+i*8+4))
		if b, err = f.dirBlockAt(d, exts, before<<f.sb.BlockLog); err != nil {
			return nil, nil, err
		}
	}
	if b == nil {
		return nil, nil, f.dirUnsupported(d, "adding entries to a leaf block split across extents")
	}
	if m := be16(b, daOffMagic); m != dirLeaf1Magic && m != dirLeafNMagic {
		return nil, nil, f.corrupt("directory inode %d: leaf block magic %#x", d.Ino, m)
	}
	return b, path, nil
}

// setBest records data block dblk's largest free region in the leaf tail
// (leaf format) or the free index (node format).
func (f *FS) setBest(d *Inode, exts []extent, dblk uint64, best uint16) error {
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
			switch {
			case lb == nil:
			case byteOff < dirFreeOffset && be16(lb, daOffMagic) == dirLeaf1Magic:
				nb := int(be32(lb, len(lb)-4))
				if dblk < uint64(nb) && len(lb)-4-nb*2 > dirLeafHdrSize {
					putBE16(lb, len(lb)-4-nb*2+int(dblk)*2, best)
					return nil
				}
			case byteOff >= dirFreeOffset && be32(lb, 0) == dirFreeMagic:
				first, nvalid := uint64(be32(lb, 48)), uint64(be32(lb, 52))
				if dblk >= first && dblk < first+nvalid && dirFreeHdrSize+int(nvalid)*2 <= len(lb) {
					putBE16(lb, dirFreeHdrSize+int(dblk-first)*2, best)
					return nil
				}
			}
		}
	}
	return f.corrupt("directory inode %d: no best-free record for data block %d", d.Ino, dblk)
}

// fixHashPath makes the node keys on path name last, the new largest hash
// of the block below them, up to the first node whose own largest hash
// does not change.
func fixHashPath(path []daLevel, last uint32) {
	for l := len(path) - 1; l >= 0; l-- {
		b, idx := path[l].buf, path[l].idx
		ent := daNodeHdrSize + idx*8
		if be32(b, ent) == last {
			return
		}
		putBE32(b, ent, last)
		if idx != int(be16(b, 56))-1 {
			return
		}
	}
}
