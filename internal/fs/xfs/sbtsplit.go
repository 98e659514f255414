package xfs

import "fmt"

const (
	agfOffBtreeBlks     = 60
	agflOffBno          = 36
	agiOffIBlocks       = 336
	agiOffFBlocks       = 340
	roCompatInobtCntBit = roCompatInobtCnt
)

// newBtreeBlock takes a block for a btree split: free space btrees draw
// from the AGFL (as the kernel does), inode btrees from free space.
func (t *sbtree) newBtreeBlock() (uint32, error) {
	f := t.f
	if t.magic == inobtMagic || t.magic == finobtMagic {
		s, c, err := f.allocExtent(t.agno, 1)
		if err != nil {
			return 0, err
		}
		if c != 1 {
			return 0, fmt.Errorf("xfs: %s: AG %d: no free block for an inode btree split: %w", f.name, t.agno, errNoSpace)
		}
		if f.sb.ROCompat&roCompatInobtCntBit != 0 {
			_, araw, err := f.txAGI(t.agno)
			if err != nil {
				return 0, err
			}
			o := agiOffIBlocks
			if t.magic == finobtMagic {
				o = agiOffFBlocks
			}
			putBE32(araw, o, be32(araw, o)+1)
		}
		return s, nil
	}
	agf, raw, err := f.txAGF(t.agno)
	if err != nil {
		return 0, err
	}
	_, agflOff, err := f.readAGFL(t.agno)
	if err != nil {
		return 0, err
	}
	agfl, err := f.txGet(agflOff, int(f.sb.SectSize), agflOffCRC)
	if err != nil {
		return 0, err
	}
	size := uint32((int(f.sb.SectSize) - agflOffBno) / 4)
	if agf.FlCount == 0 || agf.FlFirst >= size {
		return 0, fmt.Errorf("xfs: %s: AG %d: the free list is empty, refilling it is not supported: %w", f.name, t.agno, errUnsupported)
	}
	bno := be32(agfl, agflOffBno+int(agf.FlFirst)*4)
	if bno == 0 || bno >= agf.Length {
		return 0, f.corrupt("AG %d: free list block %d", t.agno, bno)
	}
	putBE32(raw, agfOffFlFirst, (agf.FlFirst+1)%size)
	putBE32(raw, agfOffFlCount, agf.FlCount-1)
	putBE32(raw, agfOffBtreeBlks, be32(raw, agfOffBtreeBlks)+1)
	return bno, nil
}

// initBlock returns a fresh btree block buffer in the transaction.
func (t *sbtree) initBlock(agbno uint32, level int) ([]byte, error) {
	f := t.f
	off, err := f.agbOff(t.agno, agbno)
	if err != nil {
		return nil, err
	}
	b := make([]byte, f.bs)
	putBE32(b, 0, t.magic)
	putBE16(b, sbtOffLevel, uint16(level))
	putBE32(b, 8, sbtNullPtr)
	putBE32(b, sbtOffRight, sbtNullPtr)
	putBE64(b, sbtOffBlkno, daddr(off))
	putBE64(b, 24, f.logLSN)
	copy(b[sbtOffUUID:], f.sb.MetaUUID[:])
	putBE32(b, sbtOffOwner, t.agno)
	f.txPut(off, b, sbtOffCRC)
	return b, nil
}

// setRoot records a new root and level in the AGF or AGI.
func (t *sbtree) setRoot(root uint32, levels int) error {
	f := t.f
	var raw []byte
	var rootOff, levelOff int
	switch t.magic {
	case abtbMagic, abtcMagic:
		_, r, err := f.txAGF(t.agno)
		if err != nil {
			return err
		}
		raw, rootOff, levelOff = r, agfOffBnoRoot, agfOffBnoLevel
		if t.magic == abtcMagic {
			rootOff, levelOff = agfOffCntRoot, agfOffCntLevel
		}
	default:
		_, r, err := f.txAGI(t.agno)
		if err != nil {
			return err
		}
		raw, rootOff, levelOff = r, agiOffRoot, agiOffLevel
		if t.magic == finobtMagic {
			rootOff, levelOff = agiOffFreeRoot, agiOffFreeLevel
		}
	}
	putBE32(raw, rootOff, root)
	putBE32(raw, levelOff, uint32(levels))
	t.root, t.levels = root, levels
	return nil
}

