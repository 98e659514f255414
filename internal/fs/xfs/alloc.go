package xfs

import (
	"bytes"
	"fmt"
)

const (
	refcMagic    = 0x52334643 // "R3FC"
	sbOffIcount  = 128
	sbOffIfree   = 136
	sbOffFdblks  = 144
	maxAllocExts = 64
)

func (f *FS) bnobt(agno uint32, agf *AGF) *sbtree {
	return &sbtree{f: f, name: "free space btree (bnobt)", agno: agno, root: agf.BnoRoot, levels: int(agf.BnoLevel),
		magic: abtbMagic, recSize: 8, keySize: 8, cmpKey: func(a, b []byte) int { return bytes.Compare(a[:4], b[:4]) }}
}

func (f *FS) cntbt(agno uint32, agf *AGF) *sbtree {
	return &sbtree{f: f, name: "free space btree (cntbt)", agno: agno, root: agf.CntRoot, levels: int(agf.CntLevel),
		magic: abtcMagic, recSize: 8, keySize: 8, cmpKey: func(a, b []byte) int {
			if c := bytes.Compare(a[4:8], b[4:8]); c != 0 {
				return c
			}
			return bytes.Compare(a[:4], b[:4])
		}}
}

func allocRec(start, n uint32) []byte {
	b := make([]byte, 8)
	putBE32(b, 0, start)
	putBE32(b, 4, n)
	return b
}

// txAGF returns the AGF and its mutable copy in the transaction.
func (f *FS) txAGF(agno uint32) (*AGF, []byte, error) {
	agf, err := f.readAGF(agno)
	if err != nil {
		return nil, nil, err
	}
	raw, err := f.txGet(agf.off, len(agf.raw), agfOffCRC)
	return agf, raw, err
}

// txSB returns the transaction's copy of the primary superblock.
func (f *FS) txSB() ([]byte, error) {
	return f.txGet(0, int(f.sb.SectSize), sbOffCRC)
}

func (f *FS) addSB64(off int, d int64) error {
	sb, err := f.txSB()
	if err != nil {
		return err
	}
	putBE64(sb, off, uint64(int64(be64(sb, off))+d))
	return nil
}

