package ext4

import (
	"encoding/binary"
	"fmt"
)

// GroupDesc is one block group descriptor (ext4 docs, "Block Group
// Descriptors"), 32 bytes or s_desc_size bytes with 64bit. It is a view of
// the raw bytes, so a write-back keeps every field the engine does not know.
type GroupDesc []byte

// Group descriptor field offsets.
const (
	gdBlockBitmapLo   = 0x00
	gdInodeBitmapLo   = 0x04
	gdInodeTableLo    = 0x08
	gdFreeBlocksLo    = 0x0C
	gdFreeInodesLo    = 0x0E
	gdUsedDirsLo      = 0x10
	gdFlags           = 0x12
	gdBlockBitmapCsLo = 0x18
	gdInodeBitmapCsLo = 0x1A
	gdItableUnusedLo  = 0x1C
	gdChecksum        = 0x1E
	gdBlockBitmapHi   = 0x20
	gdInodeBitmapHi   = 0x24
	gdInodeTableHi    = 0x28
	gdFreeBlocksHi    = 0x2C
	gdFreeInodesHi    = 0x2E
	gdUsedDirsHi      = 0x30
	gdItableUnusedHi  = 0x32
	gdBlockBitmapCsHi = 0x38
	gdInodeBitmapCsHi = 0x3A

	bgInodeUninit  = 0x1
	bgBlockUninit  = 0x2
	bgItableZeroed = 0x4
)

func (g GroupDesc) u16(off int) uint32 { return uint32(binary.LittleEndian.Uint16(g[off:])) }
func (g GroupDesc) u32(off int) uint64 { return uint64(binary.LittleEndian.Uint32(g[off:])) }
func (g GroupDesc) big() bool          { return len(g) >= 64 }

func (g GroupDesc) lohi32(lo, hi int) uint64 {
	v := g.u32(lo)
	if g.big() {
		v |= g.u32(hi) << 32
	}
	return v
}

func (g GroupDesc) lohi16(lo, hi int) uint32 {
	v := g.u16(lo)
	if g.big() {
		v |= g.u16(hi) << 16
	}
	return v
}

func (g GroupDesc) setLohi16(lo, hi int, v uint32) {
	binary.LittleEndian.PutUint16(g[lo:], uint16(v))
	if g.big() {
		binary.LittleEndian.PutUint16(g[hi:], uint16(v>>16))
	}
}

// BlockBitmap returns the block bitmap's block number.
func (g GroupDesc) BlockBitmap() uint64 { return g.lohi32(gdBlockBitmapLo, gdBlockBitmapHi) }

// InodeBitmap returns the inode bitmap's block number.
func (g GroupDesc) InodeBitmap() uint64 { return g.lohi32(gdInodeBitmapLo, gdInodeBitmapHi) }

// InodeTable returns the first block of the inode table.
func (g GroupDesc) InodeTable() uint64 { return g.lohi32(gdInodeTableLo, gdInodeTableHi) }

// FreeBlocks returns the group's free block (cluster) count.
func (g GroupDesc) FreeBlocks() uint32 { return g.lohi16(gdFreeBlocksLo, gdFreeBlocksHi) }

// FreeInodes returns the group's free inode count.
func (g GroupDesc) FreeInodes() uint32 { return g.lohi16(gdFreeInodesLo, gdFreeInodesHi) }

// UsedDirs returns the group's directory count.
func (g GroupDesc) UsedDirs() uint32 { return g.lohi16(gdUsedDirsLo, gdUsedDirsHi) }

// ItableUnused returns how many inodes at the end of the table were never used.
func (g GroupDesc) ItableUnused() uint32 { return g.lohi16(gdItableUnusedLo, gdItableUnusedHi) }

// Flags returns bg_flags.
func (g GroupDesc) Flags() uint16 { return uint16(g.u16(gdFlags)) }

