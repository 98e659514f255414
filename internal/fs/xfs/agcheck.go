package xfs

// checkAG cross-checks one AG's free space and inode btrees against the
// AGF and AGI counters before the engine edits anything: a writable open
// of an AG whose btrees disagree with its headers is refused.
func (f *FS) checkAG(agno uint32) error {
	agf, err := f.readAGF(agno)
	if err != nil {
		return err
	}
	var bnoSum, bnoN, prevEnd uint32
	err = f.walkSbtLeaves(agno, agf.BnoRoot, agf.BnoLevel, abtbMagic, 8, 8, func(rec []byte) error {
		s, c := be32(rec, 0), be32(rec, 4)
		if c == 0 || s < prevEnd || uint64(s)+uint64(c) > uint64(agf.Length) {
			return f.corrupt("AG %d: bnobt record %d+%d out of order or outside the AG", agno, s, c)
		}
		prevEnd = s + c
		bnoSum += c
		bnoN++
		return nil
	})
	if err != nil {
		return err
	}
	var cntSum, cntN, last uint32
	var prev uint64
	err = f.walkSbtLeaves(agno, agf.CntRoot, agf.CntLevel, abtcMagic, 8, 8, func(rec []byte) error {
		s, c := be32(rec, 0), be32(rec, 4)
		k := uint64(c)<<32 | uint64(s)
		if c == 0 || k <= prev {
			return f.corrupt("AG %d: cntbt record %d+%d out of order", agno, s, c)
		}
		prev = k
		cntSum += c
		cntN++
		last = c
		return nil
	})
	if err != nil {
		return err
	}
	if bnoSum != agf.FreeBlks || cntSum != agf.FreeBlks || bnoN != cntN || last != agf.Longest {
		return f.corrupt("AG %d: free space btrees (%d blocks in %d/%d extents, longest %d) disagree with the AGF (%d free, longest %d)",
			agno, bnoSum, bnoN, cntN, last, agf.FreeBlks, agf.Longest)
	}
	agi, err := f.readAGI(agno)
	if err != nil {
		return err
	}
	var count, free uint32
	var prevIno int64 = -1
	err = f.walkSbtLeaves(agno, agi.Root, agi.Level, inobtMagic, 16, 4, func(rec []byte) error {
		start := int64(be32(rec, 0))
		if start <= prevIno {
			return f.corrupt("AG %d: inobt record %d out of order", agno, start)
		}
		prevIno = start
		n := uint32(rec[6])
		if f.sb.Incompat&incompatSpinodes == 0 {
			n = 64
		}
		count += n
		free += uint32(rec[7])
		return nil
	})
	if err != nil {
		return err
	}
	if count != agi.Count || free != agi.FreeCount {
		return f.corrupt("AG %d: inode btree (%d inodes, %d free) disagrees with the AGI (%d, %d free)", agno, count, free, agi.Count, agi.FreeCount)
	}
	if f.sb.ROCompat&roCompatFinobt != 0 {
		var ffree uint32
		err = f.walkSbtLeaves(agno, agi.FreeRoot, agi.FreeLevel, finobtMagic, 16, 4, func(rec []byte) error {
			if rec[7] == 0 {
				return f.corrupt("AG %d: finobt record %d without free inodes", agno, be32(rec, 0))
			}
			ffree += uint32(rec[7])
			return nil
		})
		if err != nil {
			return err
		}
		if ffree != agi.FreeCount {
			return f.corrupt("AG %d: free inode btree counts %d free inodes, the AGI %d", agno, ffree, agi.FreeCount)
		}
	}
	return nil
}
