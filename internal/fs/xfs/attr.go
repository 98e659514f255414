package xfs

import (
	"encoding/binary"
	"fmt"
)

// Attribute fork constants.
const (
	attrLeafMagic   = 0x3bee     // XFS_ATTR3_LEAF_MAGIC
	daNodeMagic     = 0x3ebe     // XFS_DA3_NODE_MAGIC
	attrRmtMagic    = 0x5841524d // "XARM"
	daOffForw       = 0
	daOffMagic      = 8
	daOffCRC        = 12
	daOffBlkno      = 16
	daOffUUID       = 32
	daOffOwner      = 48
	attrLeafHdrSize = 80
	daNodeHdrSize   = 64
	attrRmtHdrSize  = 56

	attrFlagLocal      = 1 << 0
	attrFlagRoot       = 1 << 1
	attrFlagSecure     = 1 << 2
	attrFlagParent     = 1 << 3
	attrFlagIncomplete = 1 << 7

	maxAttrBlocks = 1 << 16
	maxAttrValue  = 64 << 10
)

// xattr is one attribute as stored: namespace flags, raw name, value.
type xattr struct {
	flags uint8
	name  string
	value []byte
}

// fullName returns the Linux xattr name, or "" for names hidden from users
// (parent pointers, incomplete entries).
func (x xattr) fullName() string {
	switch {
	case x.flags&(attrFlagParent|attrFlagIncomplete) != 0:
		return ""
	case x.flags&attrFlagSecure != 0:
		return "security." + x.name
	case x.flags&attrFlagRoot != 0:
		switch x.name {
		case "SGI_ACL_FILE":
			return "system.posix_acl_access"
		case "SGI_ACL_DEFAULT":
			return "system.posix_acl_default"
		}
		return "trusted." + x.name
	}
	return "user." + x.name
}

// readXattrs returns every attribute of an inode.
func (f *FS) readXattrs(n *Inode) ([]xattr, error) {
	lit := n.attrFork()
	if lit == nil {
		return nil, nil
	}
	switch n.AFormat() {
	case fmtLocal:
		return f.shortformAttrs(n, lit)
	case fmtExtents, fmtBtree:
		if n.AFormat() == fmtExtents && n.ANextents() == 0 {
			return nil, nil // an attribute fork with nothing in it yet
		}
		exts, err := f.forkExtents(n, forkAttr)
		if err != nil {
			return nil, err
		}
		if len(exts) == 0 {
			return nil, nil
		}
		return f.leafAttrs(n, exts)
	}
	return nil, f.corrupt("inode %d: attribute fork format %d", n.Ino, n.AFormat())
}

func (f *FS) shortformAttrs(n *Inode, b []byte) ([]xattr, error) {
	if len(b) < 4 {
		return nil, f.corrupt("inode %d: shortform attributes", n.Ino)
	}
	tot, count := int(be16(b, 0)), int(b[2])
	if tot < 4 || tot > len(b) {
		return nil, f.corrupt("inode %d: shortform attributes of %d bytes", n.Ino, tot)
	}
	var out []xattr
	pos := 4
	for i := 0; i < count; i++ {
		if pos+3 > tot {
			return nil, f.corrupt("inode %d: shortform attribute %d past the end", n.Ino, i)
		}
		nl, vl, fl := int(b[pos]), int(b[pos+1]), b[pos+2]
		if pos+3+nl+vl > tot {
			return nil, f.corrupt("inode %d: shortform attribute %d overruns", n.Ino, i)
		}
		out = append(out, xattr{flags: fl, name: string(b[pos+3 : pos+3+nl]), value: append([]byte(nil), b[pos+3+nl:pos+3+nl+vl]...)})
		pos += 3 + nl + vl
	}
	return out, nil
}

// readAttrBlock reads and verifies one attribute fork block.
func (f *FS) readAttrBlock(n *Inode, exts []extent, lblk uint64) ([]byte, error) {
	e, ok := lookupExtent(exts, lblk)
	if !ok || e.Unwritten {
		return nil, f.corrupt("inode %d: attribute block %d not mapped", n.Ino, lblk)
	}
	b, off, err := f.readFSB(e.Start+lblk-e.Off, 1)
	if err != nil {
		return nil, err
	}
	m := be16(b, daOffMagic)
	if m != attrLeafMagic && m != daNodeMagic {
		return nil, f.corrupt("inode %d: attribute block %d: bad magic %#x", n.Ino, lblk, m)
	}
	if err := f.checkBlockHeader("attribute block", b, off, daOffCRC, daOffUUID, daOffBlkno, daOffOwner, n.Ino, false); err != nil {
		return nil, err
	}
	return b, nil
}

