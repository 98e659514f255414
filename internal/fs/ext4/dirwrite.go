package ext4

import (
	"encoding/binary"
	"fmt"
)

// leafEnd is where entries stop in a leaf block (before the checksum tail).
func (f *FS) leafEnd() int {
	if f.geo.csum {
		return int(f.geo.bs) - dirTailSize
	}
	return int(f.geo.bs)
}

// writeDirLeaf sets a leaf block's checksum tail and writes it.
func (f *FS) writeDirLeaf(dir *Inode, pblk uint64, b []byte) error {
	if f.geo.csum {
		if !hasDirTail(b) {
			return f.corrupt("directory inode %d block %d has no checksum tail", dir.Ino, pblk)
		}
		binary.LittleEndian.PutUint32(b[len(b)-4:], f.dirLeafCsum(dir, b))
	}
	return f.writeBlock(pblk, b)
}

// insertInLeaf puts an entry into a leaf block if it has room.
func (f *FS) insertInLeaf(b []byte, name string, ino uint32, ft uint8) (bool, error) {
	need := direntSize(len(name))
	ents, err := ParseDirBlock(b[:f.leafEnd()], f.filetype())
	if err != nil {
		return false, err
	}
	for _, d := range ents {
		if d.Ino == 0 && d.RecLen >= need {
			putDirent(b, d.Off, ino, name, ft, d.RecLen, f.filetype())
			return true, nil
		}
		if d.Ino == 0 {
			continue
		}
		used := direntSize(len(d.Name))
		if d.RecLen-used >= need {
			binary.LittleEndian.PutUint16(b[d.Off+4:], recLenToDisk(used, len(b)))
			putDirent(b, d.Off+used, ino, name, ft, d.RecLen-used, f.filetype())
			return true, nil
		}
	}
	return false, nil
}

// newLeaf returns an empty leaf block (one unused entry, and the tail).
func (f *FS) newLeaf() []byte {
	b := make([]byte, f.geo.bs)
	end := f.leafEnd()
	binary.LittleEndian.PutUint16(b[4:], recLenToDisk(end, len(b)))
	if f.geo.csum {
		putDirTail(b)
	}
	return b
}

// appendDirBlock adds block b at the end of a directory and returns its
// logical and physical numbers. It updates m and the inode in memory.
func (f *FS) appendDirBlock(dir *Inode, m **mapping) (uint64, uint64, error) {
	lblk := uint64(dir.Size()) / uint64(f.geo.bs)
	if lblk >= maxDirBlocks {
		return 0, 0, fmt.Errorf("ext4: %s: directory inode %d too large: %w", f.name, dir.Ino, errNoSpace)
	}
	goal := f.goalFor(dir)
	exts := append([]Extent(nil), (*m).exts...)
	if k := len(exts); k > 0 {
		goal = exts[k-1].Physical + uint64(exts[k-1].Len)
	}
	rs, err := f.allocBlocks(goal, 1)
	if err != nil {
		return 0, 0, err
	}
	p := rs[0].start
	if k := len(exts); k > 0 && !exts[k-1].Uninit && exts[k-1].Physical+uint64(exts[k-1].Len) == p &&
		uint64(exts[k-1].Logical)+uint64(exts[k-1].Len) == lblk && exts[k-1].Len < maxInitLen {
		exts[k-1].Len++
	} else {
		exts = append(exts, Extent{Logical: uint32(lblk), Physical: p, Len: 1})
	}
	nm, err := f.setMapping(dir, *m, exts)
	if err != nil {
		_ = f.freeBlocks(p, 1)
		return 0, 0, err
	}
	*m = nm
	dir.setSize(int64(lblk+1) * f.geo.bs)
	return lblk, p, nil
}

// addEntry links name to ino in dir and writes the directory inode.
func (f *FS) addEntry(dir *Inode, name string, ino uint32, ft uint8) error {
	if dir.Flags()&flagInlineData != 0 {
		return fmt.Errorf("ext4: %s: directory inode %d has inline data: writing it is not supported: %w", f.name, dir.Ino, errUnsupported)
	}
	if dir.Flags()&flagIndex != 0 {
		if !f.sb.FeatureCompat.Has(CompatDirIndex) {
			return fmt.Errorf("ext4: %s: directory inode %d is hashed but dir_index is off: %w", f.name, dir.Ino, errCorrupt)
		}
		if err := f.htreeAdd(dir, name, ino, ft); err != nil {
			return err
		}
		return f.writeInode(dir)
	}
	done := false
	err := f.forEachDirBlock(dir, func(db *dirBlock) (bool, error) {
		ok, err := f.insertInLeaf(db.buf, name, ino, ft)
		if err != nil {
			return true, f.corrupt("directory inode %d block %d: %v", dir.Ino, db.lblk, err)
		}
		if ok {
			done = true
			return true, f.writeDirLeaf(dir, db.pblk, db.buf)
		}
		return false, nil
	})
	if err != nil || done {
		if err == nil {
			err = f.writeInode(dir)
		}
		return err
	}
	if ok, err := f.makeIndexed(dir, name, ino, ft); err != nil || ok {
		if err == nil {
			err = f.writeInode(dir)
		}
		return err
	}
	m, err := f.readMapping(dir)
	if err != nil {
		return err
	}
	_, p, err := f.appendDirBlock(dir, &m)
	if err != nil {
		return err
	}
	b := f.newLeaf()
	putDirent(b, 0, ino, name, ft, f.leafEnd(), f.filetype())
	if err := f.writeDirLeaf(dir, p, b); err != nil {
		return err
	}
	return f.writeInode(dir)
}

