package xfs

import (
	"fmt"
	"sort"
)

// writeLeafAttrs stores xs as a single-block leaf attribute fork (all
// values local), replacing whatever leaf block the fork had. It is used
// when the attributes no longer fit the inode. Remote values and
// multi-block (node) forks are refused.
func (f *FS) writeLeafAttrs(n *Inode, xs []xattr) error {
	bs := int(f.bs)
	type ent struct {
		hash uint32
		x    xattr
	}
	es := make([]ent, 0, len(xs))
	used := 0
	for _, x := range xs {
		sz := (3 + len(x.name) + len(x.value) + 3) &^ 3
		if sz > bs/2 {
			return fmt.Errorf("xfs: %s: inode %d: attribute values that large are stored remotely, which is not supported: %w", f.name, n.Ino, errUnsupported)
		}
		used += sz
		es = append(es, ent{dahash([]byte(x.name)), x})
	}
	if attrLeafHdrSize+len(es)*8+used > bs {
		return fmt.Errorf("xfs: %s: inode %d: the attributes need more than one leaf block, which is not supported: %w", f.name, n.Ino, errUnsupported)
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].hash < es[j].hash })
	// The fork: keep the existing leaf block, or allocate one.
	var fsb uint64
	if n.attrFork() != nil && n.AFormat() == fmtExtents && n.ANextents() == 1 {
		exts, err := f.forkExtents(n, forkAttr)
		if err != nil {
			return err
		}
		if exts[0].Off != 0 || exts[0].Len != 1 {
			return fmt.Errorf("xfs: %s: inode %d: multi-block attribute forks are not supported: %w", f.name, n.Ino, errUnsupported)
		}
		fsb = exts[0].Start
	} else {
		if n.attrFork() != nil && n.AFormat() != fmtLocal && n.ANextents() != 0 {
			return fmt.Errorf("xfs: %s: inode %d: multi-block attribute forks are not supported: %w", f.name, n.Ino, errUnsupported)
		}
		use, err := f.dataForkUse(n)
		if err != nil {
			return err
		}
		lit := len(n.Raw) - diCoreSize
		fo := int(n.Raw[diOffForkoff]) * 8
		if fo == 0 || fo < use || lit-fo < extentRecSize {
			fo = (lit - extentRecSize) &^ 7
			if fo < use {
				return fmt.Errorf("xfs: %s: inode %d: no room for an attribute fork: %w", f.name, n.Ino, errUnsupported)
			}
		}
		exts, err := f.allocBlocks(f.inoAG(n.Ino), 1, 0, 1)
		if err != nil {
			return err
		}
		fsb = exts[0].Start
		n.Raw[diOffForkoff] = byte(fo / 8)
		clear(n.Raw[diCoreSize+fo:])
		encodeExtent(n.Raw[diCoreSize+fo:], extent{Off: 0, Start: fsb, Len: 1})
		n.Raw[diOffAformat] = fmtExtents
		n.setANextents(1)
		n.addNblocks(1)
	}
	off, err := f.fsbOff(fsb)
	if err != nil {
		return err
	}
	b := make([]byte, bs)
	putBE16(b, daOffMagic, attrLeafMagic)
	putBE64(b, daOffBlkno, daddr(off))
	putBE64(b, 24, f.logLSN)
	copy(b[daOffUUID:], f.sb.MetaUUID[:])
	putBE64(b, daOffOwner, n.Ino)
	firstUsed := bs
	for i, e := range es {
		sz := (3 + len(e.x.name) + len(e.x.value) + 3) &^ 3
		firstUsed -= sz
		p := firstUsed
		putBE16(b, p, uint16(len(e.x.value)))
		b[p+2] = byte(len(e.x.name))
		copy(b[p+3:], e.x.name)
		copy(b[p+3+len(e.x.name):], e.x.value)
		ent := attrLeafHdrSize + i*8
		putBE32(b, ent, e.hash)
		putBE16(b, ent+4, uint16(p))
		b[ent+6] = e.x.flags | attrFlagLocal
	}
	putBE16(b, 56, uint16(len(es)))
	putBE16(b, 58, uint16(used))
	putBE16(b, 60, uint16(firstUsed&0xffff))
	base := attrLeafHdrSize + len(es)*8
	putBE16(b, 64, uint16(base))
	putBE16(b, 66, uint16(firstUsed-base))
	f.txPut(off, b, daOffCRC)
	return nil
}
