package ext4

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// Hash tree directories (ext4 docs, "Hash Tree Directories"): block 0 is
// dx_root ("." and ".." then dx_root_info and dx entries); interior nodes
// hide behind one empty entry spanning the block; leaves are linear blocks.
const (
	dxRootInfoOff   = 0x18
	dxNodeCountOff  = 0x08
	dxEntrySize     = 8
	dxMaxRestarts   = 16
	dxRootInfoBytes = 8
)

// dxFrame is one index block on the path from the root to a leaf.
type dxFrame struct {
	lblk, pblk uint64
	buf        []byte
	root       bool
	countOff   int
	pos        int // entry followed
}

func (fr *dxFrame) count() int { return int(binary.LittleEndian.Uint16(fr.buf[fr.countOff+2:])) }
func (fr *dxFrame) limit() int { return int(binary.LittleEndian.Uint16(fr.buf[fr.countOff:])) }
func (fr *dxFrame) setCount(c int) {
	binary.LittleEndian.PutUint16(fr.buf[fr.countOff+2:], uint16(c))
}
func (fr *dxFrame) hash(i int) uint32 {
	if i == 0 {
		return 0
	}
	return binary.LittleEndian.Uint32(fr.buf[fr.countOff+i*dxEntrySize:])
}
func (fr *dxFrame) block(i int) uint32 {
	return binary.LittleEndian.Uint32(fr.buf[fr.countOff+i*dxEntrySize+4:])
}
func (fr *dxFrame) setEntry(i int, hash, block uint32) {
	o := fr.countOff + i*dxEntrySize
	if i > 0 {
		binary.LittleEndian.PutUint32(fr.buf[o:], hash)
	}
	binary.LittleEndian.PutUint32(fr.buf[o+4:], block)
}

// dxLimit is how many entries an index block holds.
func (f *FS) dxLimit(countOff int) int {
	l := (int(f.geo.bs) - countOff) / dxEntrySize
	if f.geo.csum {
		l--
	}
	return l
}

// writeDxBlock sets an index block's checksum (dx_tail) and writes it.
func (f *FS) writeDxBlock(dir *Inode, pblk uint64, b []byte, root bool) error {
	if f.geo.csum {
		c, tail, err := f.dxCsum(dir, pblk, b, root)
		if err != nil {
			return err
		}
		binary.LittleEndian.PutUint32(b[tail+4:], c)
	}
	return f.writeBlock(pblk, b)
}

// dxCsum computes an index block's checksum and where its dx_tail is.
func (f *FS) dxCsum(dir *Inode, pblk uint64, b []byte, root bool) (uint32, int, error) {
	countOff := dxNodeCountOff
	if root {
		countOff = dxRootInfoOff + int(b[dxRootInfoOff+5])
	}
	if countOff+4 > len(b) {
		return 0, 0, f.corrupt("directory inode %d: htree block %d: bad info length", dir.Ino, pblk)
	}
	limit := int(binary.LittleEndian.Uint16(b[countOff:]))
	count := int(binary.LittleEndian.Uint16(b[countOff+2:]))
	tail := countOff + limit*dxEntrySize
	if tail+8 > len(b) || count > limit {
		return 0, 0, f.corrupt("directory inode %d: htree block %d: count %d, limit %d", dir.Ino, pblk, count, limit)
	}
	c := crc32c(f.inodeSeed(dir.Ino, dir.u32(iGeneration)), b[:countOff+count*dxEntrySize])
	c = crc32c(c, b[tail:tail+4])
	c = crc32c(c, []byte{0, 0, 0, 0})
	return c, tail, nil
}

// verifyDx checks an index block's checksum (metadata_csum).
func (f *FS) verifyDx(dir *Inode, pblk uint64, b []byte, root bool) error {
	if !f.geo.csum {
		return nil
	}
	c, tail, err := f.dxCsum(dir, pblk, b, root)
	if err != nil {
		return err
	}
	if want := binary.LittleEndian.Uint32(b[tail+4:]); c != want {
		return f.corrupt("directory inode %d: htree block %d checksum %#x, computed %#x", dir.Ino, pblk, want, c)
	}
	return nil
}

// dxHashVersion returns the hash the directory uses, with the superblock's
// signedness applied.
func (f *FS) dxHashVersion(root []byte) uint8 {
	v := root[dxRootInfoOff+4]
	if v <= hashTea && f.sb.Flags&sbFlagUnsignedHash != 0 {
		v += 3
	}
	return v
}

