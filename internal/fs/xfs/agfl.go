package xfs

// fixFreelists tops up the AGFL of every AG the operation touched to the
// minimum the kernel keeps there (one block per free space btree level
// plus one, for each of the two trees), so its next allocation can split
// those btrees. Called at the end of each write, inside the transaction.
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

func (f *FS) fixFreelist(agno uint32) error {
	for i := 0; i < 64; i++ {
		agf, raw, err := f.txAGF(agno)
		if err != nil {
			return err
		}
		need := min(agf.BnoLevel+1, maxBtreeLevels) + min(agf.CntLevel+1, maxBtreeLevels)
		if agf.FlCount >= need {
			return nil
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
