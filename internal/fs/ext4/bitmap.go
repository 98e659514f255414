package ext4

import (
	"fmt"
	"math/bits"
	"sort"
)

// bitmapBuf is one group's block or inode bitmap, loaded on demand.
type bitmapBuf struct {
	inode bool
	group uint32
	b     []byte
	dirty bool
}

// bitmapCache holds the bitmaps of the groups an edit touched. It is bounded:
// past maxCachedBitmaps it writes everything back and starts over.
type bitmapCache struct {
	m map[uint64]*bitmapBuf
}

const maxCachedBitmaps = 512

func bitmapKey(inode bool, g uint32) uint64 {
	k := uint64(g) << 1
	if inode {
		k |= 1
	}
	return k
}

func setBit(b []byte, i uint64)       { b[i>>3] |= 1 << (i & 7) }
func clearBit(b []byte, i uint64)     { b[i>>3] &^= 1 << (i & 7) }
func testBit(b []byte, i uint64) bool { return b[i>>3]&(1<<(i&7)) != 0 }

// blockBitmap returns group g's block bitmap, synthesising it for a
// BLOCK_UNINIT group as the kernel does (ext4_init_block_bitmap).
func (f *FS) blockBitmap(g uint32) (*bitmapBuf, error) { return f.bitmap(false, g) }

// inodeBitmap returns group g's inode bitmap (zeros for INODE_UNINIT).
func (f *FS) inodeBitmap(g uint32) (*bitmapBuf, error) { return f.bitmap(true, g) }

func (f *FS) bitmap(inode bool, g uint32) (*bitmapBuf, error) {
	key := bitmapKey(inode, g)
	if bm, ok := f.bitmaps.m[key]; ok {
		return bm, nil
	}
	if len(f.bitmaps.m) >= maxCachedBitmaps {
		if err := f.bitmaps.flush(f); err != nil {
			return nil, err
		}
		f.bitmaps.m = map[uint64]*bitmapBuf{}
	}
	bm := &bitmapBuf{inode: inode, group: g, b: make([]byte, f.geo.bs)}
	d := f.gd(g)
	csumOK := f.geo.csum || f.geo.gdtCsum
	switch {
	case inode && csumOK && d.Flags()&bgInodeUninit != 0:
		for i := uint64(f.geo.ipg); i < uint64(f.geo.bs)*8; i++ {
			setBit(bm.b, i)
		}
	case !inode && csumOK && d.Flags()&bgBlockUninit != 0:
		f.initBlockBitmap(g, bm.b)
	default:
		loc := d.BlockBitmap()
		if inode {
			loc = d.InodeBitmap()
		}
		if err := f.readBlock(loc, bm.b); err != nil {
			return nil, err
		}
		if f.geo.csum && !f.ro {
			if err := f.verifyBitmapCsum(bm); err != nil {
				return nil, err
			}
		}
	}
	f.bitmaps.m[key] = bm
	return bm, nil
}

func (f *FS) bitmapCsum(bm *bitmapBuf) uint32 {
	n := uint64(f.sb.ClustersPerGroup) / 8
	if bm.inode {
		n = uint64(f.geo.ipg) / 8
	}
	return crc32c(f.geo.csumSeed, bm.b[:n])
}

func (f *FS) verifyBitmapCsum(bm *bitmapBuf) error {
	d := f.gd(bm.group)
	lo, hi := gdBlockBitmapCsLo, gdBlockBitmapCsHi
	kind := "block"
	if bm.inode {
		lo, hi, kind = gdInodeBitmapCsLo, gdInodeBitmapCsHi, "inode"
	}
	want := d.lohi16(lo, hi)
	got := f.bitmapCsum(bm)
	if !d.big() {
		got &= 0xFFFF
	}
	if got != want {
		return f.corrupt("group %d %s bitmap checksum %#x, computed %#x", bm.group, kind, want, got)
	}
	return nil
}