func (f *FS) dxMaxLevels() int {
	if f.sb.FeatureIncompat.Has(IncompatLargedir) {
		return 3
	}
	return 2
}

// dxPath walks from the root to the leaf for hash h.
func (f *FS) dxPath(dir *Inode, m *mapping, h uint32) ([]*dxFrame, uint64, error) {
	nblocks := uint64(dir.Size()) / uint64(f.geo.bs)
	phys := func(l uint64) (uint64, error) {
		e, ok := lookupExtent(m.exts, l)
		if !ok || e.Uninit || l >= nblocks {
			return 0, f.corrupt("directory inode %d: htree points at missing block %d", dir.Ino, l)
		}
		return e.Physical + (l - uint64(e.Logical)), nil
	}
	p, err := phys(0)
	if err != nil {
		return nil, 0, err
	}
	root := &dxFrame{pblk: p, buf: make([]byte, f.geo.bs), root: true}
	if err := f.readBlock(p, root.buf); err != nil {
		return nil, 0, err
	}
	info := root.buf[dxRootInfoOff:]
	levels := int(info[6])
	if binary.LittleEndian.Uint32(info) != 0 || info[5] != dxRootInfoBytes || levels >= f.dxMaxLevels() {
		return nil, 0, f.corrupt("directory inode %d: bad htree root", dir.Ino)
	}
	root.countOff = dxRootInfoOff + dxRootInfoBytes
	path := []*dxFrame{root}
	fr := root
	for level := 0; ; level++ {
		if err := f.verifyDx(dir, fr.pblk, fr.buf, fr.root); err != nil {
			return nil, 0, err
		}
		wantLimit := f.dxLimit(fr.countOff)
		if fr.limit() != wantLimit || fr.count() == 0 || fr.count() > fr.limit() {
			return nil, 0, f.corrupt("directory inode %d: htree node %d: count %d, limit %d (want %d)",
				dir.Ino, fr.lblk, fr.count(), fr.limit(), wantLimit)
		}
		pos := 0
		for i := 1; i < fr.count(); i++ {
			if fr.hash(i) <= h {
				pos = i
			}
		}
		fr.pos = pos
		next := uint64(fr.block(pos))
		if level == levels {
			return path, next, nil
		}
		p, err := phys(next)
		if err != nil {
			return nil, 0, err
		}
		child := &dxFrame{lblk: next, pblk: p, buf: make([]byte, f.geo.bs), countOff: dxNodeCountOff}
		if err := f.readBlock(p, child.buf); err != nil {
			return nil, 0, err
		}
		path = append(path, child)
		fr = child
	}
}

// htreeAdd inserts an entry into a hashed directory, splitting a full leaf
// and, when needed, an index node or the root (adding a level).
func (f *FS) htreeAdd(dir *Inode, name string, ino uint32, ft uint8) error {
	m, err := f.readMapping(dir)
	if err != nil {
		return err
	}
	for restart := 0; restart < dxMaxRestarts; restart++ {
		if !f.dxRootOK(dir, m) {
			return f.corrupt("directory inode %d: bad htree root", dir.Ino)
		}
		rootBuf := make([]byte, f.geo.bs)
		e, _ := lookupExtent(m.exts, 0)
		if err := f.readBlock(e.Physical, rootBuf); err != nil {
			return err
		}
		version := f.dxHashVersion(rootBuf)
		h, _, ok := dirHash([]byte(name), version, f.hashSeed)
		if !ok {
			return fmt.Errorf("ext4: %s: directory inode %d uses hash version %d: %w", f.name, dir.Ino, version, errUnsupported)
		}
		path, leafL, err := f.dxPath(dir, m, h)
		if err != nil {
			return err
		}
		le, ok := lookupExtent(m.exts, leafL)
		if !ok {
			return f.corrupt("directory inode %d: htree leaf %d missing", dir.Ino, leafL)
		}
		leafP := le.Physical + (leafL - uint64(le.Logical))
		leaf := make([]byte, f.geo.bs)
		if err := f.readBlock(leafP, leaf); err != nil {
			return err
		}
		if err := f.verifyDirLeaf(dir, leafL, leaf); err != nil {
			return err
		}
		ok, err = f.insertInLeaf(leaf, name, ino, ft)
		if err != nil {
			return f.corrupt("directory inode %d block %d: %v", dir.Ino, leafL, err)
		}
		if ok {
			return f.writeDirLeaf(dir, leafP, leaf)
		}
		parent := path[len(path)-1]
		if parent.count() < parent.limit() {
			return f.splitLeaf(dir, &m, path, leaf, leafP, version, name, ino, ft)
		}
		if err := f.growIndex(dir, &m, path); err != nil {
			return err
		}
	}
	return fmt.Errorf("ext4: %s: directory inode %d: htree insertion did not converge: %w", f.name, dir.Ino, errCorrupt)
}

