package xfs

import (
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// Directory block constants (xfs_dir3 data blocks).
const (
	dirBlockMagic = 0x58444233 // "XDB3": single-block directory
	dirDataMagic  = 0x58444433 // "XDD3": data block of a leaf/node directory
	dirHdrSize    = 64
	dirOffCRC     = 4
	dirOffBlkno   = 8
	dirOffUUID    = 24
	dirOffOwner   = 40
	dirFreeTag    = 0xffff
	dirLeafOffset = 32 << 30 // byte offset where the leaf/node area starts
	maxDirEntries = 1 << 22
)

// dirent is one directory entry as stored.
type dirent struct {
	name  string
	ino   uint64
	ftype uint8
	// Where the entry lives, for edits: logical dir block and byte position
	// (sfOff for shortform: offset in the data fork).
	dblk uint64
	pos  int
}

// readDirEntries returns every entry of a directory except "." and "..",
// in on-disk order.
func (f *FS) readDirEntries(n *Inode) ([]dirent, error) {
	switch n.Format() {
	case fmtLocal:
		return f.shortformEntries(n)
	case fmtExtents, fmtBtree:
	default:
		return nil, f.corrupt("directory inode %d: format %d", n.Ino, n.Format())
	}
	exts, err := f.forkExtents(n, forkData)
	if err != nil {
		return nil, err
	}
	var out []dirent
	err = f.forEachDirDataBlock(n, exts, func(dblk uint64, b []byte, off int64) error {
		es, err := f.parseDirDataBlock(n, dblk, b, off)
		if err != nil {
			return err
		}
		out = append(out, es...)
		if len(out) > maxDirEntries {
			return f.corrupt("directory inode %d: more than %d entries", n.Ino, maxDirEntries)
		}
		return nil
	})
	return out, err
}

// forEachDirDataBlock reads each mapped directory data block (below the
// leaf area) in logical order.
func (f *FS) forEachDirDataBlock(n *Inode, exts []extent, fn func(dblk uint64, b []byte, off int64) error) error {
	fsbPerDir := uint64(1) << f.sb.DirBlkLog
	leafFSB := uint64(dirLeafOffset) >> f.sb.BlockLog
	r := &forkReader{f: f, exts: exts, size: int64(leafFSB) * f.bs}
	last := ^uint64(0)
	for _, e := range exts {
		if e.Unwritten {
			return f.corrupt("directory inode %d: unwritten extent", n.Ino)
		}
		for fb := e.Off &^ (fsbPerDir - 1); fb < e.Off+e.Len && fb < leafFSB; fb += fsbPerDir {
			if fb == last {
				continue
			}
			last = fb
			b := make([]byte, f.sb.DirBlockSize())
			if _, err := r.ReadAt(b, int64(fb)*f.bs); err != nil {
				return err
			}
			off, _ := f.fsbOff(e.Start + (fb - e.Off))
			if fb < e.Off {
				off = -1
			}
			if err := fn(fb/fsbPerDir, b, off); err != nil {
				return err
			}
		}
	}
	return nil
}

// parseDirDataBlock checks a directory data block and returns its entries.
func (f *FS) parseDirDataBlock(n *Inode, dblk uint64, b []byte, off int64) ([]dirent, error) {
	magic := be32(b, 0)
	if magic != dirBlockMagic && magic != dirDataMagic {
		return nil, f.corrupt("directory inode %d block %d: bad magic %#x", n.Ino, dblk, magic)
	}
	blknoOff := dirOffBlkno
	if off < 0 {
		blknoOff = -1
	}
	if err := f.checkBlockHeader("directory block", b, off, dirOffCRC, dirOffUUID, blknoOff, dirOffOwner, n.Ino, false); err != nil {
		return nil, err
	}
	end := len(b)
	if magic == dirBlockMagic {
		count := int(be32(b, len(b)-8))
		if count > (len(b)-dirHdrSize-8)/8 {
			return nil, f.corrupt("directory inode %d: block tail counts %d leaf entries", n.Ino, count)
		}
		end = len(b) - 8 - count*8
	}
	return f.parseDirEntries(n, dblk, b, end)
}

// parseDirEntries walks the entries between the header and end.
func (f *FS) parseDirEntries(n *Inode, dblk uint64, b []byte, end int) ([]dirent, error) {
	ftype := f.sb.Incompat&incompatFtype != 0
	var out []dirent
	for pos := dirHdrSize; pos < end; {
		if pos+8 > end {
			return nil, f.corrupt("directory inode %d block %d: entry at %d past the end", n.Ino, dblk, pos)
		}
		if be16(b, pos) == dirFreeTag {
			l := int(be16(b, pos+2))
			if l < 8 || l%8 != 0 || pos+l > end {
				return nil, f.corrupt("directory inode %d block %d: free space of %d bytes at %d", n.Ino, dblk, l, pos)
			}
			pos += l
			continue
		}
		size := dirEntSize(int(b[pos+8]), ftype)
		if pos+size > end || b[pos+8] == 0 {
			return nil, f.corrupt("directory inode %d block %d: entry at %d overruns the block", n.Ino, dblk, pos)
		}
		nl := int(b[pos+8])
		d := dirent{name: string(b[pos+9 : pos+9+nl]), ino: be64(b, pos), dblk: dblk, pos: pos}
		if ftype {
			d.ftype = b[pos+9+nl]
		}
		if int(be16(b, pos+size-2)) != pos {
			return nil, f.corrupt("directory inode %d block %d: entry at %d has tag %d", n.Ino, dblk, pos, be16(b, pos+size-2))
		}
		if d.name != "." && d.name != ".." {
			out = append(out, d)
		}
		pos += size
	}
	return out, nil
}

// dirEntSize is the 8-aligned size of a data entry with a name of nl bytes.
func dirEntSize(nl int, ftype bool) int {
	s := 8 + 1 + nl + 2
	if ftype {
		s++
	}
	return (s + 7) &^ 7
}

// shortformEntries decodes a shortform directory in the inode.
func (f *FS) shortformEntries(n *Inode) ([]dirent, error) {
	b := n.dataFork()
	size := int(n.Size())
	if size < 6 || size > len(b) {
		return nil, f.corrupt("directory inode %d: shortform size %d", n.Ino, size)
	}
	b = b[:size]
	count, i8 := int(b[0]), b[1]
	inoSize := 4
	if i8 != 0 {
		inoSize = 8
	}
	ftype := f.sb.Incompat&incompatFtype != 0
	pos := 2 + inoSize
	var out []dirent
	for i := 0; i < count; i++ {
		if pos+3 > size {
			return nil, f.corrupt("directory inode %d: shortform entry %d past the end", n.Ino, i)
		}
		nl := int(b[pos])
		esz := 3 + nl + inoSize
		if ftype {
			esz++
		}
		if nl == 0 || pos+esz > size {
			return nil, f.corrupt("directory inode %d: shortform entry %d overruns", n.Ino, i)
		}
		d := dirent{name: string(b[pos+3 : pos+3+nl]), pos: pos}
		p := pos + 3 + nl
		if ftype {
			d.ftype = b[p]
			p++
		}
		if inoSize == 8 {
			d.ino = be64(b, p)
		} else {
			d.ino = uint64(be32(b, p))
		}
		out = append(out, d)
		pos += esz
	}
	return out, nil
}

// shortformParent returns the parent inode of a shortform directory.
func shortformParent(n *Inode) uint64 {
	b := n.dataFork()
	if b[1] != 0 {
		return be64(b, 2)
	}
	return uint64(be32(b, 2))
}

// direntType returns the io/fs type bits of an entry, reading the inode when
// the filesystem has no ftype.
func (f *FS) direntType(d dirent) (fs.DirEntry, error) {
	if f.sb.Incompat&incompatFtype != 0 {
		return fs.DirEntry{Name: d.name, Type: typeFromFtype(d.ftype), Ino: d.ino}, nil
	}
	c, err := f.readInode(d.ino)
	if err != nil {
		return fs.DirEntry{}, err
	}
	return fs.DirEntry{Name: d.name, Type: modeFromUnix(c.Mode()).Type(), Ino: d.ino}, nil
}
