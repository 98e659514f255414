package ext4

import (
	"encoding/binary"
	"fmt"
)

// Extent tree structures (ext4 docs, "Extent Tree"): a 12-byte header
// followed by 12-byte index or leaf entries.
const (
	extentMagic      = 0xF30A
	extentHeaderSize = 12
	extentEntrySize  = 12
	maxExtentDepth   = 5
	maxInitLen       = 32768
	maxUninitLen     = 32767
)

// ExtentHeader is struct ext4_extent_header.
type ExtentHeader struct {
	Magic      uint16
	Entries    uint16
	Max        uint16
	Depth      uint16
	Generation uint32
}

// Extent is one mapped run: logical block, physical block, length.
type Extent struct {
	Logical  uint32
	Physical uint64
	Len      uint32
	Uninit   bool // reads as zeros
}

// ParseExtentHeader decodes and checks a node header against the space b offers.
func ParseExtentHeader(b []byte) (ExtentHeader, error) {
	var h ExtentHeader
	if len(b) < extentHeaderSize {
		return h, fmt.Errorf("extent node of %d bytes", len(b))
	}
	h.Magic = binary.LittleEndian.Uint16(b[0:])
	h.Entries = binary.LittleEndian.Uint16(b[2:])
	h.Max = binary.LittleEndian.Uint16(b[4:])
	h.Depth = binary.LittleEndian.Uint16(b[6:])
	h.Generation = binary.LittleEndian.Uint32(b[8:])
	switch {
	case h.Magic != extentMagic:
		return h, fmt.Errorf("bad extent magic %#04x", h.Magic)
	case int(h.Max) > (len(b)-extentHeaderSize)/extentEntrySize || h.Max == 0:
		return h, fmt.Errorf("extent node max %d does not fit", h.Max)
	case h.Entries > h.Max:
		return h, fmt.Errorf("extent node has %d entries, max %d", h.Entries, h.Max)
	case h.Depth > maxExtentDepth:
		return h, fmt.Errorf("extent tree depth %d", h.Depth)
	}
	return h, nil
}

// ParseExtentLeaf decodes the entries of a depth-0 node.
func ParseExtentLeaf(b []byte, h ExtentHeader) []Extent {
	out := make([]Extent, 0, h.Entries)
	for i := 0; i < int(h.Entries); i++ {
		e := b[extentHeaderSize+i*extentEntrySize:]
		l := uint32(binary.LittleEndian.Uint16(e[4:]))
		x := Extent{
			Logical:  binary.LittleEndian.Uint32(e[0:]),
			Physical: uint64(binary.LittleEndian.Uint16(e[6:]))<<32 | uint64(binary.LittleEndian.Uint32(e[8:])),
			Len:      l,
		}
		if l > maxInitLen {
			x.Len, x.Uninit = l-maxInitLen, true
		}
		out = append(out, x)
	}
	return out
}

// extentIndex is one index entry: first logical block, child node block.
type extentIndex struct {
	logical uint32
	child   uint64
}

func parseExtentIndex(b []byte, h ExtentHeader) []extentIndex {
	out := make([]extentIndex, 0, h.Entries)
	for i := 0; i < int(h.Entries); i++ {
		e := b[extentHeaderSize+i*extentEntrySize:]
		out = append(out, extentIndex{
			logical: binary.LittleEndian.Uint32(e[0:]),
			child:   uint64(binary.LittleEndian.Uint16(e[8:]))<<32 | uint64(binary.LittleEndian.Uint32(e[4:])),
		})
	}
	return out
}

// mapping is where a file's blocks are: data extents and the tree (or
// indirect) blocks that describe them.
type mapping struct {
	exts []Extent
	meta []uint64
}

func (m *mapping) dataBlocks() uint64 {
	var n uint64
	for _, e := range m.exts {
		n += uint64(e.Len)
	}
	return n
}

// Caps on what one file may describe, so that a hostile image cannot make
// a read take unbounded time or memory: 4 Mi extents, 256 Ki tree blocks
// (ample for any real file: a full 4 KiB leaf holds 340 extents).
const (
	maxMappedExtents = 1 << 22
	maxTreeBlocks    = 1 << 18
)

// readMapping returns the block mapping of a file, directory or slow symlink.
func (f *FS) readMapping(n *Inode) (*mapping, error) {
	m := &mapping{}
	if n.Flags()&flagInlineData != 0 {
		return m, nil
	}
	switch n.Type() {
	case sIFREG, sIFDIR:
	case sIFLNK:
		if f.isFastSymlink(n) {
			return m, nil
		}
	default:
		return m, nil // devices, fifos, sockets: i_block holds no blocks
	}
	if n.Flags()&flagExtents != 0 {
		root := n.Raw[iBlock : iBlock+iBlockLen]
		h, err := ParseExtentHeader(root)
		if err != nil {
			return nil, f.corrupt("inode %d: %v", n.Ino, err)
		}
		budget := int(min(f.geo.blocks, maxTreeBlocks))
		if err := f.walkExtents(n, root, h, 0, 1<<32, m, &budget); err != nil {
			return nil, err
		}
		return m, nil
	}
	if err := f.readBlockMap(n, m); err != nil {
		return nil, err
	}
	return m, nil
}