// splitInsert inserts rec into a full leaf by splitting it in two; the new
// right half gets a key in the parent (which must have room), or a new
// root when the leaf was the root.
func (t *sbtree) splitInsert(path []sbtLevel, pos int, rec []byte) error {
	f := t.f
	lf := &path[len(path)-1]
	nr := int(be16(lf.buf, sbtOffNrecs))
	// Every node on the path full means a new root: one level more.
	full := true
	for _, p := range path[:len(path)-1] {
		full = full && int(be16(p.buf, sbtOffNrecs)) >= t.maxRecs(false)
	}
	if full && t.levels >= maxBtreeLevels {
		return fmt.Errorf("xfs: %s: AG %d: the %s would grow past %d levels: %w", f.name, t.agno, t.name, maxBtreeLevels, errUnsupported)
	}
	newBno, err := t.newBtreeBlock()
	if err != nil {
		return err
	}
	nb, err := t.initBlock(newBno, 0)
	if err != nil {
		return err
	}
	leftBno := uint32(lf.off/f.bs - int64(t.agno)*int64(f.sb.AGBlocks))
	// Siblings: left <-> new <-> old right.
	right := be32(lf.buf, sbtOffRight)
	putBE32(nb, 8, leftBno)
	putBE32(nb, sbtOffRight, right)
	putBE32(lf.buf, sbtOffRight, newBno)
	if right != sbtNullPtr {
		_, rb, err := t.block(right, 0)
		if err != nil {
			return err
		}
		putBE32(rb, 8, newBno)
	}
	// Move the upper half.
	keep := nr / 2
	copy(nb[sbtHdrSize:], lf.buf[sbtHdrSize+keep*t.recSize:sbtHdrSize+nr*t.recSize])
	clear(lf.buf[sbtHdrSize+keep*t.recSize : sbtHdrSize+nr*t.recSize])
	putBE16(lf.buf, sbtOffNrecs, uint16(keep))
	putBE16(nb, sbtOffNrecs, uint16(nr-keep))
	// Insert the record in its half.
	target, at := lf.buf, pos
	if pos > keep {
		target, at = nb, pos-keep
	}
	n := int(be16(target, sbtOffNrecs))
	start := sbtHdrSize + at*t.recSize
	copy(target[start+t.recSize:sbtHdrSize+(n+1)*t.recSize], target[start:sbtHdrSize+n*t.recSize])
	copy(target[start:], rec)
	putBE16(target, sbtOffNrecs, uint16(n+1))
	if pos == 0 {
		lf.idx = 0
		t.fixKeys(path)
	}
	newKey := append([]byte(nil), t.key(nb, true, 0)...)
	maxr := t.maxRecs(false)
	if len(path) == 1 {
		rootBno, err := t.newBtreeBlock()
		if err != nil {
			return err
		}
		rb, err := t.initBlock(rootBno, 1)
		if err != nil {
			return err
		}
		copy(t.key(rb, false, 0), t.key(lf.buf, true, 0))
		copy(t.key(rb, false, 1), newKey)
		putBE32(rb, sbtHdrSize+maxr*t.keySize, leftBno)
		putBE32(rb, sbtHdrSize+maxr*t.keySize+4, newBno)
		putBE16(rb, sbtOffNrecs, 2)
		return t.setRoot(rootBno, t.levels+1)
	}
	return t.insertPtr(path, len(path)-2, newKey, newBno)
}

// insertPtr inserts (key, ptr) right after the child taken at path[l], a
// node block, splitting it when full: its upper half moves to a new right
// sibling whose first key goes one level up, or into a new root.
func (t *sbtree) insertPtr(path []sbtLevel, l int, key []byte, ptr uint32) error {
	f := t.f
	p := path[l]
	pn := int(be16(p.buf, sbtOffNrecs))
	maxr := t.maxRecs(false)
	at := p.idx + 1
	ps := sbtHdrSize + maxr*t.keySize
	if pn < maxr {
		ks := sbtHdrSize + at*t.keySize
		copy(p.buf[ks+t.keySize:sbtHdrSize+(pn+1)*t.keySize], p.buf[ks:sbtHdrSize+pn*t.keySize])
		copy(p.buf[ks:], key)
		copy(p.buf[ps+(at+1)*4:ps+(pn+1)*4], p.buf[ps+at*4:ps+pn*4])
		putBE32(p.buf, ps+at*4, ptr)
		putBE16(p.buf, sbtOffNrecs, uint16(pn+1))
		return nil
	}
	// The full node's entries with the new one, in order.
	keys := make([][]byte, 0, pn+1)
	ptrs := make([]uint32, 0, pn+1)
	for i := 0; i < pn; i++ {
		if i == at {
			keys, ptrs = append(keys, key), append(ptrs, ptr)
		}
		keys = append(keys, append([]byte(nil), t.key(p.buf, false, i)...))
		ptrs = append(ptrs, be32(p.buf, ps+i*4))
	}
	if at == pn {
		keys, ptrs = append(keys, key), append(ptrs, ptr)
	}
	level := int(be16(p.buf, sbtOffLevel))
	newBno, err := t.newBtreeBlock()
	if err != nil {
		return err
	}
	nb, err := t.initBlock(newBno, level)
	if err != nil {
		return err
	}
	leftBno := uint32(p.off/f.bs - int64(t.agno)*int64(f.sb.AGBlocks))
	right := be32(p.buf, sbtOffRight)
	putBE32(nb, 8, leftBno)
	putBE32(nb, sbtOffRight, right)
	putBE32(p.buf, sbtOffRight, newBno)
	if right != sbtNullPtr {
		_, rb, err := t.block(right, level)
		if err != nil {
			return err
		}
		putBE32(rb, 8, newBno)
	}
	keep := len(keys) / 2
	fill := func(b []byte, ks [][]byte, pt []uint32) {
		clear(b[sbtHdrSize:])
		for i := range ks {
			copy(t.key(b, false, i), ks[i])
			putBE32(b, ps+i*4, pt[i])
		}
		putBE16(b, sbtOffNrecs, uint16(len(ks)))
	}
	fill(p.buf, keys[:keep], ptrs[:keep])
	fill(nb, keys[keep:], ptrs[keep:])
	newKey := keys[keep]
	if l == 0 {
		rootBno, err := t.newBtreeBlock()
		if err != nil {
			return err
		}
		rb, err := t.initBlock(rootBno, level+1)
		if err != nil {
			return err
		}
		fill(rb, [][]byte{keys[0], newKey}, []uint32{leftBno, newBno})
		return t.setRoot(rootBno, t.levels+1)
	}
	return t.insertPtr(path, l-1, newKey, newBno)
}

