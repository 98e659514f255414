package xfs

// fixFreelists tops up the AGFL of every AG the operation touched, so the
// next operation can split the free space btrees as often as it needs: at
// least the minimum the kernel keeps there (one block per free space btree
// level plus one, for each of the two trees), and a deeper stock of
// agflStock blocks, because one of our operations (say, removing a file of
// many scattered extents) may split more than the kernel's per-transaction
// minimum covers, and we cannot refill in the middle of an operation. The
// kernel trims any excess back to its minimum at its next allocation.
// Called at the end of each write, inside the transaction.
func (f *FS) fixFreelists() error {
	for ag := uint32(0); ag < f.sb.AGCount; ag++ {
		off, err := f.agHeaderOff(ag, 1)
		if err != nil {
			return err
		}
		if !f.inTx(off) {
			continue
		}
		if err := f.fixFreelist(ag); err != nil {
			return err
		}
	}
	return nil
}

// agflStock is how many blocks fixFreelist keeps on an AGFL (at most half
// its capacity).
const agflStock = 32

func (f *FS) fixFreelist(agno uint32) error {
	for i := 0; i < 64; i++ {
		agf, raw, err := f.txAGF(agno)
		if err != nil {
			return err
		}
		minimum := min(agf.BnoLevel+1, maxBtreeLevels) + min(agf.CntLevel+1, maxBtreeLevels)
		capacity := uint32((int(f.sb.SectSize) - agflOffBno) / 4)
		if agf.FlCount >= max(minimum, min(agflStock, capacity/2)) {
			return nil
		}
		if agf.FlCount >= minimum && agf.FreeBlks < 4*agflStock {
			return nil // the deeper stock is best effort: never starve a nearly full AG
		}
		s, c, err := f.allocExtentFrom(agno, 1, true)
		if err != nil {
			return err
		}
		if c != 1 {
			return f.noSpaceForFreelist(agno)
		}
		_, agflOff, err := f.readAGFL(agno)
		if err != nil {
			return err
		}
		agfl, err := f.txGet(agflOff, int(f.sb.SectSize), agflOffCRC)
		if err != nil {
			return err
		}
		agf, raw, err = f.txAGF(agno) // allocExtent changed it
		if err != nil {
			return err
		}
		size := uint32((int(f.sb.SectSize) - agflOffBno) / 4)
		last := (agf.FlLast + 1) % size
		if agf.FlCount == 0 {
			last = agf.FlFirst
		}
		putBE32(agfl, agflOffBno+int(last)*4, s)
		putBE32(raw, agfOffFlLast, last)
		putBE32(raw, agfOffFlCount, agf.FlCount+1)
		// Free list blocks count as free in the superblock.
		if err := f.addSB64(sbOffFdblks, 1); err != nil {
			return err
		}
	}
	return f.noSpaceForFreelist(agno)
}

func (f *FS) noSpaceForFreelist(agno uint32) error {
	return f.corrupt("AG %d: cannot refill the free list", agno)
}