// walkExtents collects the extents under one node, checking that every
// entry lies in [lo, hi), in order, inside the filesystem.
func (f *FS) walkExtents(n *Inode, b []byte, h ExtentHeader, lo, hi uint64, m *mapping, budget *int) error {
	if h.Depth == 0 {
		for _, e := range ParseExtentLeaf(b, h) {
			if e.Len == 0 {
				continue
			}
			if uint64(e.Logical) < lo || uint64(e.Logical)+uint64(e.Len) > hi {
				return f.corrupt("inode %d: extent at logical block %d out of order", n.Ino, e.Logical)
			}
			if e.Physical < f.geo.firstData || e.Physical+uint64(e.Len) > f.geo.blocks {
				return f.corrupt("inode %d: extent points at blocks %d+%d outside the filesystem", n.Ino, e.Physical, e.Len)
			}
			if len(m.exts) >= maxMappedExtents {
				return f.corrupt("inode %d: more than %d extents", n.Ino, maxMappedExtents)
			}
			lo = uint64(e.Logical) + uint64(e.Len)
			m.exts = append(m.exts, e)
		}
		return nil
	}
	idx := parseExtentIndex(b, h)
	for i, x := range idx {
		end := hi
		if i+1 < len(idx) {
			end = uint64(idx[i+1].logical)
		}
		if uint64(x.logical) < lo || uint64(x.logical) > end {
			return f.corrupt("inode %d: extent index at logical block %d out of order", n.Ino, x.logical)
		}
		if x.child < f.geo.firstData || x.child >= f.geo.blocks {
			return f.corrupt("inode %d: extent index points at block %d outside the filesystem", n.Ino, x.child)
		}
		*budget--
		if *budget < 0 {
			return f.corrupt("inode %d: extent tree larger than the filesystem", n.Ino)
		}
		child := make([]byte, f.geo.bs)
		if err := f.readBlock(x.child, child); err != nil {
			return err
		}
		ch, err := ParseExtentHeader(child)
		if err != nil {
			return f.corrupt("inode %d: extent block %d: %v", n.Ino, x.child, err)
		}
		if ch.Depth != h.Depth-1 {
			return f.corrupt("inode %d: extent block %d has depth %d under depth %d", n.Ino, x.child, ch.Depth, h.Depth)
		}
		if f.geo.csum {
			off := extentHeaderSize + int(ch.Max)*extentEntrySize
			if off+4 <= len(child) {
				want := binary.LittleEndian.Uint32(child[off:])
				if got := crc32c(f.inodeSeed(n.Ino, n.u32(iGeneration)), child[:off]); got != want {
					return f.corrupt("inode %d: extent block %d checksum %#x, computed %#x", n.Ino, x.child, want, got)
				}
			}
		}
		m.meta = append(m.meta, x.child)
		if err := f.walkExtents(n, child, ch, uint64(x.logical), end, m, budget); err != nil {
			return err
		}
		lo = uint64(x.logical)
	}
	return nil
}

// readBlockMap reads a legacy direct/indirect block map (ext2/ext3).
func (f *FS) readBlockMap(n *Inode, m *mapping) error {
	per := uint64(f.geo.bs / 4)
	limit := (uint64(n.Size()) + uint64(f.geo.bs) - 1) / uint64(f.geo.bs)
	if n.IsDir() || limit > f.geo.blocks {
		limit = min(limit, f.geo.blocks)
	}
	add := func(l, p uint64) error {
		if p < f.geo.firstData || p >= f.geo.blocks {
			return f.corrupt("inode %d: block map points at block %d outside the filesystem", n.Ino, p)
		}
		if k := len(m.exts); k > 0 {
			e := &m.exts[k-1]
			if uint64(e.Logical)+uint64(e.Len) == l && e.Physical+uint64(e.Len) == p && e.Len < maxInitLen {
				e.Len++
				return nil
			}
		}
		if len(m.exts) >= maxMappedExtents {
			return f.corrupt("inode %d: more than %d extents", n.Ino, maxMappedExtents)
		}
		m.exts = append(m.exts, Extent{Logical: uint32(l), Physical: p, Len: 1})
		return nil
	}
	var walk func(blk uint64, level int, base uint64) error
	walk = func(blk uint64, level int, base uint64) error {
		if blk < f.geo.firstData || blk >= f.geo.blocks {
			return f.corrupt("inode %d: indirect block %d outside the filesystem", n.Ino, blk)
		}
		if len(m.meta) >= int(min(f.geo.blocks, maxTreeBlocks)) {
			return f.corrupt("inode %d: block map larger than the filesystem", n.Ino)
		}
		m.meta = append(m.meta, blk)
		buf := make([]byte, f.geo.bs)
		if err := f.readBlock(blk, buf); err != nil {
			return err
		}
		span := uint64(1)
		for i := 1; i < level; i++ {
			span *= per
		}
		for i := uint64(0); i < per; i++ {
			l := base + i*span
			if l >= limit {
				break
			}
			p := uint64(binary.LittleEndian.Uint32(buf[i*4:]))
			if p == 0 {
				continue
			}
			if level == 1 {
				if err := add(l, p); err != nil {
					return err
				}
			} else if err := walk(p, level-1, l); err != nil {
				return err
			}
		}
		return nil
	}
	base := uint64(12)
	span := per
	for i := uint64(0); i < 15; i++ {
		p := uint64(binary.LittleEndian.Uint32(n.Raw[iBlock+4*i:]))
		if i < 12 {
			if p != 0 && i < limit {
				if err := add(i, p); err != nil {
					return err
				}
			}
			continue
		}
		if p != 0 && base < limit {
			if err := walk(p, int(i-11), base); err != nil {
				return err
			}
		}
		base += span
		span *= per
	}
	return nil
}

// lookup maps a logical block to a physical one (0 for a hole) using a
// sorted extent list.
func lookupExtent(exts []Extent, l uint64) (Extent, bool) {
	lo, hi := 0, len(exts)
	for lo < hi {
		mid := (lo + hi) / 2
		e := exts[mid]
		switch {
		case l < uint64(e.Logical):
			hi = mid
		case l >= uint64(e.Logical)+uint64(e.Len):
			lo = mid + 1
		default:
			return e, true
		}
	}
	return Extent{}, false
}
