package xfs

import "sort"

// Node-format directories (xfs_da3 node blocks over xfs_dir3 leafn blocks,
// with xfs_dir3_free index blocks from dirFreeOffset on).
const (
	daNodeLevelOff = 58
	dirNullBest    = 0xffff // a free index slot for a data block that is gone
)

// maxFreeBests is how many data blocks one free index block describes.
func (f *FS) maxFreeBests() uint64 {
	return uint64(f.sb.DirBlockSize()-dirFreeHdrSize) / 2
}

// leafToNode converts a leaf-format directory to node format: the leaf
// tail's best-free table moves to a new free index block and the leaf
// block becomes the (single, root) leafn block.
func (f *FS) leafToNode(d *Inode, lb []byte) error {
	dbs := f.sb.DirBlockSize()
	nb := int(be32(lb, dbs-4))
	cnt := int(be16(lb, 56))
	bests := dbs - 4 - nb*2
	if nb <= 0 || uint64(nb) > f.maxFreeBests() || bests < dirLeafHdrSize+cnt*8 {
		return f.corrupt("directory inode %d: leaf tail counts %d data blocks", d.Ino, nb)
	}
	fsb, off, err := f.newDirBlock(d)
	if err != nil {
		return err
	}
	fb := make([]byte, dbs)
	f.initDirBlockHdr(fb, dirFreeMagic, off, d.Ino)
	used := 0
	for i := 0; i < nb; i++ {
		v := be16(lb, bests+i*2)
		if v != dirNullBest {
			used++
		}
		putBE16(fb, dirFreeHdrSize+i*2, v)
	}
	putBE32(fb, 48, 0)
	putBE32(fb, 52, uint32(nb))
	putBE32(fb, 56, uint32(used))
	f.txPut(off, fb, dirOffCRC)
	putBE16(lb, daOffMagic, dirLeafNMagic)
	clear(lb[dirLeafHdrSize+cnt*8:])
	freeFSB := uint64(dirFreeOffset) >> f.sb.BlockLog
	return f.addExtent(d, extent{Off: freeFSB, Start: fsb, Len: uint64(1) << f.sb.DirBlkLog})
}

// initDirBlockHdr fills a new xfs_dir3_blk_hdr (data and free blocks).
func (f *FS) initDirBlockHdr(b []byte, magic uint32, off int64, owner uint64) {
	putBE32(b, 0, magic)
	putBE64(b, dirOffBlkno, daddr(off))
	putBE64(b, 16, f.logLSN)
	copy(b[dirOffUUID:], f.sb.MetaUUID[:])
	putBE64(b, dirOffOwner, owner)
}

// initDaBlockHdr fills a new xfs_da3_blkinfo (leafn and node blocks).
func (f *FS) initDaBlockHdr(b []byte, magic uint16, off int64, owner uint64) {
	putBE16(b, daOffMagic, magic)
	putBE64(b, daOffBlkno, daddr(off))
	putBE64(b, 24, f.logLSN)
	copy(b[daOffUUID:], f.sb.MetaUUID[:])
	putBE64(b, daOffOwner, owner)
}