func (f *FS) dxRootOK(dir *Inode, m *mapping) bool {
	e, ok := lookupExtent(m.exts, 0)
	return ok && !e.Uninit
}

// splitLeaf moves the upper half (by hash) of a full leaf into a new block,
// indexes it in the parent and inserts the new entry where it belongs.
func (f *FS) splitLeaf(dir *Inode, m **mapping, path []*dxFrame, leaf []byte, leafP uint64, version uint8,
	name string, ino uint32, ft uint8) error {
	ents, err := ParseDirBlock(leaf[:f.leafEnd()], f.filetype())
	if err != nil {
		return f.corrupt("directory inode %d: %v", dir.Ino, err)
	}
	var live []hent
	total := 0
	for _, d := range ents {
		if d.Ino == 0 {
			continue
		}
		a, b, _ := dirHash([]byte(d.Name), version, f.hashSeed)
		live = append(live, hent{d, a, b})
		total += direntSize(len(d.Name))
	}
	if len(live) < 2 {
		return f.corrupt("directory inode %d: full leaf with %d entries", dir.Ino, len(live))
	}
	s, splitHash := splitByHash(live, total)
	fill := func(b []byte, hs []hent) {
		ds := make([]Dirent, len(hs))
		for i, x := range hs {
			ds[i] = x.d
		}
		f.fillLeaf(b, ds)
	}
	newL, newP, err := f.appendDirBlock(dir, m)
	if err != nil {
		return err
	}
	lo, hi := leaf, make([]byte, f.geo.bs)
	fill(lo, live[:s])
	fill(hi, live[s:])
	h, _, _ := dirHash([]byte(name), version, f.hashSeed)
	target := lo
	if h >= splitHash {
		target = hi
	}
	if ok, err := f.insertInLeaf(target, name, ino, ft); err != nil || !ok {
		return f.corrupt("directory inode %d: no room after a leaf split (%v)", dir.Ino, err)
	}
	if err := f.writeDirLeaf(dir, leafP, lo); err != nil {
		return err
	}
	if err := f.writeDirLeaf(dir, newP, hi); err != nil {
		return err
	}
	parent := path[len(path)-1]
	insertDx(parent, parent.pos+1, splitHash, uint32(newL))
	return f.writeDxBlock(dir, parent.pblk, parent.buf, parent.root)
}

// insertDx inserts an index entry at position i of a frame with room.
func insertDx(fr *dxFrame, i int, hash, block uint32) {
	c := fr.count()
	o := fr.countOff + i*dxEntrySize
	copy(fr.buf[o+dxEntrySize:fr.countOff+(c+1)*dxEntrySize], fr.buf[o:fr.countOff+c*dxEntrySize])
	fr.setCount(c + 1)
	fr.setEntry(i, hash, block)
}

// growIndex makes room on the path: it splits the deepest full index node
// whose parent has room, or adds a level under the root.
func (f *FS) growIndex(dir *Inode, m **mapping, path []*dxFrame) error {
	k := len(path) - 1
	for k > 0 && path[k-1].count() >= path[k-1].limit() {
		k--
	}
	if k == 0 {
		// Every index block up to the root is full: add a level.
		root := path[0]
		levels := int(root.buf[dxRootInfoOff+6])
		if levels+1 >= f.dxMaxLevels() {
			return fmt.Errorf("ext4: %s: directory inode %d: hash index full (large_dir needed): %w", f.name, dir.Ino, errNoSpace)
		}
		nl, np, err := f.appendDirBlock(dir, m)
		if err != nil {
			return err
		}
		node := f.newDxNode()
		nf := &dxFrame{buf: node, countOff: dxNodeCountOff}
		c := root.count()
		copy(node[dxNodeCountOff+4:], root.buf[root.countOff+4:root.countOff+c*dxEntrySize])
		nf.setCount(c)
		if err := f.writeDxBlock(dir, np, node, false); err != nil {
			return err
		}
		root.setCount(1)
		root.setEntry(0, 0, uint32(nl))
		root.buf[dxRootInfoOff+6] = uint8(levels + 1)
		return f.writeDxBlock(dir, root.pblk, root.buf, true)
	}
	fr, parent := path[k], path[k-1]
	c := fr.count()
	half := c / 2
	nl, np, err := f.appendDirBlock(dir, m)
	if err != nil {
		return err
	}
	node := f.newDxNode()
	nf := &dxFrame{buf: node, countOff: dxNodeCountOff}
	splitHash := fr.hash(half)
	nf.setEntry(0, 0, fr.block(half))
	for i := half + 1; i < c; i++ {
		nf.setEntry(i-half, fr.hash(i), fr.block(i))
	}
	nf.setCount(c - half)
	fr.setCount(half)
	tail := fr.countOff + half*dxEntrySize
	clear(fr.buf[tail : fr.countOff+c*dxEntrySize])
	if err := f.writeDxBlock(dir, np, node, false); err != nil {
		return err
	}
	if err := f.writeDxBlock(dir, fr.pblk, fr.buf, false); err != nil {
		return err
	}
	insertDx(parent, parent.pos+1, splitHash, uint32(nl))
	return f.writeDxBlock(dir, parent.pblk, parent.buf, parent.root)
}

