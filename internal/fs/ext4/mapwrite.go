package ext4

import (
	"encoding/binary"
	"fmt"
)

// setMapping makes exts the inode's block mapping: it writes a new extent
// tree (or, on a filesystem without extents, a block map), reusing the
// tree blocks of old first, freeing those left over, and updates i_block,
// i_flags and i_blocks. Data blocks are the caller's business. It returns
// the mapping now in place.
func (f *FS) setMapping(n *Inode, old *mapping, exts []Extent) (*mapping, error) {
	pool := append([]uint64(nil), old.meta...)
	var meta []uint64
	var err error
	take := func(k int, goal uint64) ([]uint64, error) {
		var out []uint64
		for len(out) < k && len(pool) > 0 {
			out = append(out, pool[0])
			pool = pool[1:]
		}
		if len(out) < k {
			rs, err := f.allocBlocks(goal, uint64(k-len(out)))
			if err != nil {
				return nil, err
			}
			for _, r := range rs {
				for i := uint64(0); i < r.n; i++ {
					out = append(out, r.start+i)
				}
			}
		}
		return out, nil
	}
	if f.sb.FeatureIncompat.Has(IncompatExtents) {
		meta, err = f.writeExtentTree(n, exts, take)
	} else {
		meta, err = f.writeBlockMap(n, exts, take)
	}
	if err != nil {
		return nil, err
	}
	for _, b := range pool {
		if err := f.freeBlocks(b, 1); err != nil {
			return nil, err
		}
	}
	m := &mapping{exts: exts, meta: meta}
	f.setIBlocks(n, m)
	return m, nil
}

// setIBlocks sets i_blocks from a mapping and the xattr block.
func (f *FS) setIBlocks(n *Inode, m *mapping) {
	total := m.dataBlocks() + uint64(len(m.meta))
	if n.FileACL() != 0 {
		total++
	}
	n.setBlocks512(total * uint64(f.geo.bs/512))
}

// goalFor is where an inode's blocks should go: its group (flex_bg places
// data after the flex group's metadata, which the bitmap search skips).
func (f *FS) goalFor(n *Inode) uint64 {
	g := (n.Ino - 1) / f.geo.ipg
	if lg := f.sb.LogGroupsPerFlex; f.sb.FeatureIncompat.Has(IncompatFlexBG) && lg < 31 {
		g = g >> lg << lg
	}
	return f.geo.groupFirstBlock(g)
}

type takeFunc func(k int, goal uint64) ([]uint64, error)

// writeExtentTree encodes exts as an extent tree rooted in i_block.
func (f *FS) writeExtentTree(n *Inode, exts []Extent, take takeFunc) ([]uint64, error) {
	per := int((f.geo.bs - extentHeaderSize) / extentEntrySize)
	type entry struct {
		logical uint32
		ext     Extent
		child   uint64
	}
	level := make([]entry, len(exts))
	for i, e := range exts {
		if e.Len == 0 || e.Len > maxInitLen || (e.Uninit && e.Len > maxUninitLen) {
			return nil, fmt.Errorf("ext4: %s: internal error: extent of %d blocks", f.name, e.Len)
		}
		level[i] = entry{logical: e.Logical, ext: e}
	}
	// Count the nodes of each level first so the blocks come in one go.
	var counts []int
	for k := len(level); k > 4; k = (k + per - 1) / per {
		counts = append(counts, (k+per-1)/per)
	}
	total := 0
	for _, c := range counts {
		total += c
	}
	if len(counts) > maxExtentDepth {
		return nil, fmt.Errorf("ext4: %s: inode %d: extent tree too deep: %w", f.name, n.Ino, errNoSpace)
	}
	goal := f.goalFor(n)
	if len(exts) > 0 {
		goal = exts[0].Physical
	}
	blocks, err := take(total, goal)
	if err != nil {
		return nil, err
	}
	seed := f.inodeSeed(n.Ino, n.u32(iGeneration))
	encode := func(b []byte, ents []entry, depth, max int) {
		clear(b)
		binary.LittleEndian.PutUint16(b[0:], extentMagic)
		binary.LittleEndian.PutUint16(b[2:], uint16(len(ents)))
		binary.LittleEndian.PutUint16(b[4:], uint16(max))
		binary.LittleEndian.PutUint16(b[6:], uint16(depth))
		for i, e := range ents {
			o := b[extentHeaderSize+i*extentEntrySize:]
			if depth == 0 {
				l := e.ext.Len
				if e.ext.Uninit {
					l += maxInitLen
				}
				binary.LittleEndian.PutUint32(o[0:], e.ext.Logical)
				binary.LittleEndian.PutUint16(o[4:], uint16(l))
				binary.LittleEndian.PutUint16(o[6:], uint16(e.ext.Physical>>32))
				binary.LittleEndian.PutUint32(o[8:], uint32(e.ext.Physical))
			} else {
				binary.LittleEndian.PutUint32(o[0:], e.logical)
				binary.LittleEndian.PutUint32(o[4:], uint32(e.child))
				binary.LittleEndian.PutUint16(o[8:], uint16(e.child>>32))
			}
		}
	}
	used := blocks
	depth := 0
	buf := make([]byte, f.geo.bs)
	for len(level) > 4 {
		var next []entry
		for i := 0; i < len(level); i += per {
			chunk := level[i:min(i+per, len(level))]
			blk := used[0]
			used = used[1:]
			encode(buf, chunk, depth, per)
			if f.geo.csum {
				off := extentHeaderSize + per*extentEntrySize
				binary.LittleEndian.PutUint32(buf[off:], crc32c(seed, buf[:off]))
			}
			if err := f.writeBlock(blk, buf); err != nil {
				return nil, err
			}
			next = append(next, entry{logical: chunk[0].logical, child: blk})
		}
		level = next
		depth++
	}
	root := n.Raw[iBlock : iBlock+iBlockLen]
	encode(root, level, depth, 4)
	n.put32(iFlags, n.Flags()|flagExtents)
	return blocks, nil
}