func (g GroupDesc) setFreeBlocks(v uint32)   { g.setLohi16(gdFreeBlocksLo, gdFreeBlocksHi, v) }
func (g GroupDesc) setFreeInodes(v uint32)   { g.setLohi16(gdFreeInodesLo, gdFreeInodesHi, v) }
func (g GroupDesc) setUsedDirs(v uint32)     { g.setLohi16(gdUsedDirsLo, gdUsedDirsHi, v) }
func (g GroupDesc) setItableUnused(v uint32) { g.setLohi16(gdItableUnusedLo, gdItableUnusedHi, v) }
func (g GroupDesc) setFlags(v uint16)        { binary.LittleEndian.PutUint16(g[gdFlags:], v) }

// geometry is what the engine derives once from the superblock.
type geometry struct {
	bs            int64  // block size
	blocks        uint64 // blocks count
	firstData     uint64
	bpg           uint64 // blocks per group
	ipg           uint32 // inodes per group
	inodeSize     int64
	groups        uint32
	descSize      int
	descsPerBlock uint64
	gdtBlocks     uint64 // blocks of group descriptors
	csum          bool   // metadata_csum
	gdtCsum       bool   // uninit_bg (crc16), without metadata_csum
	csumSeed      uint32
}

// groupFirstBlock returns the first block of group g.
func (ge *geometry) groupFirstBlock(g uint32) uint64 { return ge.firstData + uint64(g)*ge.bpg }

// groupBlocks returns the number of blocks in group g (the last one may be short).
func (ge *geometry) groupBlocks(g uint32) uint64 {
	first := ge.groupFirstBlock(g)
	if ge.blocks-first < ge.bpg {
		return ge.blocks - first
	}
	return ge.bpg
}

// hasSuper reports whether group g holds a superblock backup.
func hasSuper(sb *Superblock, g uint32) bool {
	if g == 0 {
		return true
	}
	if sb.FeatureCompat.Has(CompatSparseSuper2) {
		return g == sb.BackupBgs[0] || g == sb.BackupBgs[1]
	}
	if g <= 1 || !sb.FeatureROCompat.Has(ROCompatSparseSuper) {
		return true
	}
	if g&1 == 0 {
		return false
	}
	for _, base := range []uint32{3, 5, 7} {
		n := base
		for n < g {
			n *= base
		}
		if n == g {
			return true
		}
	}
	return false
}

// gdtBlockLoc returns the block that holds group descriptor block i.
func (f *FS) gdtBlockLoc(i uint64) uint64 {
	sb := f.sb
	if !sb.FeatureIncompat.Has(IncompatMetaBG) || i < uint64(sb.FirstMetaBg) {
		return f.geo.firstData + 1 + i
	}
	g := uint32(i * f.geo.descsPerBlock)
	b := f.geo.groupFirstBlock(g)
	if hasSuper(sb, g) {
		b++
	}
	return b
}

// superAndGDTBlocks returns the blocks at the start of group g taken by a
// superblock copy, group descriptors and reserved GDT blocks.
func (f *FS) superAndGDTBlocks(g uint32) uint64 {
	sb := f.sb
	var n uint64
	super := hasSuper(sb, g)
	if super {
		n++
		if g == 0 && f.geo.firstData == 0 && f.geo.bs == 1024 {
			// Cannot happen (1 KiB blocks start at 1), kept for clarity.
			n++
		}
	}
	if !sb.FeatureIncompat.Has(IncompatMetaBG) {
		if super {
			n += f.geo.gdtBlocks + uint64(sb.ReservedGDTBlocks)
		}
		return n
	}
	metaGroups := uint64(sb.FirstMetaBg)
	if super {
		n += min(metaGroups, f.geo.gdtBlocks) + uint64(sb.ReservedGDTBlocks)
	}
	idx := uint64(g) % f.geo.descsPerBlock
	mg := uint64(g) / f.geo.descsPerBlock
	if mg >= metaGroups && (idx == 0 || idx == 1 || idx == f.geo.descsPerBlock-1) {
		n++
	}
	return n
}

// gd returns group g's descriptor (a view of the in-memory table).
func (f *FS) gd(g uint32) GroupDesc {
	off := int(g) * f.geo.descSize
	return GroupDesc(f.gdt[off : off+f.geo.descSize])
}