// newDxNode returns an empty interior index block.
func (f *FS) newDxNode() []byte {
	b := make([]byte, f.geo.bs)
	binary.LittleEndian.PutUint16(b[4:], recLenToDisk(int(f.geo.bs), int(f.geo.bs)))
	binary.LittleEndian.PutUint16(b[dxNodeCountOff:], uint16(f.dxLimit(dxNodeCountOff)))
	return b
}

// htreeFind looks name up through the hash index. ok is false when the
// answer needs a linear scan (a hash run continuing past an index node).
func (f *FS) htreeFind(dir *Inode, name string) (*Dirent, *dirBlock, bool, error) {
	m, err := f.readMapping(dir)
	if err != nil {
		return nil, nil, false, err
	}
	e, ok := lookupExtent(m.exts, 0)
	if !ok || e.Uninit {
		return nil, nil, false, f.corrupt("directory inode %d: no htree root block", dir.Ino)
	}
	rootBuf := make([]byte, f.geo.bs)
	if err := f.readBlock(e.Physical, rootBuf); err != nil {
		return nil, nil, false, err
	}
	h, _, ok := dirHash([]byte(name), f.dxHashVersion(rootBuf), f.hashSeed)
	if !ok {
		return nil, nil, false, nil
	}
	path, leafL, err := f.dxPath(dir, m, h)
	if err != nil {
		return nil, nil, false, err
	}
	fr := path[len(path)-1]
	for pos := fr.pos; ; {
		le, ok := lookupExtent(m.exts, leafL)
		if !ok {
			return nil, nil, false, f.corrupt("directory inode %d: htree leaf %d missing", dir.Ino, leafL)
		}
		db := &dirBlock{lblk: leafL, pblk: le.Physical + (leafL - uint64(le.Logical)), buf: make([]byte, f.geo.bs)}
		if err := f.readBlock(db.pblk, db.buf); err != nil {
			return nil, nil, false, err
		}
		if err := f.verifyDirLeaf(dir, leafL, db.buf); err != nil {
			return nil, nil, false, err
		}
		ents, err := f.dirEntries(dir, db)
		if err != nil {
			return nil, nil, false, err
		}
		for i := range ents {
			if ents[i].Ino != 0 && ents[i].Name == name {
				return &ents[i], db, true, nil
			}
		}
		pos++
		if pos >= fr.count() {
			if len(path) == 1 {
				return nil, nil, true, nil // last leaf of a one-level tree
			}
			return nil, nil, false, nil
		}
		if next := fr.hash(pos); next&1 == 0 || next&^1 != h {
			return nil, nil, true, nil
		}
		leafL = uint64(fr.block(pos))
	}
}

// fillLeaf writes entries packed into a fresh leaf block.
func (f *FS) fillLeaf(b []byte, ents []Dirent) {
	clear(b)
	off := 0
	for i, d := range ents {
		rl := direntSize(len(d.Name))
		if i == len(ents)-1 {
			rl = f.leafEnd() - off
		}
		putDirent(b, off, d.Ino, d.Name, d.Type, rl, f.filetype())
		off += rl
	}
	if len(ents) == 0 {
		binary.LittleEndian.PutUint16(b[4:], recLenToDisk(f.leafEnd(), len(b)))
	}
	if f.geo.csum {
		putDirTail(b)
	}
}

