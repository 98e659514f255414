package xfs

import (
	"fmt"
)

const (
	dirFirstOffset = dirHdrSize + 16 + 16 // after "." and ".." in a data block
	dirNullDataptr = 0
	dirOffBestFree = 48
)

// dahash is the XFS directory/attribute name hash.
func dahash(name []byte) uint32 {
	rol := func(x uint32, n uint) uint32 { return x<<n | x>>(32-n) }
	var h uint32
	for ; len(name) >= 4; name = name[4:] {
		h = uint32(name[0])<<21 ^ uint32(name[1])<<14 ^ uint32(name[2])<<7 ^ uint32(name[3]) ^ rol(h, 7*4)
	}
	switch len(name) {
	case 3:
		return uint32(name[0])<<14 ^ uint32(name[1])<<7 ^ uint32(name[2]) ^ rol(h, 7*3)
	case 2:
		return uint32(name[0])<<7 ^ uint32(name[1]) ^ rol(h, 7*2)
	case 1:
		return uint32(name[0]) ^ rol(h, 7)
	}
	return h
}

func (f *FS) dirUnsupported(d *Inode, what string) error {
	return fmt.Errorf("xfs: %s: directory inode %d: %s in a directory of this format is not supported: %w", f.name, d.Ino, what, errUnsupported)
}

// blockDir returns the transaction copy of a block-format directory's
// single block, or ok=false when the directory is not in block format.
func (f *FS) blockDir(d *Inode) ([]byte, bool, error) {
	if d.Format() != fmtExtents || d.Size() != int64(f.sb.DirBlockSize()) {
		return nil, false, nil
	}
	exts, err := f.forkExtents(d, forkData)
	if err != nil {
		return nil, false, err
	}
	fsbPerDir := uint64(1) << f.sb.DirBlkLog
	if len(exts) != 1 || exts[0].Off != 0 || exts[0].Len != fsbPerDir {
		return nil, false, nil
	}
	off, err := f.fsbOff(exts[0].Start)
	if err != nil {
		return nil, false, err
	}
	b, err := f.txGet(off, f.sb.DirBlockSize(), dirOffCRC)
	if err != nil {
		return nil, false, err
	}
	if be32(b, 0) != dirBlockMagic {
		return nil, false, nil
	}
	return b, true, nil
}