// checkNotShared refuses to free blocks the refcount btree lists as shared.
func (f *FS) checkNotShared(agno, start, n uint32, agf *AGF) error {
	if f.sb.ROCompat&roCompatReflink == 0 {
		return nil
	}
	shared := false
	err := f.walkSbtLeaves(agno, agf.RefRoot, agf.RefLevel, refcMagic, 12, 4, func(rec []byte) error {
		s, c := be32(rec, 0), be32(rec, 4)
		if s < start+n && start < s+c {
			shared = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	if shared {
		return fmt.Errorf("xfs: %s: AG %d blocks %d+%d are shared (reflinked); freeing shared extents is not supported: %w", f.name, agno, start, n, errUnsupported)
	}
	return nil
}

// freeExtent returns blocks [start, start+n) of an AG to the free space
// btrees, merging with free neighbours, and updates the counters.
func (f *FS) freeExtent(agno, start, n uint32) error {
	agf, raw, err := f.txAGF(agno)
	if err != nil {
		return err
	}
	if n == 0 || uint64(start)+uint64(n) > uint64(agf.Length) {
		return f.corrupt("AG %d: freeing blocks %d+%d outside the AG", agno, start, n)
	}
	if err := f.checkNotShared(agno, start, n, agf); err != nil {
		return err
	}
	bt, ct := f.bnobt(agno, agf), f.cntbt(agno, agf)
	le, next, err := bt.neighbours(allocRec(start, 0))
	if err != nil {
		return err
	}
	ns, nn := start, n
	if le != nil {
		ls, lc := be32(le, 0), be32(le, 4)
		if ls+lc > start {
			return f.corrupt("AG %d: freeing blocks %d+%d that are already free", agno, start, n)
		}
		if ls+lc == start {
			if err := bt.remove(le); err != nil {
				return err
			}
			if err := ct.remove(le); err != nil {
				return err
			}
			ns, nn = ls, nn+lc
		}
	}
	if next != nil {
		rs, rc := be32(next, 0), be32(next, 4)
		if rs < start+n {
			return f.corrupt("AG %d: freeing blocks %d+%d that are already free", agno, start, n)
		}
		if rs == start+n {
			if err := bt.remove(next); err != nil {
				return err
			}
			if err := ct.remove(next); err != nil {
				return err
			}
			nn += rc
		}
	}
	rec := allocRec(ns, nn)
	if err := bt.insert(rec); err != nil {
		return err
	}
	if err := ct.insert(rec); err != nil {
		return err
	}
	putBE32(raw, agfOffFreeBlks, be32(raw, agfOffFreeBlks)+n)
	if err := f.fixLongest(agno, raw, ct); err != nil {
		return err
	}
	return f.addSB64(sbOffFdblks, int64(n))
}

func (f *FS) fixLongest(agno uint32, raw []byte, ct *sbtree) error {
	last, err := ct.last()
	if err != nil {
		return err
	}
	var longest uint32
	if last != nil {
		longest = be32(last, 4)
	}
	putBE32(raw, agfOffLongest, longest)
	return nil
}

// allocExtent takes up to want blocks, contiguous, from AG agno: the
// smallest free extent that holds them all, else the largest one. It
// returns the AG block and count (0 when the AG has no free space).
func (f *FS) allocExtent(agno uint32, want uint32) (uint32, uint32, error) {
	return f.allocExtentFrom(agno, want, false)
}

// allocExtentFrom is allocExtent; fromLargest takes the blocks from the
// largest free extent (so no btree record disappears).
func (f *FS) allocExtentFrom(agno uint32, want uint32, fromLargest bool) (uint32, uint32, error) {
	agf, raw, err := f.txAGF(agno)
	if err != nil {
		return 0, 0, err
	}
	bt, ct := f.bnobt(agno, agf), f.cntbt(agno, agf)
	// Keep a few blocks per AG for the btrees' own needs.
	if agf.FreeBlks < 64 {
		return 0, 0, nil
	}
	_, next, err := ct.neighbours(allocRec(0, want))
	if err != nil {
		return 0, 0, err
	}
	pick := next
	if pick == nil || be32(pick, 4) < want || fromLargest {
		if pick, err = ct.last(); err != nil {
			return 0, 0, err
		}
	}
	if pick == nil {
		return 0, 0, nil
	}
	s, c := be32(pick, 0), be32(pick, 4)
	take := min(c, want)
	if err := ct.remove(pick); err != nil {
		return 0, 0, err
	}
	if err := bt.remove(pick); err != nil {
		return 0, 0, err
	}
	if take < c {
		rest := allocRec(s+take, c-take)
		if err := bt.insert(rest); err != nil {
			return 0, 0, err
		}
		if err := ct.insert(rest); err != nil {
			return 0, 0, err
		}
	}
	putBE32(raw, agfOffFreeBlks, be32(raw, agfOffFreeBlks)-take)
	if err := f.fixLongest(agno, raw, ct); err != nil {
		return 0, 0, err
	}
	if err := f.addSB64(sbOffFdblks, -int64(take)); err != nil {
		return 0, 0, err
	}
	return s, take, nil
}

// allocBlocks allocates n blocks as at most maxExts extents, preferring AG
// agno, and returns them as file extents starting at file block fileOff.
func (f *FS) allocBlocks(agno uint32, n uint64, fileOff uint64, maxExts int) ([]extent, error) {
	var out []extent
	for ag := uint32(0); ag < f.sb.AGCount && n > 0; ag++ {
		a := (agno + ag) % f.sb.AGCount
		for n > 0 {
			if len(out) >= maxExts {
				return nil, fmt.Errorf("xfs: %s: the data would need more than %d extents (a btree-format fork), which is not supported: %w", f.name, maxExts, errUnsupported)
			}
			want := uint32(min(n, 1<<20))
			s, c, err := f.allocExtent(a, want)
			if err != nil {
				return nil, err
			}
			if c == 0 {
				break
			}
			fsb := uint64(a)<<f.sb.AGBlkLog | uint64(s)
			out = append(out, extent{Off: fileOff, Start: fsb, Len: uint64(c)})
			fileOff += uint64(c)
			n -= uint64(c)
		}
	}
	if n > 0 {
		return nil, fmt.Errorf("xfs: %s: %w", f.name, errNoSpace)
	}
	return out, nil
}

// freeFSB frees a run of filesystem blocks.
func (f *FS) freeFSB(fsb, n uint64) error {
	agno := uint32(fsb >> f.sb.AGBlkLog)
	agbno := uint32(fsb & (1<<f.sb.AGBlkLog - 1))
	if n > uint64(f.sb.AGBlocks) {
		return f.corrupt("freeing %d blocks at %#x", n, fsb)
	}
	return f.freeExtent(agno, agbno, uint32(n))
}