// initBlockBitmap fills b with the blocks a BLOCK_UNINIT group uses: its
// superblock and descriptor copies and its own bitmaps and inode table when
// they lie inside it; bits past the group's end are set.
func (f *FS) initBlockBitmap(g uint32, b []byte) {
	clear(b)
	shift := f.sb.clusterBits() // bits are clusters with bigalloc
	n := f.superAndGDTBlocks(g)
	for i := uint64(0); i < n; i++ {
		setBit(b, i>>shift)
	}
	first := f.geo.groupFirstBlock(g)
	size := f.geo.groupBlocks(g)
	in := func(blk uint64) bool { return blk >= first && blk < first+size }
	d := f.gd(g)
	for _, blk := range []uint64{d.BlockBitmap(), d.InodeBitmap()} {
		if in(blk) {
			setBit(b, (blk-first)>>shift)
		}
	}
	itBlocks := (uint64(f.geo.ipg)*uint64(f.geo.inodeSize) + uint64(f.geo.bs) - 1) / uint64(f.geo.bs)
	for blk := d.InodeTable(); blk < d.InodeTable()+itBlocks; blk++ {
		if in(blk) {
			setBit(b, (blk-first)>>shift)
		}
	}
	for i := (size + 1<<shift - 1) >> shift; i < uint64(len(b))*8; i++ {
		setBit(b, i)
	}
}