// removeBorrowing deletes the record at the leaf's idx when that would
// leave the leaf under half full: it borrows one record from a sibling
// under the same parent that can spare one. Joining blocks is not
// supported and is refused.
func (t *sbtree) removeBorrowing(path []sbtLevel) error {
	f := t.f
	lf := &path[len(path)-1]
	p := path[len(path)-2]
	pn := int(be16(p.buf, sbtOffNrecs))
	maxr := t.maxRecs(false)
	minRecs := t.maxRecs(true) / 2
	ptr := func(i int) uint32 { return be32(p.buf, sbtHdrSize+maxr*t.keySize+i*4) }
	nr := int(be16(lf.buf, sbtOffNrecs))
	del := func() {
		start := sbtHdrSize + lf.idx*t.recSize
		end := sbtHdrSize + nr*t.recSize
		copy(lf.buf[start:], lf.buf[start+t.recSize:end])
		clear(lf.buf[end-t.recSize : end])
		nr--
		putBE16(lf.buf, sbtOffNrecs, uint16(nr))
	}
	if p.idx+1 < pn {
		_, rb, err := t.block(ptr(p.idx+1), 0)
		if err != nil {
			return err
		}
		if rn := int(be16(rb, sbtOffNrecs)); rn-1 >= minRecs {
			wasFirst := lf.idx == 0
			del()
			copy(lf.buf[sbtHdrSize+nr*t.recSize:], t.rec(rb, 0))
			nr++
			putBE16(lf.buf, sbtOffNrecs, uint16(nr))
			copy(rb[sbtHdrSize:], rb[sbtHdrSize+t.recSize:sbtHdrSize+rn*t.recSize])
			clear(rb[sbtHdrSize+(rn-1)*t.recSize : sbtHdrSize+rn*t.recSize])
			putBE16(rb, sbtOffNrecs, uint16(rn-1))
			copy(t.key(p.buf, false, p.idx+1), t.key(rb, true, 0))
			if wasFirst {
				lf.idx = 0
				t.fixKeys(path)
			}
			return nil
		}
	}
	if p.idx > 0 {
		_, lb, err := t.block(ptr(p.idx-1), 0)
		if err != nil {
			return err
		}
		if ln := int(be16(lb, sbtOffNrecs)); ln-1 >= minRecs {
			del()
			copy(lf.buf[sbtHdrSize+t.recSize:sbtHdrSize+(nr+1)*t.recSize], lf.buf[sbtHdrSize:sbtHdrSize+nr*t.recSize])
			copy(lf.buf[sbtHdrSize:], t.rec(lb, ln-1))
			nr++
			putBE16(lf.buf, sbtOffNrecs, uint16(nr))
			clear(lb[sbtHdrSize+(ln-1)*t.recSize : sbtHdrSize+ln*t.recSize])
			putBE16(lb, sbtOffNrecs, uint16(ln-1))
			copy(t.key(p.buf, false, p.idx), t.key(lf.buf, true, 0))
			return nil
		}
	}
	// Join with a sibling under the same parent.
	if pn < 2 {
		return fmt.Errorf("xfs: %s: AG %d: a %s leaf without siblings under its parent: %w", f.name, t.agno, t.name, errUnsupported)
	}
	del()
	li := p.idx // index in the parent of the left block of the pair
	if p.idx+1 >= pn {
		li = p.idx - 1
	}
	_, left, err := t.block(ptr(li), 0)
	if err != nil {
		return err
	}
	_, right, err := t.block(ptr(li+1), 0)
	if err != nil {
		return err
	}
	ln, rn := int(be16(left, sbtOffNrecs)), int(be16(right, sbtOffNrecs))
	if ln+rn > t.maxRecs(true) {
		return fmt.Errorf("xfs: %s: AG %d: rebalancing %s leaves this way is not supported: %w", f.name, t.agno, t.name, errUnsupported)
	}
	copy(left[sbtHdrSize+ln*t.recSize:], right[sbtHdrSize:sbtHdrSize+rn*t.recSize])
	putBE16(left, sbtOffNrecs, uint16(ln+rn))
	rightBno := ptr(li + 1)
	next := be32(right, sbtOffRight)
	putBE32(left, sbtOffRight, next)
	if next != sbtNullPtr {
		_, nb, err := t.block(next, 0)
		if err != nil {
			return err
		}
		putBE32(nb, 8, ptr(li))
	}
	if li == p.idx && lf.idx == 0 {
		// The leaf is the left block and lost its first record. (When it
		// is the right block, its records now follow the left's and the
		// left's first key stands.)
		lf.idx = 0
		t.fixKeys(path)
	}
	// Drop the right block from the parent.
	ks := sbtHdrSize + (li+1)*t.keySize
	copy(p.buf[ks:], p.buf[ks+t.keySize:sbtHdrSize+pn*t.keySize])
	clear(p.buf[sbtHdrSize+(pn-1)*t.keySize : sbtHdrSize+pn*t.keySize])
	ps := sbtHdrSize + maxr*t.keySize
	copy(p.buf[ps+(li+1)*4:], p.buf[ps+(li+2)*4:ps+pn*4])
	clear(p.buf[ps+(pn-1)*4 : ps+pn*4])
	putBE16(p.buf, sbtOffNrecs, uint16(pn-1))
	if err := t.releaseBlock(rightBno); err != nil {
		return err
	}
	switch {
	case len(path) == 2 && pn-1 == 1:
		// The root has one child left: that child becomes the root.
		oldRoot := t.root
		if err := t.setRoot(ptr(0), t.levels-1); err != nil {
			return err
		}
		return t.releaseBlock(oldRoot)
	case len(path) > 2 && pn-1 < maxr/2:
		return fmt.Errorf("xfs: %s: AG %d: joining %s nodes is not supported: %w", f.name, t.agno, t.name, errUnsupported)
	}
	return nil
}

