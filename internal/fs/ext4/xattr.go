package ext4

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
)

// Extended attributes (ext4 docs, "Extended Attributes"): a list of entries
// inside the inode after i_extra_isize, or in one block shared by refcount.
const (
	xattrMagic       = 0xEA020000
	xattrHeaderSize  = 32 // block header
	xattrEntryHeader = 16
	xattrOffRefcount = 4
	xattrOffBlocks   = 8
	xattrOffHash     = 12
	xattrOffChecksum = 16
	maxXattrValue    = 65536
	maxXattrRefcount = 1024
)

// xattrPrefixes maps e_name_index to its name prefix.
var xattrPrefixes = map[uint8]string{
	1: "user.",
	2: "system.posix_acl_access",
	3: "system.posix_acl_default",
	4: "trusted.",
	6: "security.",
	7: "system.",
	8: "system.richacl",
}

// Xattr is one decoded attribute.
type Xattr struct {
	Index uint8
	Name  string // suffix after the prefix
	Value []byte
	Inum  uint32 // value in an EA inode (ea_inode), unsupported
}

// FullName returns the attribute's name with its prefix.
func (x Xattr) FullName() string { return xattrPrefixes[x.Index] + x.Name }

// splitXattrName finds the index and suffix for a full name.
func splitXattrName(name string) (uint8, string, bool) {
	switch name {
	case "system.posix_acl_access":
		return 2, "", true
	case "system.posix_acl_default":
		return 3, "", true
	case "system.richacl":
		return 8, "", true
	}
	for _, idx := range []uint8{1, 4, 6, 7} {
		p := xattrPrefixes[idx]
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			return idx, name[len(p):], true
		}
	}
	return 0, "", false
}

// ParseXattrEntries decodes an entry list. region is the whole area values
// are addressed in (the block, or the in-inode area after the magic);
// start is where the first entry is.
func ParseXattrEntries(region []byte, start int) ([]Xattr, error) {
	var out []Xattr
	for off := start; ; {
		if off+4 > len(region) {
			return nil, fmt.Errorf("xattr entries run past the end at %d", off)
		}
		if binary.LittleEndian.Uint32(region[off:]) == 0 {
			return out, nil
		}
		if off+xattrEntryHeader > len(region) {
			return nil, fmt.Errorf("xattr entry at %d truncated", off)
		}
		nameLen := int(region[off])
		x := Xattr{Index: region[off+1]}
		voff := int(binary.LittleEndian.Uint16(region[off+2:]))
		x.Inum = binary.LittleEndian.Uint32(region[off+4:])
		vsize := int(binary.LittleEndian.Uint32(region[off+8:]))
		if off+xattrEntryHeader+nameLen > len(region) || (nameLen == 0 && !isACLIndex(x.Index) && x.Index != 8) {
			return nil, fmt.Errorf("xattr entry at %d: name length %d", off, nameLen)
		}
		x.Name = string(region[off+xattrEntryHeader : off+xattrEntryHeader+nameLen])
		if _, ok := xattrPrefixes[x.Index]; !ok {
			return nil, fmt.Errorf("xattr entry at %d: unknown name index %d", off, x.Index)
		}
		if x.Inum == 0 {
			if vsize > maxXattrValue || voff+vsize > len(region) {
				return nil, fmt.Errorf("xattr %q: value %d+%d outside its area", x.FullName(), voff, vsize)
			}
			x.Value = append([]byte(nil), region[voff:voff+vsize]...)
		}
		out = append(out, x)
		if len(out) > len(region)/4 {
			return nil, fmt.Errorf("too many xattr entries")
		}
		off += (xattrEntryHeader + nameLen + 3) &^ 3
	}
}

// xattrEntryHash is ext4_xattr_hash_entry (unsigned name bytes).
func xattrEntryHash(name string, value []byte) uint32 {
	var h uint32
	for i := 0; i < len(name); i++ {
		h = h<<5 ^ h>>27 ^ uint32(name[i])
	}
	padded := make([]byte, (len(value)+3)&^3)
	copy(padded, value)
	for i := 0; i < len(padded); i += 4 {
		h = h<<16 ^ h>>16 ^ binary.LittleEndian.Uint32(padded[i:])
	}
	return h
}

// sortXattrs orders entries as the kernel keeps a block sorted.
func sortXattrs(xs []Xattr) {
	sort.Slice(xs, func(i, j int) bool {
		a, b := xs[i], xs[j]
		if a.Index != b.Index {
			return a.Index < b.Index
		}
		if len(a.Name) != len(b.Name) {
			return len(a.Name) < len(b.Name)
		}
		return a.Name < b.Name
	})
}