// flush writes every dirty bitmap, sets its checksum in the descriptor and
// clears the group's UNINIT flag.
func (c *bitmapCache) flush(f *FS) error {
	keys := make([]uint64, 0, len(c.m))
	for k, bm := range c.m {
		if bm.dirty {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, k := range keys {
		bm := c.m[k]
		d := f.gd(bm.group)
		loc := d.BlockBitmap()
		flag := uint16(bgBlockUninit)
		if bm.inode {
			loc, flag = d.InodeBitmap(), bgInodeUninit
		}
		if err := f.writeBlock(loc, bm.b); err != nil {
			return err
		}
		d.setFlags(d.Flags() &^ flag)
		if f.geo.csum {
			cs := f.bitmapCsum(bm)
			if bm.inode {
				d.setLohi16(gdInodeBitmapCsLo, gdInodeBitmapCsHi, cs)
			} else {
				d.setLohi16(gdBlockBitmapCsLo, gdBlockBitmapCsHi, cs)
			}
		}
		f.markGD(bm.group)
		bm.dirty = false
	}
	return nil
}

// run is a contiguous range of blocks.
type run struct {
	start, n uint64
}

// allocBlocks allocates n blocks, as contiguous as it can, searching from
// goal. On failure nothing stays allocated.
func (f *FS) allocBlocks(goal, n uint64) ([]run, error) {
	var out []run
	if goal < f.geo.firstData || goal >= f.geo.blocks {
		goal = f.geo.firstData
	}
	g0 := uint32((goal - f.geo.firstData) / f.geo.bpg)
	for i := uint32(0); i <= f.geo.groups && n > 0; i++ {
		g := (g0 + i) % f.geo.groups
		start := uint64(0)
		if i == 0 {
			start = (goal - f.geo.firstData) % f.geo.bpg
		}
		if f.gd(g).FreeBlocks() == 0 {
			continue
		}
		bm, err := f.blockBitmap(g)
		if err != nil {
			f.undoAlloc(out)
			return nil, err
		}
		size := f.geo.groupBlocks(g)
		first := f.geo.groupFirstBlock(g)
		for bit := start; bit < size && n > 0; {
			if testBit(bm.b, bit) {
				// Skip whole used bytes quickly.
				if bit&7 == 0 && bm.b[bit>>3] == 0xFF {
					bit += 8
				} else {
					bit++
				}
				continue
			}
			r := run{start: first + bit}
			for bit < size && n > 0 && !testBit(bm.b, bit) {
				setBit(bm.b, bit)
				bit++
				r.n++
				n--
			}
			bm.dirty = true
			d := f.gd(g)
			d.setFreeBlocks(d.FreeBlocks() - uint32(r.n))
			d.setFlags(d.Flags() &^ bgBlockUninit)
			f.markGD(g)
			f.addFreeBlocks(-int64(r.n))
			if len(out) > 0 && out[len(out)-1].start+out[len(out)-1].n == r.start {
				out[len(out)-1].n += r.n
			} else {
				out = append(out, r)
			}
		}
	}
	if n > 0 {
		f.undoAlloc(out)
		return nil, fmt.Errorf("ext4: %s: %w", f.name, errNoSpace)
	}
	return out, nil
}

func (f *FS) undoAlloc(rs []run) {
	for _, r := range rs {
		_ = f.freeBlocks(r.start, r.n)
	}
}

// freeBlocks releases n blocks starting at start.
func (f *FS) freeBlocks(start, n uint64) error {
	if start < f.geo.firstData || start+n > f.geo.blocks || start+n < start {
		return f.corrupt("freeing blocks %d+%d outside the filesystem", start, n)
	}
	for n > 0 {
		g := uint32((start - f.geo.firstData) / f.geo.bpg)
		bit := (start - f.geo.firstData) % f.geo.bpg
		bm, err := f.blockBitmap(g)
		if err != nil {
			return err
		}
		cnt := uint64(0)
		for ; n > 0 && bit < f.geo.bpg; bit, start, n = bit+1, start+1, n-1 {
			if !testBit(bm.b, bit) {
				return f.corrupt("block %d freed twice", start)
			}
			clearBit(bm.b, bit)
			cnt++
		}
		bm.dirty = true
		d := f.gd(g)
		d.setFreeBlocks(d.FreeBlocks() + uint32(cnt))
		f.markGD(g)
		f.addFreeBlocks(int64(cnt))
	}
	return nil
}

// allocInode allocates an inode, preferring group goal.
func (f *FS) allocInode(goal uint32, dir bool) (uint32, error) {
	for i := uint32(0); i < f.geo.groups; i++ {
		g := (goal + i) % f.geo.groups
		d := f.gd(g)
		if d.FreeInodes() == 0 {
			continue
		}
		bm, err := f.inodeBitmap(g)
		if err != nil {
			return 0, err
		}
		for w := uint32(0); w < f.geo.ipg; w += 64 {
			if w+64 <= f.geo.ipg && allSet(bm.b[w/8:w/8+8]) {
				continue
			}
			for bit := w; bit < min(w+64, f.geo.ipg); bit++ {
				ino := g*f.geo.ipg + bit + 1
				if ino < f.sb.FirstInode() || testBit(bm.b, uint64(bit)) {
					continue
				}
				setBit(bm.b, uint64(bit))
				bm.dirty = true
				d.setFreeInodes(d.FreeInodes() - 1)
				if dir {
					d.setUsedDirs(d.UsedDirs() + 1)
				}
				if f.geo.csum || f.geo.gdtCsum {
					if d.Flags()&bgInodeUninit != 0 {
						d.setItableUnused(f.geo.ipg)
					}
					if used := f.geo.ipg - d.ItableUnused(); bit+1 > used {
						d.setItableUnused(f.geo.ipg - (bit + 1))
					}
				}
				d.setFlags(d.Flags() &^ bgInodeUninit)
				f.markGD(g)
				f.addFreeInodes(-1)
				return ino, nil
			}
		}
	}
	return 0, fmt.Errorf("ext4: %s: no free inodes: %w", f.name, errNoSpace)
}

func allSet(b []byte) bool {
	for _, c := range b {
		if bits.OnesCount8(c) != 8 {
			return false
		}
	}
	return true
}

// freeInode releases an inode number.
func (f *FS) freeInode(ino uint32, dir bool) error {
	g := (ino - 1) / f.geo.ipg
	bit := uint64((ino - 1) % f.geo.ipg)
	bm, err := f.inodeBitmap(g)
	if err != nil {
		return err
	}
	if !testBit(bm.b, bit) {
		return f.corrupt("inode %d freed twice", ino)
	}
	clearBit(bm.b, bit)
	bm.dirty = true
	d := f.gd(g)
	d.setFreeInodes(d.FreeInodes() + 1)
	if dir && d.UsedDirs() > 0 {
		d.setUsedDirs(d.UsedDirs() - 1)
	}
	f.markGD(g)
	f.addFreeInodes(1)
	return nil
}
