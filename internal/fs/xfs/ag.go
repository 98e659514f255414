package xfs

// AG header magics and offsets (struct xfs_agf, xfs_agi, xfs_agfl).
const (
	agfMagic  = 0x58414746 // "XAGF"
	agiMagic  = 0x58414749 // "XAGI"
	agflMagic = 0x5841464c // "XAFL"

	agfOffSeqno     = 8
	agfOffLength    = 12
	agfOffBnoRoot   = 16
	agfOffCntRoot   = 20
	agfOffBnoLevel  = 28
	agfOffCntLevel  = 32
	agfOffFlFirst   = 40
	agfOffFlLast    = 44
	agfOffFlCount   = 48
	agfOffFreeBlks  = 52
	agfOffLongest   = 56
	agfOffUUID      = 64
	agfOffRefRoot   = 88
	agfOffRefLevel  = 92
	agfOffCRC       = 216
	agiOffSeqno     = 8
	agiOffLength    = 12
	agiOffCount     = 16
	agiOffRoot      = 20
	agiOffLevel     = 24
	agiOffFreeCount = 28
	agiOffUnlinked  = 40
	agiOffUUID      = 296
	agiOffCRC       = 312
	agiOffFreeRoot  = 328
	agiOffFreeLevel = 332
	agflOffUUID     = 8
	agflOffCRC      = 32

	maxBtreeLevels = 9
)

// AGF is the free space header of one allocation group.
type AGF struct {
	Seqno, Length     uint32
	BnoRoot, BnoLevel uint32
	CntRoot, CntLevel uint32
	RefRoot, RefLevel uint32
	FlFirst, FlLast   uint32
	FlCount, FreeBlks uint32
	Longest           uint32
	off               int64
	raw               []byte
}

// AGI is the inode header of one allocation group.
type AGI struct {
	Seqno, Length       uint32
	Count, FreeCount    uint32
	Root, Level         uint32
	FreeRoot, FreeLevel uint32
	off                 int64
	raw                 []byte
}

func (f *FS) agHeaderOff(agno uint32, sector int) (int64, error) {
	off, err := f.agbOff(agno, 0)
	return off + int64(sector)*int64(f.sb.SectSize), err
}

func (f *FS) readAGF(agno uint32) (*AGF, error) {
	off, err := f.agHeaderOff(agno, 1)
	if err != nil {
		return nil, err
	}
	b := make([]byte, f.sb.SectSize)
	if err := f.readAt(b, off); err != nil {
		return nil, err
	}
	if be32(b, 0) != agfMagic {
		return nil, f.corrupt("AG %d: bad AGF magic", agno)
	}
	if err := f.checkBlockHeader("AGF", b, off, agfOffCRC, agfOffUUID, -1, -1, 0, false); err != nil {
		return nil, err
	}
	a := &AGF{
		Seqno: be32(b, agfOffSeqno), Length: be32(b, agfOffLength),
		BnoRoot: be32(b, agfOffBnoRoot), BnoLevel: be32(b, agfOffBnoLevel),
		CntRoot: be32(b, agfOffCntRoot), CntLevel: be32(b, agfOffCntLevel),
		RefRoot: be32(b, agfOffRefRoot), RefLevel: be32(b, agfOffRefLevel),
		FlFirst: be32(b, agfOffFlFirst), FlLast: be32(b, agfOffFlLast),
		FlCount: be32(b, agfOffFlCount), FreeBlks: be32(b, agfOffFreeBlks),
		Longest: be32(b, agfOffLongest), off: off, raw: b,
	}
	switch {
	case a.Seqno != agno:
		return nil, f.corrupt("AG %d: AGF says AG %d", agno, a.Seqno)
	case a.Length > f.sb.AGBlocks || a.Length == 0:
		return nil, f.corrupt("AG %d: AGF length %d", agno, a.Length)
	case a.BnoLevel == 0 || a.BnoLevel > maxBtreeLevels || a.CntLevel == 0 || a.CntLevel > maxBtreeLevels:
		return nil, f.corrupt("AG %d: free space btree levels %d/%d", agno, a.BnoLevel, a.CntLevel)
	case a.BnoRoot >= a.Length || a.CntRoot >= a.Length:
		return nil, f.corrupt("AG %d: free space btree roots outside the AG", agno)
	case a.FreeBlks > a.Length:
		return nil, f.corrupt("AG %d: %d free blocks in %d", agno, a.FreeBlks, a.Length)
	}
	return a, nil
}

func (f *FS) readAGI(agno uint32) (*AGI, error) {
	off, err := f.agHeaderOff(agno, 2)
	if err != nil {
		return nil, err
	}
	b := make([]byte, f.sb.SectSize)
	if err := f.readAt(b, off); err != nil {
		return nil, err
	}
	if be32(b, 0) != agiMagic {
		return nil, f.corrupt("AG %d: bad AGI magic", agno)
	}
	if err := f.checkBlockHeader("AGI", b, off, agiOffCRC, agiOffUUID, -1, -1, 0, false); err != nil {
		return nil, err
	}
	a := &AGI{
		Seqno: be32(b, agiOffSeqno), Length: be32(b, agiOffLength),
		Count: be32(b, agiOffCount), FreeCount: be32(b, agiOffFreeCount),
		Root: be32(b, agiOffRoot), Level: be32(b, agiOffLevel),
		FreeRoot: be32(b, agiOffFreeRoot), FreeLevel: be32(b, agiOffFreeLevel),
		off: off, raw: b,
	}
	switch {
	case a.Seqno != agno:
		return nil, f.corrupt("AG %d: AGI says AG %d", agno, a.Seqno)
	case a.Level == 0 || a.Level > maxBtreeLevels || a.Root >= f.sb.AGBlocks:
		return nil, f.corrupt("AG %d: inode btree root %d level %d", agno, a.Root, a.Level)
	case a.FreeCount > a.Count:
		return nil, f.corrupt("AG %d: %d free inodes of %d", agno, a.FreeCount, a.Count)
	}
	return a, nil
}

// unlinkedInodes reports whether the AGI's unlinked buckets hold inodes
// (files deleted while open when the guest stopped).
func (a *AGI) unlinkedInodes() bool {
	for i := 0; i < 64; i++ {
		if be32(a.raw, agiOffUnlinked+4*i) != 0xffffffff {
			return true
		}
	}
	return false
}

func (f *FS) readAGFL(agno uint32) ([]byte, int64, error) {
	off, err := f.agHeaderOff(agno, 3)
	if err != nil {
		return nil, 0, err
	}
	b := make([]byte, f.sb.SectSize)
	if err := f.readAt(b, off); err != nil {
		return nil, 0, err
	}
	if be32(b, 0) != agflMagic {
		return nil, 0, f.corrupt("AG %d: bad AGFL magic", agno)
	}
	if err := f.checkBlockHeader("AGFL", b, off, agflOffCRC, agflOffUUID, -1, -1, 0, false); err != nil {
		return nil, 0, err
	}
	return b, off, nil
}