// releaseBlock gives back a block the btree no longer uses: to the AGFL for
// the free space btrees, to free space for the inode btrees.
func (t *sbtree) releaseBlock(agbno uint32) error {
	f := t.f
	off, err := f.agbOff(t.agno, agbno)
	if err != nil {
		return err
	}
	delete(f.tx, off) // no stale copy of it gets written
	if t.magic == inobtMagic || t.magic == finobtMagic {
		if f.sb.ROCompat&roCompatInobtCntBit != 0 {
			_, araw, err := f.txAGI(t.agno)
			if err != nil {
				return err
			}
			o := agiOffIBlocks
			if t.magic == finobtMagic {
				o = agiOffFBlocks
			}
			putBE32(araw, o, be32(araw, o)-1)
		}
		return f.freeExtent(t.agno, agbno, 1)
	}
	agf, raw, err := f.txAGF(t.agno)
	if err != nil {
		return err
	}
	_, agflOff, err := f.readAGFL(t.agno)
	if err != nil {
		return err
	}
	agfl, err := f.txGet(agflOff, int(f.sb.SectSize), agflOffCRC)
	if err != nil {
		return err
	}
	size := uint32((int(f.sb.SectSize) - agflOffBno) / 4)
	if agf.FlCount >= size {
		return fmt.Errorf("xfs: %s: AG %d: the free list is full: %w", f.name, t.agno, errUnsupported)
	}
	last := (agf.FlLast + 1) % size
	if agf.FlCount == 0 {
		last = agf.FlFirst
	}
	putBE32(agfl, agflOffBno+int(last)*4, agbno)
	putBE32(raw, agfOffFlLast, last)
	putBE32(raw, agfOffFlCount, agf.FlCount+1)
	putBE32(raw, agfOffBtreeBlks, be32(raw, agfOffBtreeBlks)-1)
	return nil
}
