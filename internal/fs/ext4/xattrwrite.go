package ext4

import (
	"encoding/binary"
	"fmt"
)

// setXattrs stores xs as the inode's complete attribute set: as many as fit
// inside the inode, the rest in an xattr block (copied first when shared).
// The inode is updated in memory; the caller writes it.
func (f *FS) setXattrs(n *Inode, xs []Xattr) error {
	sortXattrs(xs)
	var inInode, inBlock []Xattr
	area := inodeXattrArea(n)
	used := 0
	for _, x := range xs {
		sz := (xattrEntryHeader+len(x.Name)+3)&^3 + (len(x.Value)+3)&^3
		if area != nil && len(inBlock) == 0 && used+sz+4 <= len(area)-4 {
			inInode = append(inInode, x)
			used += sz
			continue
		}
		inBlock = append(inBlock, x)
	}
	if xattrHeaderSize+xattrsSize(inBlock)+4 > int(f.geo.bs) {
		return fmt.Errorf("ext4: %s: inode %d: attributes do not fit in one block (%d in inode, %d in block, %d bytes): %w", f.name, n.Ino, len(inInode), len(inBlock), xattrsSize(inBlock), errNoSpace)
	}
	if area != nil {
		clear(area)
		if len(inInode) > 0 {
			binary.LittleEndian.PutUint32(area, xattrMagic)
			if !encodeXattrs(area[4:], 0, 0, inInode, true) {
				return fmt.Errorf("ext4: %s: internal error: in-inode attributes overflow", f.name)
			}
		}
	}
	old := n.FileACL()
	perBlock := uint64(f.geo.bs / 512)
	if len(inBlock) == 0 {
		if old != 0 {
			if err := f.releaseXattrBlock(n, old); err != nil {
				return err
			}
			n.setFileACL(0)
			n.setBlocks512(n.blocks512(f.geo.bs, false) - perBlock)
		}
		return nil
	}
	buf := make([]byte, f.geo.bs)
	target := old
	shared := false
	if old != 0 {
		ob, err := f.readXattrBlock(n, old)
		if err != nil {
			return err
		}
		if binary.LittleEndian.Uint32(ob[xattrOffRefcount:]) > 1 {
			shared, target = true, 0 // copy on write
		}
	}
	if target == 0 {
		rs, err := f.allocBlocks(f.goalFor(n), 1)
		if err != nil {
			return err
		}
		target = rs[0].start
		if old == 0 {
			n.setBlocks512(n.blocks512(f.geo.bs, false) + perBlock)
		}
	}
	if shared {
		// Drop the reference only once the copy's block is ours.
		if err := f.releaseXattrBlock(n, old); err != nil {
			return err
		}
	}
	binary.LittleEndian.PutUint32(buf, xattrMagic)
	binary.LittleEndian.PutUint32(buf[xattrOffRefcount:], 1)
	binary.LittleEndian.PutUint32(buf[xattrOffBlocks:], 1)
	if !encodeXattrs(buf, xattrHeaderSize, 0, inBlock, true) {
		return fmt.Errorf("ext4: %s: internal error: xattr block overflow", f.name)
	}
	binary.LittleEndian.PutUint32(buf[xattrOffHash:], xattrBlockHash(buf))
	if err := f.writeXattrBlock(target, buf); err != nil {
		return err
	}
	n.setFileACL(target)
	return nil
}

func (f *FS) writeXattrBlock(b uint64, buf []byte) error {
	if f.geo.csum {
		binary.LittleEndian.PutUint32(buf[xattrOffChecksum:], f.xattrBlockCsum(b, buf))
	}
	return f.writeBlock(b, buf)
}

// releaseXattrBlock drops the inode's reference to an xattr block, freeing
// it with the last one.
func (f *FS) releaseXattrBlock(n *Inode, b uint64) error {
	buf, err := f.readXattrBlock(n, b)
	if err != nil {
		return err
	}
	rc := binary.LittleEndian.Uint32(buf[xattrOffRefcount:])
	if rc > 1 {
		binary.LittleEndian.PutUint32(buf[xattrOffRefcount:], rc-1)
		return f.writeXattrBlock(b, buf)
	}
	return f.freeBlocks(b, 1)
}