// nodeAddBest records a new data block (in a hole or the next one, dblk)
// in the free index of a node-format directory. Creating a further free index block is
// refused (a directory needs some two thousand data blocks for that).
func (f *FS) nodeAddBest(d *Inode, exts []extent, dblk uint64, best uint16) error {
	dbs := uint64(f.sb.DirBlockSize())
	per := f.maxFreeBests()
	fi := dblk / per
	if fi >= maxDirBlocks {
		return f.dirUnsupported(d, "growing a directory past its free index area")
	}
	off := uint64(dirFreeOffset) + fi*dbs
	fb, err := f.dirBlockAt(d, exts, off)
	if err != nil {
		return err
	}
	if fb == nil {
		// Only past some two thousand data blocks: beyond an extents fork.
		return f.dirUnsupported(d, "adding a second free index block")
	}
	if be32(fb, 0) != dirFreeMagic {
		return f.corrupt("directory inode %d: free index block magic %#x", d.Ino, be32(fb, 0))
	}
	first, nvalid := uint64(be32(fb, 48)), uint64(be32(fb, 52))
	if first == fi*per && dblk < first+nvalid && nvalid <= per {
		at := dirFreeHdrSize + int(dblk-first)*2
		if be16(fb, at) != dirNullBest {
			return f.corrupt("directory inode %d: free index entry for unmapped data block %d", d.Ino, dblk)
		}
		putBE16(fb, at, best)
		putBE32(fb, 56, be32(fb, 56)+1)
		return nil
	}
	if first != fi*per || first+nvalid != dblk {
		return f.dirUnsupported(d, "adding a data block to a directory whose free index has holes")
	}
	putBE16(fb, dirFreeHdrSize+int(nvalid)*2, best)
	putBE32(fb, 52, uint32(nvalid+1))
	putBE32(fb, 56, be32(fb, 56)+1)
	return nil
}

// newLeafBlock maps a new block in the leaf area of a node directory at
// the first unused directory block and returns its da block number (in
// filesystem blocks) and disk offset.
func (f *FS) newLeafBlock(d *Inode) (uint64, int64, error) {
	exts, err := f.forkExtents(d, forkData)
	if err != nil {
		return 0, 0, err
	}
	fsbPerDir := uint64(1) << f.sb.DirBlkLog
	fb := uint64(dirLeafOffset) >> f.sb.BlockLog
	end := uint64(dirFreeOffset) >> f.sb.BlockLog
	for _, e := range exts {
		if e.Off+e.Len <= fb {
			continue
		}
		if e.Off >= fb+fsbPerDir {
			break
		}
		fb = (e.Off + e.Len + fsbPerDir - 1) &^ (fsbPerDir - 1)
	}
	if fb+fsbPerDir > end {
		return 0, 0, f.dirUnsupported(d, "growing a directory whose leaf area is full")
	}
	fsb, off, err := f.newDirBlock(d)
	if err != nil {
		return 0, 0, err
	}
	if err := f.addExtent(d, extent{Off: fb, Start: fsb, Len: fsbPerDir}); err != nil {
		return 0, 0, err
	}
	return fb, off, nil
}

type hashEnt struct{ hash, addr uint32 }

func leafEnts(b []byte) []hashEnt {
	cnt := int(be16(b, 56))
	hs := make([]hashEnt, cnt)
	for i := range hs {
		hs[i] = hashEnt{be32(b, dirLeafHdrSize+i*8), be32(b, dirLeafHdrSize+i*8+4)}
	}
	return hs
}

func putLeafEnts(b []byte, hs []hashEnt) {
	clear(b[dirLeafHdrSize:])
	for i, h := range hs {
		putBE32(b, dirLeafHdrSize+i*8, h.hash)
		putBE32(b, dirLeafHdrSize+i*8+4, h.addr)
	}
	putBE16(b, 56, uint16(len(hs)))
	putBE16(b, 58, 0)
}