// gdChecksum computes group g's descriptor checksum, or 0 without one.
func (f *FS) gdChecksum(g uint32) uint16 {
	d := f.gd(g)
	switch {
	case f.geo.csum:
		c := crc32cU32(f.geo.csumSeed, g)
		c = crc32c(c, d[:gdChecksum])
		c = crc32c(c, []byte{0, 0})
		if len(d) > gdChecksum+2 {
			c = crc32c(c, d[gdChecksum+2:])
		}
		return uint16(c)
	case f.geo.gdtCsum:
		c := crc16(0xFFFF, f.sb.UUID[:])
		var gb [4]byte
		binary.LittleEndian.PutUint32(gb[:], g)
		c = crc16(c, gb[:])
		c = crc16(c, d[:gdChecksum])
		if len(d) > gdChecksum+2 {
			c = crc16(c, d[gdChecksum+2:])
		}
		return c
	}
	return 0
}

// loadGDT reads and verifies the group descriptor table.
func (f *FS) loadGDT() error {
	ge := &f.geo
	f.gdt = make([]byte, int(ge.gdtBlocks)*int(ge.bs))
	for i := uint64(0); i < ge.gdtBlocks; i++ {
		loc := f.gdtBlockLoc(i)
		if loc >= ge.blocks {
			return f.corrupt("group descriptor block %d at block %d outside the filesystem", i, loc)
		}
		if err := f.readBlock(loc, f.gdt[int64(i)*ge.bs:int64(i+1)*ge.bs]); err != nil {
			return err
		}
	}
	f.gdt = f.gdt[:int(ge.groups)*ge.descSize]
	for g := uint32(0); g < ge.groups; g++ {
		d := f.gd(g)
		if ge.csum || ge.gdtCsum {
			if got, want := f.gdChecksum(g), uint16(d.u16(gdChecksum)); got != want {
				return f.corrupt("group %d descriptor checksum %#04x, computed %#04x", g, want, got)
			}
		}
		for _, b := range []uint64{d.BlockBitmap(), d.InodeBitmap(), d.InodeTable()} {
			if b == 0 || b >= ge.blocks {
				return f.corrupt("group %d descriptor points at block %d outside the filesystem", g, b)
			}
		}
		itBlocks := (uint64(ge.ipg)*uint64(ge.inodeSize) + uint64(ge.bs) - 1) / uint64(ge.bs)
		if d.InodeTable()+itBlocks > ge.blocks {
			return f.corrupt("group %d inode table runs past the end of the filesystem", g)
		}
		if d.FreeInodes() > ge.ipg || uint64(d.FreeBlocks()) > ge.bpg {
			return f.corrupt("group %d descriptor free counts out of range", g)
		}
	}
	return nil
}

// markGD recomputes group g's checksum and marks the table dirty.
func (f *FS) markGD(g uint32) {
	d := f.gd(g)
	binary.LittleEndian.PutUint16(d[gdChecksum:], f.gdChecksum(g))
	if f.gdtDirty == nil {
		f.gdtDirty = map[uint64]bool{}
	}
	f.gdtDirty[uint64(g)/f.geo.descsPerBlock] = true
}

// flushGDT writes the dirty descriptor blocks (primary copy only; e2fsck and
// the kernel use the primary, backups are refreshed by resize and e2fsck).
func (f *FS) flushGDT() error {
	for i := range f.gdtDirty {
		start := int64(i) * f.geo.bs
		end := min(start+f.geo.bs, int64(len(f.gdt)))
		buf := make([]byte, f.geo.bs)
		copy(buf, f.gdt[start:end])
		if end-start < f.geo.bs {
			// Keep whatever follows the last descriptor in that block.
			old := make([]byte, f.geo.bs)
			if err := f.readBlock(f.gdtBlockLoc(i), old); err != nil {
				return err
			}
			copy(buf[end-start:], old[end-start:])
		}
		if err := f.writeBlock(f.gdtBlockLoc(i), buf); err != nil {
			return err
		}
	}
	f.gdtDirty = nil
	return nil
}

func (f *FS) corrupt(format string, a ...any) error {
	return fmt.Errorf("ext4: %s: %s: %w", f.name, fmt.Sprintf(format, a...), errCorrupt)
}