// writeBlockMap encodes exts as direct and indirect block pointers.
func (f *FS) writeBlockMap(n *Inode, exts []Extent, take takeFunc) ([]uint64, error) {
	per := uint64(f.geo.bs / 4)
	type node struct {
		ptrs []uint32
		kids map[uint64]*node
		blk  uint64
	}
	newNode := func() *node { return &node{ptrs: make([]uint32, per), kids: map[uint64]*node{}} }
	var roots [3]*node
	var direct [12]uint32
	var order []*node
	get := func(parent *node, idx uint64) *node {
		if c, ok := parent.kids[idx]; ok {
			return c
		}
		c := newNode()
		parent.kids[idx] = c
		order = append(order, c)
		return c
	}
	type slot struct {
		nd  *node
		idx uint64
	}
	var placements []struct {
		s slot
		p uint32
	}
	for _, e := range exts {
		if e.Physical+uint64(e.Len) > 1<<32 {
			return nil, fmt.Errorf("ext4: %s: block beyond 2^32 in a block-mapped file: %w", f.name, errNoSpace)
		}
		for i := uint64(0); i < uint64(e.Len); i++ {
			l := uint64(e.Logical) + i
			p := uint32(e.Physical + i)
			if l < 12 {
				direct[l] = p
				continue
			}
			l -= 12
			level := 0
			span := per
			for level < 3 && l >= span {
				l -= span
				span *= per
				level++
			}
			if level == 3 {
				return nil, fmt.Errorf("ext4: %s: file too large for a block map: %w", f.name, errNoSpace)
			}
			if roots[level] == nil {
				roots[level] = newNode()
				order = append(order, roots[level])
			}
			nd := roots[level]
			for d := level; d > 0; d-- {
				span /= per
				nd = get(nd, l/span)
				l %= span
			}
			placements = append(placements, struct {
				s slot
				p uint32
			}{slot{nd, l}, p})
		}
	}
	goal := f.goalFor(n)
	if len(exts) > 0 {
		goal = exts[0].Physical
	}
	blocks, err := take(len(order), goal)
	if err != nil {
		return nil, err
	}
	for i, nd := range order {
		nd.blk = blocks[i]
	}
	for _, pl := range placements {
		pl.s.nd.ptrs[pl.s.idx] = pl.p
	}
	buf := make([]byte, f.geo.bs)
	for _, nd := range order {
		for idx, c := range nd.kids {
			nd.ptrs[idx] = uint32(c.blk)
		}
		for i, p := range nd.ptrs {
			binary.LittleEndian.PutUint32(buf[i*4:], p)
		}
		if err := f.writeBlock(nd.blk, buf); err != nil {
			return nil, err
		}
	}
	for i := 0; i < 12; i++ {
		n.put32(iBlock+4*i, direct[i])
	}
	for i, r := range roots {
		var b uint32
		if r != nil {
			b = uint32(r.blk)
		}
		n.put32(iBlock+48+4*i, b)
	}
	n.put32(iFlags, n.Flags()&^flagExtents)
	return blocks, nil
}

// freeMapping releases all data and tree blocks of a mapping.
func (f *FS) freeMapping(m *mapping) error {
	for _, e := range m.exts {
		if err := f.freeBlocks(e.Physical, uint64(e.Len)); err != nil {
			return err
		}
	}
	for _, b := range m.meta {
		if err := f.freeBlocks(b, 1); err != nil {
			return err
		}
	}
	return nil
}

// runsToExtents turns allocated runs into extents starting at logical l.
func runsToExtents(rs []run, l uint64) []Extent {
	var out []Extent
	for _, r := range rs {
		for r.n > 0 {
			k := min(r.n, maxInitLen)
			out = append(out, Extent{Logical: uint32(l), Physical: r.start, Len: uint32(k)})
			l += k
			r.start += k
			r.n -= k
		}
	}
	return out
}