// removeEntry deletes name from directory d (a transaction copy).
func (f *FS) removeEntry(d *Inode, e dirent) error {
	f.dirCache = nil
	if d.Format() == fmtLocal {
		lit := d.dataFork()
		size := int(d.Size())
		inoSize := 4
		if lit[1] != 0 {
			return f.dirUnsupported(d, "removing entries with 64-bit inode numbers")
		}
		esz := 3 + len(e.name) + inoSize
		if f.sb.Incompat&incompatFtype != 0 {
			esz++
		}
		if e.pos+esz > size {
			return f.corrupt("directory inode %d: shortform entry overruns", d.Ino)
		}
		copy(lit[e.pos:], lit[e.pos+esz:size])
		clear(lit[size-esz : size])
		lit[0]--
		putBE64(d.Raw, diOffSize, uint64(size-esz))
		return nil
	}
	b, ok, err := f.blockDir(d)
	if err != nil {
		return err
	}
	if !ok {
		return f.removeLeafEntry(d, e)
	}
	ftype := f.sb.Incompat&incompatFtype != 0
	sz := dirEntSize(len(e.name), ftype)
	pos := e.pos
	// Merge with the free space before and after.
	end := blockDataEnd(b)
	prev := -1
	for p := dirHdrSize; p < pos; {
		l := dirRegionLen(b, p, ftype)
		if l <= 0 {
			return f.corrupt("directory inode %d: bad entry at %d", d.Ino, p)
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
	// Mark its hash entry stale.
	count := int(be32(b, len(b)-8))
	leaf := len(b) - 8 - count*8
	want := uint32(pos >> 3)
	found := false
	for i := 0; i < count; i++ {
		if be32(b, leaf+i*8+4) == want {
			putBE32(b, leaf+i*8+4, dirNullDataptr)
			found = true
			break
		}
	}
	if !found {
		return f.corrupt("directory inode %d: no hash entry for %q", d.Ino, e.name)
	}
	putBE32(b, len(b)-4, be32(b, len(b)-4)+1)
	return rebuildBestFree(b, end, ftype)
}

func setFree(b []byte, pos, l int) {
	putBE16(b, pos, dirFreeTag)
	putBE16(b, pos+2, uint16(l))
	putBE16(b, pos+l-2, uint16(pos))
}

// blockDataEnd is where a block directory's entries end (its leaf starts).
func blockDataEnd(b []byte) int {
	return len(b) - 8 - int(be32(b, len(b)-8))*8
}

// dirRegionLen is the size of the entry or free region at p.
func dirRegionLen(b []byte, p int, ftype bool) int {
	if p+4 > len(b) {
		return -1
	}
	if be16(b, p) == dirFreeTag {
		return int(be16(b, p+2))
	}
	if p+9 > len(b) {
		return -1
	}
	return dirEntSize(int(b[p+8]), ftype)
}

// rebuildBestFree recomputes the three largest free regions in the header.
func rebuildBestFree(b []byte, end int, ftype bool) error {
	var bf [3][2]int
	for p := dirHdrSize; p < end; {
		l := dirRegionLen(b, p, ftype)
		if l <= 0 {
			return fmt.Errorf("bad directory entry at %d: %w", p, errCorruptDir)
		}
		if be16(b, p) == dirFreeTag {
			for i := 0; i < 3; i++ {
				if l > bf[i][1] {
					copy(bf[i+1:], bf[i:2])
					bf[i] = [2]int{p, l}
					break
				}
			}
		}
		p += l
	}
	for i := 0; i < 3; i++ {
		putBE16(b, dirOffBestFree+i*4, uint16(bf[i][0]))
		putBE16(b, dirOffBestFree+i*4+2, uint16(bf[i][1]))
	}
	return nil
}

// addEntry adds name -> ino to directory d (a transaction copy).
func (f *FS) addEntry(d *Inode, name string, ino uint64, ftype uint8) error {
	f.dirCache = nil
	hasFtype := f.sb.Incompat&incompatFtype != 0
	if d.Format() == fmtLocal {
		lit := d.dataFork()
		size := int(d.Size())
		if lit[1] != 0 || ino > 0xffffffff {
			return f.dirUnsupported(d, "adding entries with 64-bit inode numbers")
		}
		es, err := f.shortformEntries(d)
		if err != nil {
			return err
		}
		offset := dirFirstOffset
		for _, x := range es {
			o := int(be16(lit, x.pos+1)) + dirEntSize(len(x.name), hasFtype)
			offset = max(offset, o)
		}
		esz := 3 + len(name) + 4
		if hasFtype {
			esz++
		}
		tail := 8 + 8*(len(es)+3)
		if size+esz > len(lit) || offset+dirEntSize(len(name), hasFtype)+tail > f.sb.DirBlockSize() || len(es) >= 255 {
			if err := f.shortformToBlock(d, es); err != nil {
				return err
			}
			return f.addEntry(d, name, ino, ftype)
		}
		p := size
		lit[p] = byte(len(name))
		putBE16(lit, p+1, uint16(offset))
		copy(lit[p+3:], name)
		q := p + 3 + len(name)
		if hasFtype {
			lit[q] = ftype
			q++
		}
		putBE32(lit, q, uint32(ino))
		lit[0]++
		putBE64(d.Raw, diOffSize, uint64(size+esz))
		return nil
	}
	b, ok, err := f.blockDir(d)
	if err != nil {
		return err
	}
	if !ok {
		return f.addLeafEntry(d, name, ino, ftype)
	}
	sz := dirEntSize(len(name), hasFtype)
	if !blockHasRoom(b, sz, hasFtype) {
		if err := f.blockToLeaf(d, b); err != nil {
			return err
		}
		return f.addLeafEntry(d, name, ino, ftype)
	}
	end := blockDataEnd(b)
	count := int(be32(b, len(b)-8))
	stale := int(be32(b, len(b)-4))
	leaf := end
	// Room for the hash entry: reuse a stale one, or take 8 bytes from a
	// free region that ends where the leaf starts.
	if stale == 0 {
		last := -1
		for p := dirHdrSize; p < end; {
			l := dirRegionLen(b, p, hasFtype)
			if l <= 0 {
				return f.corrupt("directory inode %d: bad entry at %d", d.Ino, p)
			}
			if p+l == end {
				last = p
			}
			p += l
		}
		if last < 0 || be16(b, last) != dirFreeTag {
			if err := f.blockToLeaf(d, b); err != nil {
				return err
			}
			return f.addLeafEntry(d, name, ino, ftype)
		}
		l := int(be16(b, last+2))
		if l-8 > 0 {
			setFree(b, last, l-8)
		}
		clear(b[end-8 : end])
		end -= 8
		// Shift the hash array down by one slot.
		leaf = end
		copy(b[leaf:], b[leaf+8:len(b)-8])
		count++
		putBE32(b, len(b)-8, uint32(count))
		putBE32(b, leaf+(count-1)*8, 0xffffffff)
		putBE32(b, leaf+(count-1)*8+4, dirNullDataptr)
		stale++
	}
	// Find a free region for the entry.
	pos := -1
	for p := dirHdrSize; p < end; {
		l := dirRegionLen(b, p, hasFtype)
		if l <= 0 {
			return f.corrupt("directory inode %d: bad entry at %d", d.Ino, p)
		}
		if be16(b, p) == dirFreeTag && l >= sz {
			pos = p
			break
		}
		p += l
	}
	if pos < 0 {
		if err := f.blockToLeaf(d, b); err != nil {
			return err
		}
		return f.addLeafEntry(d, name, ino, ftype)
	}
	freeLen := int(be16(b, pos+2))
	clear(b[pos : pos+sz])
	putBE64(b, pos, ino)
	b[pos+8] = byte(len(name))
	copy(b[pos+9:], name)
	if hasFtype {
		b[pos+9+len(name)] = ftype
	}
	putBE16(b, pos+sz-2, uint16(pos))
	if freeLen > sz {
		setFree(b, pos+sz, freeLen-sz)
	}
	// Rewrite the hash array: drop one stale entry, insert the new one in
	// hash order.
	type he struct{ hash, addr uint32 }
	var hs []he
	dropped := false
	for i := 0; i < count; i++ {
		h := he{be32(b, leaf+i*8), be32(b, leaf+i*8+4)}
		if h.addr == dirNullDataptr && !dropped {
			dropped = true
			continue
		}
		hs = append(hs, h)
	}
	nh := he{dahash([]byte(name)), uint32(pos >> 3)}
	i := 0
	for i < len(hs) && hs[i].hash <= nh.hash {
		i++
	}
	hs = append(hs[:i], append([]he{nh}, hs[i:]...)...)
	for i, h := range hs {
		putBE32(b, leaf+i*8, h.hash)
		putBE32(b, leaf+i*8+4, h.addr)
	}
	putBE32(b, len(b)-4, uint32(stale-1))
	return rebuildBestFree(b, end, hasFtype)
}

// shortformToBlock converts a shortform directory (a transaction copy) to
// block format: one directory block with ".", "..", the entries, free
// space, and the hash leaf at the end.
func (f *FS) shortformToBlock(d *Inode, es []dirent) error {
	hasFtype := f.sb.Incompat&incompatFtype != 0
	parent := shortformParent(d)
	fsbPerDir := uint64(1) << f.sb.DirBlkLog
	exts, err := f.allocBlocks(f.inoAG(d.Ino), fsbPerDir, 0, 1)
	if err != nil {
		return err
	}
	off, err := f.fsbOff(exts[0].Start)
	if err != nil {
		return err
	}
	b := make([]byte, f.sb.DirBlockSize())
	putBE32(b, 0, dirBlockMagic)
	putBE64(b, dirOffBlkno, daddr(off))
	putBE64(b, 16, f.logLSN)
	copy(b[dirOffUUID:], f.sb.MetaUUID[:])
	putBE64(b, dirOffOwner, d.Ino)
	type he struct{ hash, addr uint32 }
	var hs []he
	pos := dirHdrSize
	put := func(name string, ino uint64, ft uint8) {
		sz := dirEntSize(len(name), hasFtype)
		putBE64(b, pos, ino)
		b[pos+8] = byte(len(name))
		copy(b[pos+9:], name)
		if hasFtype {
			b[pos+9+len(name)] = ft
		}
		putBE16(b, pos+sz-2, uint16(pos))
		hs = append(hs, he{dahash([]byte(name)), uint32(pos >> 3)})
		pos += sz
	}
	put(".", d.Ino, 2)
	put("..", parent, 2)
	for _, e := range es {
		put(e.name, e.ino, e.ftype)
	}
	count := len(hs)
	end := len(b) - 8 - count*8
	if pos+8 > end {
		return f.dirUnsupported(d, "converting a shortform directory that does not fit one block")
	}
	if pos < end {
		setFree(b, pos, end-pos)
	}
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && hs[j].hash < hs[j-1].hash; j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
	for i, h := range hs {
		putBE32(b, end+i*8, h.hash)
		putBE32(b, end+i*8+4, h.addr)
	}
	putBE32(b, len(b)-8, uint32(count))
	putBE32(b, len(b)-4, 0)
	if err := rebuildBestFree(b, end, hasFtype); err != nil {
		return err
	}
	f.txPut(off, b, dirOffCRC)
	clear(d.dataFork())
	if err := f.setExtents(d, exts); err != nil {
		return err
	}
	putBE64(d.Raw, diOffSize, uint64(len(b)))
	d.addNblocks(int64(fsbPerDir))
	return nil
}

// blockHasRoom reports whether a block directory can take an entry of sz
// bytes plus its hash entry (a stale slot, or 8 bytes taken from the free
// region that ends at the hash array).
func blockHasRoom(b []byte, sz int, ftype bool) bool {
	end := blockDataEnd(b)
	stale := be32(b, len(b)-4)
	lastFree, lastLen := -1, 0
	fits := 0 // free regions of at least sz bytes
	for p := dirHdrSize; p < end; {
		l := dirRegionLen(b, p, ftype)
		if l <= 0 {
			return false
		}
		if be16(b, p) == dirFreeTag {
			if l >= sz {
				fits++
			}
			if p+l == end {
				lastFree, lastLen = p, l
			}
		}
		p += l
	}
	if stale > 0 {
		return fits > 0
	}
	if lastFree < 0 || lastLen < 8 {
		return false
	}
	// The last region shrinks by 8: it still counts if it stays big enough.
	if lastLen >= sz {
		fits--
	}
	if lastLen-8 >= sz {
		fits++
	}
	return fits > 0
}
