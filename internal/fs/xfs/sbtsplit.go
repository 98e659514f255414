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
	if len(path) > 1 {
		p := path[len(path)-2]
		if int(be16(p.buf, sbtOffNrecs)) >= t.maxRecs(false) {
			return fmt.Errorf("xfs: %s: AG %d: splitting a %s node is not supported: %w", f.name, t.agno, t.name, errUnsupported)
		}
	} else if t.levels >= maxBtreeLevels {
		return f.corrupt("AG %d: %s too deep", t.agno, t.name)
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
	p := path[len(path)-2]
	pn := int(be16(p.buf, sbtOffNrecs))
	at = p.idx + 1
	ks := sbtHdrSize + at*t.keySize
	copy(p.buf[ks+t.keySize:sbtHdrSize+(pn+1)*t.keySize], p.buf[ks:sbtHdrSize+pn*t.keySize])
	copy(p.buf[ks:], newKey)
	ps := sbtHdrSize + maxr*t.keySize
	copy(p.buf[ps+(at+1)*4:ps+(pn+1)*4], p.buf[ps+at*4:ps+pn*4])
	putBE32(p.buf, ps+at*4, newBno)
	putBE16(p.buf, sbtOffNrecs, uint16(pn+1))
	return nil
}