// splitLeaf splits a full leafn block (no stale entries) of a node
// directory in two. A root leaf becomes a node block over two new leaves;
// otherwise the new leaf goes right of the old one in its parent node.
// Splitting a full node block is refused.
func (f *FS) splitLeaf(d *Inode, exts []extent, leaf []byte, path []daLevel) error {
	dbs := f.sb.DirBlockSize()
	hs := leafEnts(leaf)
	if int(be16(leaf, 58)) != 0 || len(hs) < 2 || !sort.SliceIsSorted(hs, func(i, j int) bool { return hs[i].hash < hs[j].hash }) {
		return f.corrupt("directory inode %d: leaf block to split is not full and sorted", d.Ino)
	}
	// Split in the middle, but never between two equal hashes.
	mid := len(hs) / 2
	for mid < len(hs) && hs[mid-1].hash == hs[mid].hash {
		mid++
	}
	if mid == len(hs) {
		for mid = len(hs) / 2; mid > 0 && hs[mid-1].hash == hs[mid].hash; mid-- {
		}
	}
	if mid == 0 {
		return f.dirUnsupported(d, "splitting a leaf block whose entries all share one hash")
	}
	maxNode := (dbs - daNodeHdrSize) / 8
	if len(path) == 0 {
		// The root leaf: two new leaves, the root becomes a node.
		b1, off1, err := f.newLeafBlock(d)
		if err != nil {
			return err
		}
		b2, off2, err := f.newLeafBlock(d)
		if err != nil {
			return err
		}
		l1, l2 := make([]byte, dbs), make([]byte, dbs)
		f.initDaBlockHdr(l1, dirLeafNMagic, off1, d.Ino)
		f.initDaBlockHdr(l2, dirLeafNMagic, off2, d.Ino)
		putLeafEnts(l1, hs[:mid])
		putLeafEnts(l2, hs[mid:])
		putBE32(l1, daOffForw, uint32(b2))
		putBE32(l2, daOffForw+4, uint32(b1))
		f.txPut(off1, l1, daOffCRC)
		f.txPut(off2, l2, daOffCRC)
		putBE16(leaf, daOffMagic, daNodeMagic)
		putBE32(leaf, daOffForw, 0)
		putBE32(leaf, daOffForw+4, 0)
		clear(leaf[56:])
		putBE16(leaf, 56, 2)
		putBE16(leaf, daNodeLevelOff, 1)
		putBE32(leaf, daNodeHdrSize, hs[mid-1].hash)
		putBE32(leaf, daNodeHdrSize+4, uint32(b1))
		putBE32(leaf, daNodeHdrSize+8, hs[len(hs)-1].hash)
		putBE32(leaf, daNodeHdrSize+12, uint32(b2))
		return nil
	}
	parent := path[len(path)-1]
	pcnt := int(be16(parent.buf, 56))
	if pcnt >= maxNode {
		return f.dirUnsupported(d, "splitting a full directory node block")
	}
	oldBlk := uint64(be32(parent.buf, daNodeHdrSize+parent.idx*8+4))
	nbk, noff, err := f.newLeafBlock(d)
	if err != nil {
		return err
	}
	nl := make([]byte, dbs)
	f.initDaBlockHdr(nl, dirLeafNMagic, noff, d.Ino)
	putLeafEnts(nl, hs[mid:])
	putLeafEnts(leaf, hs[:mid])
	forw := be32(leaf, daOffForw)
	putBE32(nl, daOffForw, forw)
	putBE32(nl, daOffForw+4, uint32(oldBlk))
	putBE32(leaf, daOffForw, uint32(nbk))
	f.txPut(noff, nl, daOffCRC)
	if forw != 0 {
		if exts, err = f.forkExtents(d, forkData); err != nil {
			return err
		}
		rb, err := f.dirBlockAt(d, exts, uint64(forw)<<f.sb.BlockLog)
		if err != nil {
			return err
		}
		if rb == nil || be16(rb, daOffMagic) != dirLeafNMagic || uint64(be32(rb, daOffForw+4)) != oldBlk {
			return f.dirUnsupported(d, "splitting a leaf block whose right sibling is not a plain leaf block")
		}
		putBE32(rb, daOffForw+4, uint32(nbk))
	}
	// The parent: the old entry's key drops to its new last hash, the new
	// leaf takes the old key right after it.
	p := parent.buf
	at := daNodeHdrSize + parent.idx*8
	oldKey := be32(p, at)
	copy(p[at+16:daNodeHdrSize+(pcnt+1)*8], p[at+8:daNodeHdrSize+pcnt*8])
	putBE32(p, at, hs[mid-1].hash)
	putBE32(p, at+8, oldKey)
	putBE32(p, at+12, uint32(nbk))
	putBE16(p, 56, uint16(pcnt+1))
	return nil
}