// removeEntry unlinks name from dir (which must hold it).
func (f *FS) removeEntry(dir *Inode, name string) error {
	if dir.Flags()&(flagIndex|flagInlineData) == 0 {
		return f.removeLinear(dir, name)
	}
	d, db, err := f.findEntry(dir, name)
	if err != nil {
		return err
	}
	if d == nil {
		return f.corrupt("directory inode %d lost entry %q", dir.Ino, name)
	}
	b := db.buf
	ents, err := ParseDirBlock(b[:f.leafEnd()], f.filetype())
	if err != nil {
		return f.corrupt("directory inode %d block %d: %v", dir.Ino, db.lblk, err)
	}
	for i, e := range ents {
		if e.Off != d.Off {
			continue
		}
		if i == 0 {
			binary.LittleEndian.PutUint32(b[e.Off:], 0)
			if f.filetype() {
				b[e.Off+7] = 0
			}
		} else {
			prev := ents[i-1]
			binary.LittleEndian.PutUint16(b[prev.Off+4:], recLenToDisk(prev.RecLen+e.RecLen, len(b)))
		}
		return f.writeDirLeaf(dir, db.pblk, b)
	}
	return f.corrupt("directory inode %d: entry %q vanished", dir.Ino, name)
}

// setEntryIno points an existing entry at another inode (rename over, "..").
func (f *FS) setEntryIno(dir *Inode, name string, ino uint32, ft uint8) error {
	d, db, err := f.findEntry(dir, name)
	if err != nil {
		return err
	}
	if d == nil {
		return f.corrupt("directory inode %d lost entry %q", dir.Ino, name)
	}
	binary.LittleEndian.PutUint32(db.buf[d.Off:], ino)
	if f.filetype() {
		db.buf[d.Off+7] = ft
	}
	if dir.Flags()&flagIndex != 0 && db.lblk == 0 {
		return f.writeDxBlock(dir, db.pblk, db.buf, true)
	}
	return f.writeDirLeaf(dir, db.pblk, db.buf)
}

// dirIsEmpty reports whether dir holds only "." and "..".
func (f *FS) dirIsEmpty(dir *Inode) (bool, error) {
	empty := true
	err := f.forEachDirBlock(dir, func(db *dirBlock) (bool, error) {
		ents, err := f.dirEntries(dir, db)
		if err != nil {
			return true, err
		}
		for _, d := range ents {
			if d.Ino != 0 && d.Name != "." && d.Name != ".." {
				empty = false
				return true, nil
			}
		}
		return false, nil
	})
	return empty, err
}

// removeLinear unlinks name from a linear directory, scanning its blocks
// without decoding them.
func (f *FS) removeLinear(dir *Inode, name string) error {
	found := false
	err := f.forEachDirBlock(dir, func(db *dirBlock) (bool, error) {
		b := db.buf
		off, prev := scanBlockPrev(b[:f.leafEnd()], name, f.filetype())
		switch {
		case off == -2:
			return true, f.corrupt("directory inode %d block %d: bad entry", dir.Ino, db.lblk)
		case off < 0:
			return false, nil
		case prev < 0:
			binary.LittleEndian.PutUint32(b[off:], 0)
			if f.filetype() {
				b[off+7] = 0
			}
		default:
			merged := recLenFromDisk(binary.LittleEndian.Uint16(b[prev+4:]), len(b)) +
				recLenFromDisk(binary.LittleEndian.Uint16(b[off+4:]), len(b))
			binary.LittleEndian.PutUint16(b[prev+4:], recLenToDisk(merged, len(b)))
		}
		found = true
		return true, f.writeDirLeaf(dir, db.pblk, b)
	})
	if err == nil && !found {
		err = f.corrupt("directory inode %d lost entry %q", dir.Ino, name)
	}
	return err
}