// makeIndexed turns a full one-block directory into a hashed one, as the
// kernel does when such a directory grows: block 0 becomes the htree root
// and its entries, with the new one, are split by hash over two leaves.
// It reports false when the directory does not qualify.
func (f *FS) makeIndexed(dir *Inode, name string, ino uint32, ft uint8) (bool, error) {
	version := f.sb.DefHashVersion
	// Two new blocks (and slack for the extent tree) or stay linear.
	if !f.sb.FeatureCompat.Has(CompatDirIndex) || dir.Size() != f.geo.bs || version > hashTea || !f.filetype() ||
		f.sb.FreeBlocksCount() < 8 {
		return false, nil
	}
	m, err := f.readMapping(dir)
	if err != nil {
		return false, err
	}
	e, ok := lookupExtent(m.exts, 0)
	if !ok || e.Uninit {
		return false, nil
	}
	p0 := e.Physical
	root := make([]byte, f.geo.bs)
	if err := f.readBlock(p0, root); err != nil {
		return false, err
	}
	ents, err := f.dirEntries(dir, &dirBlock{pblk: p0, buf: root})
	if err != nil {
		return false, err
	}
	if len(ents) < 2 || ents[0].Name != "." || ents[1].Name != ".." {
		return false, nil
	}
	hv := version
	if f.sb.Flags&sbFlagUnsignedHash != 0 {
		hv += 3
	}
	var live []hent
	total := 0
	for _, d := range append(ents[2:], Dirent{Ino: ino, Name: name, Type: ft}) {
		if d.Ino == 0 {
			continue
		}
		a, b, _ := dirHash([]byte(d.Name), hv, f.hashSeed)
		live = append(live, hent{d, a, b})
		total += direntSize(len(d.Name))
	}
	if len(live) < 2 {
		return false, nil
	}
	s, splitHash := splitByHash(live, total)
	l1, p1, err := f.appendDirBlock(dir, &m)
	if err != nil {
		return false, err
	}
	l2, p2, err := f.appendDirBlock(dir, &m)
	if err != nil {
		return false, err
	}
	half := func(hs []hent) []Dirent {
		out := make([]Dirent, len(hs))
		for i, x := range hs {
			out[i] = x.d
		}
		return out
	}
	leaf := make([]byte, f.geo.bs)
	f.fillLeaf(leaf, half(live[:s]))
	if err := f.writeDirLeaf(dir, p1, leaf); err != nil {
		return false, err
	}
	f.fillLeaf(leaf, half(live[s:]))
	if err := f.writeDirLeaf(dir, p2, leaf); err != nil {
		return false, err
	}
	clear(root)
	putDirent(root, 0, dir.Ino, ".", ftDir, 12, true)
	putDirent(root, 12, ents[1].Ino, "..", ftDir, int(f.geo.bs)-12, true)
	root[dxRootInfoOff+4] = version
	root[dxRootInfoOff+5] = dxRootInfoBytes
	fr := &dxFrame{buf: root, root: true, countOff: dxRootInfoOff + dxRootInfoBytes}
	binary.LittleEndian.PutUint16(root[fr.countOff:], uint16(f.dxLimit(fr.countOff)))
	fr.setCount(2)
	fr.setEntry(0, 0, uint32(l1))
	fr.setEntry(1, splitHash, uint32(l2))
	dir.put32(iFlags, dir.Flags()|flagIndex)
	return true, f.writeDxBlock(dir, p0, root, true)
}

// hent is a live directory entry with its hash, for leaf splits.
type hent struct {
	d            Dirent
	major, minor uint32
}

// splitByHash sorts the live entries of a full leaf by hash and picks where
// to split it: the first entry of the upper half (by bytes used, total in
// all) and the hash that starts the new leaf. When the halves meet inside
// one major hash, the new leaf's hash gets the collision bit (| 1), as the
// kernel marks a hash run continued in the next leaf.
func splitByHash(live []hent, total int) (int, uint32) {
	sort.SliceStable(live, func(i, j int) bool {
		if live[i].major != live[j].major {
			return live[i].major < live[j].major
		}
		return live[i].minor < live[j].minor
	})
	s, cum := 0, 0
	for s < len(live)-1 {
		cum += direntSize(len(live[s].d.Name))
		s++
		if cum >= total/2 {
			break
		}
	}
	splitHash := live[s].major
	if live[s].major == live[s-1].major {
		splitHash |= 1
	}
	return s, splitHash
}