// encodeXattrs lays out entries in region (entries from start, values from
// the end down); it reports false when they do not fit. valueBase is
// subtracted from value offsets (in-inode offsets count from the first entry).
func encodeXattrs(region []byte, start, valueBase int, xs []Xattr, withHash bool) bool {
	clear(region[start:])
	off := start
	vend := len(region)
	for _, x := range xs {
		esz := (xattrEntryHeader + len(x.Name) + 3) &^ 3
		vsz := (len(x.Value) + 3) &^ 3
		if off+esz+4 > vend-vsz {
			return false
		}
		vend -= vsz
		if len(x.Value) == 0 {
			vend += vsz
		}
		e := region[off:]
		e[0] = uint8(len(x.Name))
		e[1] = x.Index
		voff := 0
		if len(x.Value) > 0 {
			voff = vend - valueBase
			copy(region[vend:], x.Value)
		}
		binary.LittleEndian.PutUint16(e[2:], uint16(voff))
		binary.LittleEndian.PutUint32(e[4:], 0)
		binary.LittleEndian.PutUint32(e[8:], uint32(len(x.Value)))
		var h uint32
		if withHash {
			h = xattrEntryHash(x.Name, x.Value)
		}
		binary.LittleEndian.PutUint32(e[12:], h)
		copy(e[xattrEntryHeader:], x.Name)
		off += esz
	}
	return true
}

// xattrsSize is the space entries and values need (without terminator).
func xattrsSize(xs []Xattr) int {
	n := 0
	for _, x := range xs {
		n += (xattrEntryHeader+len(x.Name)+3)&^3 + (len(x.Value)+3)&^3
	}
	return n
}

// inodeXattrArea returns the in-inode xattr area (after the magic) or nil.
func inodeXattrArea(n *Inode) []byte {
	if len(n.Raw) < goodOldSize+4 {
		return nil
	}
	start := goodOldSize + n.extraIsize()
	if start+4 > len(n.Raw) {
		return nil
	}
	return n.Raw[start:]
}

// readXattrs returns an inode's attributes: in-inode first, then the block.
func (f *FS) readXattrs(n *Inode) ([]Xattr, error) {
	var out []Xattr
	if area := inodeXattrArea(n); area != nil && binary.LittleEndian.Uint32(area) == xattrMagic {
		xs, err := ParseXattrEntries(area[4:], 0)
		if err != nil {
			return nil, f.corrupt("inode %d: in-inode xattrs: %v", n.Ino, err)
		}
		out = append(out, xs...)
	}
	if b := n.FileACL(); b != 0 {
		buf, err := f.readXattrBlock(n, b)
		if err != nil {
			return nil, err
		}
		xs, err := ParseXattrEntries(buf, xattrHeaderSize)
		if err != nil {
			return nil, f.corrupt("inode %d: xattr block %d: %v", n.Ino, b, err)
		}
		out = append(out, xs...)
	}
	for _, x := range out {
		if x.Inum != 0 {
			return nil, fmt.Errorf("ext4: %s: inode %d: xattr %q stored in an EA inode: %w", f.name, n.Ino, x.FullName(), errUnsupported)
		}
	}
	return out, nil
}

// readXattrBlock reads and checks an xattr block.
func (f *FS) readXattrBlock(n *Inode, b uint64) ([]byte, error) {
	if b < f.geo.firstData || b >= f.geo.blocks {
		return nil, f.corrupt("inode %d: xattr block %d outside the filesystem", n.Ino, b)
	}
	buf := make([]byte, f.geo.bs)
	if err := f.readBlock(b, buf); err != nil {
		return nil, err
	}
	if binary.LittleEndian.Uint32(buf) != xattrMagic || binary.LittleEndian.Uint32(buf[xattrOffBlocks:]) != 1 {
		return nil, f.corrupt("inode %d: xattr block %d: bad header", n.Ino, b)
	}
	if f.geo.csum {
		if got, want := f.xattrBlockCsum(b, buf), binary.LittleEndian.Uint32(buf[xattrOffChecksum:]); got != want {
			return nil, f.corrupt("inode %d: xattr block %d checksum %#x, computed %#x", n.Ino, b, want, got)
		}
	}
	return buf, nil
}

func (f *FS) xattrBlockCsum(b uint64, buf []byte) uint32 {
	var le [8]byte
	binary.LittleEndian.PutUint64(le[:], b)
	c := crc32c(f.geo.csumSeed, le[:])
	c = crc32c(c, buf[:xattrOffChecksum])
	c = crc32c(c, []byte{0, 0, 0, 0})
	return crc32c(c, buf[xattrOffChecksum+4:])
}

// xattrBlockHash is ext4_xattr_rehash over the entries' hashes.
func xattrBlockHash(buf []byte) uint32 {
	var h uint32
	for off := xattrHeaderSize; off+xattrEntryHeader <= len(buf); {
		if binary.LittleEndian.Uint32(buf[off:]) == 0 {
			break
		}
		eh := binary.LittleEndian.Uint32(buf[off+12:])
		if eh == 0 {
			return 0
		}
		h = h<<16 ^ h>>16 ^ eh
		off += (xattrEntryHeader + int(buf[off]) + 3) &^ 3
	}
	return h
}