// leafAttrs walks the attribute dabtree: down the leftmost path to the
// first leaf, then along the leaf chain.
func (f *FS) leafAttrs(n *Inode, exts []extent) ([]xattr, error) {
	lblk := uint64(0)
	seen := map[uint64]bool{}
	b, err := f.readAttrBlock(n, exts, lblk)
	if err != nil {
		return nil, err
	}
	for depth := 0; be16(b, daOffMagic) == daNodeMagic; depth++ {
		cnt := int(be16(b, 56))
		if depth > maxBtreeLevels || cnt == 0 || daNodeHdrSize+cnt*8 > len(b) {
			return nil, f.corrupt("inode %d: attribute node block %d", n.Ino, lblk)
		}
		lblk = uint64(be32(b, daNodeHdrSize+4))
		if b, err = f.readAttrBlock(n, exts, lblk); err != nil {
			return nil, err
		}
	}
	var out []xattr
	for {
		if be16(b, daOffMagic) != attrLeafMagic {
			return nil, f.corrupt("inode %d: attribute block %d is not a leaf", n.Ino, lblk)
		}
		xs, err := f.parseAttrLeaf(n, exts, b)
		if err != nil {
			return nil, err
		}
		out = append(out, xs...)
		next := uint64(be32(b, daOffForw))
		if next == 0 {
			return out, nil
		}
		if seen[next] || len(seen) > maxAttrBlocks {
			return nil, f.corrupt("inode %d: cycle in the attribute leaf chain", n.Ino)
		}
		seen[next] = true
		lblk = next
		if b, err = f.readAttrBlock(n, exts, lblk); err != nil {
			return nil, err
		}
	}
}

func (f *FS) parseAttrLeaf(n *Inode, exts []extent, b []byte) ([]xattr, error) {
	cnt := int(be16(b, 56))
	if attrLeafHdrSize+cnt*8 > len(b) {
		return nil, f.corrupt("inode %d: attribute leaf with %d entries", n.Ino, cnt)
	}
	var out []xattr
	for i := 0; i < cnt; i++ {
		e := b[attrLeafHdrSize+i*8:]
		idx, fl := int(be16(e, 4)), e[6]
		if idx < attrLeafHdrSize || idx >= len(b) {
			return nil, f.corrupt("inode %d: attribute entry %d at %d", n.Ino, i, idx)
		}
		x := xattr{flags: fl &^ attrFlagLocal}
		if fl&attrFlagLocal != 0 {
			if idx+3 > len(b) {
				return nil, f.corrupt("inode %d: attribute entry %d overruns", n.Ino, i)
			}
			vl, nl := int(be16(b, idx)), int(b[idx+2])
			if idx+3+nl+vl > len(b) {
				return nil, f.corrupt("inode %d: attribute entry %d overruns", n.Ino, i)
			}
			x.name = string(b[idx+3 : idx+3+nl])
			x.value = append([]byte(nil), b[idx+3+nl:idx+3+nl+vl]...)
		} else {
			if idx+9 > len(b) {
				return nil, f.corrupt("inode %d: attribute entry %d overruns", n.Ino, i)
			}
			vblk, vl, nl := uint64(be32(b, idx)), int(be32(b, idx+4)), int(b[idx+8])
			if idx+9+nl > len(b) {
				return nil, f.corrupt("inode %d: attribute entry %d overruns", n.Ino, i)
			}
			x.name = string(b[idx+9 : idx+9+nl])
			if fl&attrFlagIncomplete == 0 {
				v, err := f.readRemoteValue(n, exts, vblk, vl)
				if err != nil {
					return nil, err
				}
				x.value = v
			}
		}
		out = append(out, x)
	}
	return out, nil
}

// readRemoteValue reads a value stored in its own attribute fork blocks.
func (f *FS) readRemoteValue(n *Inode, exts []extent, lblk uint64, size int) ([]byte, error) {
	if size < 0 || size > maxAttrValue {
		return nil, f.corrupt("inode %d: remote attribute value of %d bytes", n.Ino, size)
	}
	per := int(f.bs) - attrRmtHdrSize
	out := make([]byte, 0, size)
	for len(out) < size {
		e, ok := lookupExtent(exts, lblk)
		if !ok || e.Unwritten {
			return nil, f.corrupt("inode %d: remote attribute block %d not mapped", n.Ino, lblk)
		}
		b, off, err := f.readFSB(e.Start+lblk-e.Off, 1)
		if err != nil {
			return nil, err
		}
		if be32(b, 0) != attrRmtMagic {
			return nil, f.corrupt("inode %d: remote attribute block at byte %d: bad magic", n.Ino, off)
		}
		if err := f.checkBlockHeader("remote attribute block", b, off, 12, 16, 40, 32, n.Ino, false); err != nil {
			return nil, err
		}
		o, cnt := int(be32(b, 4)), int(be32(b, 8))
		if o != len(out) || cnt > per || len(out)+cnt > size || cnt == 0 {
			return nil, f.corrupt("inode %d: remote attribute block at byte %d holds bytes %d+%d", n.Ino, off, o, cnt)
		}
		out = append(out, b[attrRmtHdrSize:attrRmtHdrSize+cnt]...)
		lblk++
	}
	return out, nil
}

// xfsACLToLinux converts an on-disk XFS ACL (big-endian count then
// {tag, id, perm, pad} entries) to the Linux xattr format (version 2, then
// little-endian {tag u16, perm u16, id u32}).
func xfsACLToLinux(b []byte) ([]byte, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("ACL of %d bytes", len(b))
	}
	n := int(be32(b, 0))
	if n > 1024 || 4+n*12 > len(b) {
		return nil, fmt.Errorf("ACL with %d entries in %d bytes", n, len(b))
	}
	out := binary.LittleEndian.AppendUint32(nil, 2)
	for i := 0; i < n; i++ {
		e := b[4+i*12:]
		out = binary.LittleEndian.AppendUint16(out, uint16(be32(e, 0)))
		out = binary.LittleEndian.AppendUint16(out, be16(e, 8))
		out = binary.LittleEndian.AppendUint32(out, be32(e, 4))
	}
	return out, nil
}
