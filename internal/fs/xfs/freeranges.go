package xfs

import (
	"sort"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

// Short-form (AG) btree block header (struct xfs_btree_block, short ptrs).
const (
	abtbMagic     = 0x41423342 // "AB3B": free space by block number
	abtcMagic     = 0x41423343 // "AB3C": free space by size
	sbtOffLevel   = 4
	sbtOffNrecs   = 6
	sbtOffRight   = 12
	sbtOffBlkno   = 16
	sbtOffUUID    = 32
	sbtOffOwner   = 48
	sbtOffCRC     = 52
	sbtHdrSize    = 56
	sbtNullPtr    = 0xffffffff
	maxBtreeBlock = 1 << 24
)

// readSbtBlock reads and verifies one AG btree block.
func (f *FS) readSbtBlock(agno, agbno uint32, magic uint32, level int) ([]byte, error) {
	off, err := f.agbOff(agno, agbno)
	if err != nil {
		return nil, err
	}
	b := make([]byte, f.bs)
	if err := f.readAt(b, off); err != nil {
		return nil, err
	}
	if be32(b, 0) != magic {
		return nil, f.corrupt("AG %d block %d: btree magic %#x, expected %#x", agno, agbno, be32(b, 0), magic)
	}
	if err := f.checkBlockHeader("btree block", b, off, sbtOffCRC, sbtOffUUID, sbtOffBlkno, sbtOffOwner, uint64(agno), true); err != nil {
		return nil, err
	}
	if int(be16(b, sbtOffLevel)) != level {
		return nil, f.corrupt("AG %d block %d: btree level %d, expected %d", agno, agbno, be16(b, sbtOffLevel), level)
	}
	return b, nil
}

// walkSbtLeaves visits every leaf record of an AG btree in key order:
// down the leftmost path, then along the right-sibling chain. recSize and
// keySize+ptr size (4) define the node layout.
func (f *FS) walkSbtLeaves(agno, root, levels uint32, magic uint32, recSize, keySize int, fn func(rec []byte) error) error {
	if levels == 0 || levels > maxBtreeLevels {
		return f.corrupt("AG %d: btree of %d levels", agno, levels)
	}
	ptr := root
	for l := int(levels) - 1; l > 0; l-- {
		b, err := f.readSbtBlock(agno, ptr, magic, l)
		if err != nil {
			return err
		}
		maxr := (len(b) - sbtHdrSize) / (keySize + 4)
		if nr := int(be16(b, sbtOffNrecs)); nr == 0 || nr > maxr {
			return f.corrupt("AG %d block %d: btree node with %d records", agno, ptr, nr)
		}
		ptr = be32(b, sbtHdrSize+maxr*keySize)
	}
	seen := map[uint32]bool{ptr: true}
	for {
		b, err := f.readSbtBlock(agno, ptr, magic, 0)
		if err != nil {
			return err
		}
		nr := int(be16(b, sbtOffNrecs))
		if sbtHdrSize+nr*recSize > len(b) {
			return f.corrupt("AG %d block %d: btree leaf with %d records", agno, ptr, nr)
		}
		for i := 0; i < nr; i++ {
			if err := fn(b[sbtHdrSize+i*recSize : sbtHdrSize+(i+1)*recSize]); err != nil {
				return err
			}
		}
		ptr = be32(b, sbtOffRight)
		if ptr == sbtNullPtr {
			return nil
		}
		if seen[ptr] || len(seen) > maxBtreeBlock {
			return f.corrupt("AG %d: cycle in a btree leaf chain", agno)
		}
		seen[ptr] = true
	}
}

// FreeRanges implements fs.FS: the free extents of every AG's bnobt, plus
// the blocks the AGFL holds in reserve are not included (they are metadata).
func (f *FS) FreeRanges() ([]image.Range, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []image.Range
	for ag := uint32(0); ag < f.sb.AGCount; ag++ {
		agf, err := f.readAGF(ag)
		if err != nil {
			return nil, err
		}
		var prevEnd uint32
		err = f.walkSbtLeaves(ag, agf.BnoRoot, agf.BnoLevel, abtbMagic, 8, 8, func(rec []byte) error {
			start, n := be32(rec, 0), be32(rec, 4)
			if n == 0 || start < prevEnd || uint64(start)+uint64(n) > uint64(agf.Length) {
				return f.corrupt("AG %d: free extent %d+%d out of order or outside the AG", ag, start, n)
			}
			prevEnd = start + n
			off, err := f.agbOff(ag, start)
			if err != nil {
				return err
			}
			out = append(out, image.Range{Off: off, Len: int64(n) * f.bs})
			return nil
		})
		if err != nil {
			return nil, err
		}
		fl, err := f.freelistRanges(ag, agf)
		if err != nil {
			return nil, err
		}
		out = append(out, fl...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Off < out[j].Off })
	return out, nil
}

// freelistRanges returns the blocks on the AG free list (AGFL). They are
// out of the free space btrees but hold nothing live until a btree split
// takes one and writes it whole, so they are free space for the exporter:
// often blocks just freed by a removal, with the removed file's bytes.
func (f *FS) freelistRanges(ag uint32, agf *AGF) ([]image.Range, error) {
	if agf.FlCount == 0 {
		return nil, nil
	}
	b, _, err := f.readAGFL(ag)
	if err != nil {
		return nil, err
	}
	size := uint32((int(f.sb.SectSize) - agflOffBno) / 4)
	if agf.FlCount > size || agf.FlFirst >= size {
		return nil, f.corrupt("AG %d: free list of %d blocks from slot %d in a %d-slot AGFL", ag, agf.FlCount, agf.FlFirst, size)
	}
	out := make([]image.Range, 0, agf.FlCount)
	for i := uint32(0); i < agf.FlCount; i++ {
		bno := be32(b, agflOffBno+int((agf.FlFirst+i)%size)*4)
		if bno >= agf.Length {
			return nil, f.corrupt("AG %d: free list block %d outside the AG", ag, bno)
		}
		off, err := f.agbOff(ag, bno)
		if err != nil {
			return nil, err
		}
		out = append(out, image.Range{Off: off, Len: f.bs})
	}
	return out, nil
}
