package xfs

import "fmt"

const sbOffInoAlign = 180

// allocInodeChunk allocates and initialises a new chunk of 64 inodes in AG
// agno at an aligned free extent, and records it in the inobt and finobt.
// It returns false when the AG has no suitable free extent.
func (f *FS) allocInodeChunk(agno uint32) (bool, error) {
	chunk := uint32(64) * uint32(f.sb.InodeSize) / f.sb.BlockSize
	if chunk == 0 {
		return false, fmt.Errorf("xfs: %s: inode chunks smaller than a block are not supported: %w", f.name, errUnsupported)
	}
	align := be32(f.sbRaw, sbOffInoAlign)
	if align == 0 {
		align = 1
	}
	agf, raw, err := f.txAGF(agno)
	if err != nil {
		return false, err
	}
	if agf.FreeBlks < 64+chunk {
		return false, nil
	}
	var s, c, at uint32
	found := false
	err = f.walkSbtLeaves(agno, agf.BnoRoot, agf.BnoLevel, abtbMagic, 8, 8, func(rec []byte) error {
		if found {
			return nil
		}
		rs, rc := be32(rec, 0), be32(rec, 4)
		a := (rs + align - 1) / align * align
		if a >= rs && uint64(a)+uint64(chunk) <= uint64(rs)+uint64(rc) {
			s, c, at, found = rs, rc, a, true
		}
		return nil
	})
	if err != nil || !found {
		return false, err
	}
	// The new inodes' numbers must fit the AG-relative 32 bits.
	if uint64(at+chunk)<<f.sb.InoPBLog > 1<<32 {
		return false, nil
	}
	bt, ct := f.bnobt(agno, agf), f.cntbt(agno, agf)
	old := allocRec(s, c)
	if err := bt.remove(old); err != nil {
		return false, err
	}
	if err := ct.remove(old); err != nil {
		return false, err
	}
	for _, r := range [][2]uint32{{s, at - s}, {at + chunk, s + c - at - chunk}} {
		if r[1] == 0 {
			continue
		}
		if err := bt.insert(allocRec(r[0], r[1])); err != nil {
			return false, err
		}
		if err := ct.insert(allocRec(r[0], r[1])); err != nil {
			return false, err
		}
	}
	putBE32(raw, agfOffFreeBlks, be32(raw, agfOffFreeBlks)-chunk)
	if err := f.fixLongest(agno, raw, ct); err != nil {
		return false, err
	}
	if err := f.addSB64(sbOffFdblks, -int64(chunk)); err != nil {
		return false, err
	}
	// Initialise the inodes as the kernel does: magic, version, number,
	// UUID, an empty unlinked pointer, mode 0.
	startIno := uint64(at) << f.sb.InoPBLog
	agShift := uint(f.sb.InoPBLog) + uint(f.sb.AGBlkLog)
	for i := uint64(0); i < 64; i++ {
		ino := uint64(agno)<<agShift | (startIno + i)
		off, err := f.inodeOff(ino)
		if err != nil {
			return false, err
		}
		b := make([]byte, f.sb.InodeSize)
		putBE16(b, 0, inodeMagic)
		b[diOffVersion] = 3
		putBE32(b, diOffNextUnlink, nullAgino)
		putBE64(b, diOffIno, ino)
		copy(b[diOffUUID:], f.sb.MetaUUID[:])
		f.txPut(off, b, diOffCRC)
	}
	// Record the chunk, all free.
	agi, araw, err := f.txAGI(agno)
	if err != nil {
		return false, err
	}
	rec := make([]byte, 16)
	putBE32(rec, 0, uint32(startIno))
	putBE16(rec, 4, 0)
	if f.sb.Incompat&incompatSpinodes != 0 {
		rec[6] = 64 // ir_count; without sparse inodes bytes 4-7 are ir_freecount
	}
	rec[7] = 64
	putBE64(rec, 8, ^uint64(0))
	if err := f.inobt(agno, agi, false).insert(rec); err != nil {
		return false, err
	}
	if f.sb.ROCompat&roCompatFinobt != 0 {
		if err := f.inobt(agno, agi, true).insert(rec); err != nil {
			return false, err
		}
	}
	putBE32(araw, agiOffCount, be32(araw, agiOffCount)+64)
	putBE32(araw, agiOffFreeCount, be32(araw, agiOffFreeCount)+64)
	putBE32(araw, agiOffNewIno, uint32(startIno))
	if err := f.addSB64(sbOffIcount, 64); err != nil {
		return false, err
	}
	return true, f.addSB64(sbOffIfree, 64)
}
