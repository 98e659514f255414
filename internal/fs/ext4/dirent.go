package ext4

import (
	"encoding/binary"
	"fmt"
	iofs "io/fs"
)

// Directory entry (ext4 docs, "Linear (Classic) Directories"): inode,
// rec_len, name_len, file_type, name, padded to 4 bytes.
const (
	direntHeader   = 8
	dirTailSize    = 12
	dirTailType    = 0xDE
	maxNameLen     = 255
	ftUnknown      = 0
	ftReg          = 1
	ftDir          = 2
	ftChr          = 3
	ftBlk          = 4
	ftFifo         = 5
	ftSock         = 6
	ftSymlink      = 7
	maxDirBlocks   = 1 << 20 // 4 GiB of 4 KiB directory blocks
	maxDirEntriesM = 1 << 24
)

// Dirent is one decoded directory entry.
type Dirent struct {
	Ino    uint32
	Name   string
	Type   uint8
	Off    int // offset in its block
	RecLen int
}

// direntSize is the space a name needs.
func direntSize(nameLen int) int { return (direntHeader + nameLen + 3) &^ 3 }

// recLenFromDisk decodes rec_len (64 KiB blocks encode 65536 specially).
func recLenFromDisk(v uint16, bs int) int {
	if bs < 65536 {
		return int(v)
	}
	if v == 65535 || v == 0 {
		return 65536
	}
	return int(v&65532) | int(v&3)<<16
}

func recLenToDisk(l, bs int) uint16 {
	if bs < 65536 {
		return uint16(l)
	}
	if l == 65536 {
		return 65535
	}
	return uint16(l&65532) | uint16(l>>16&3)
}

// ParseDirBlock decodes the entries of one linear directory block (or the
// fake entries of an htree node), including unused ones (Ino 0).
func ParseDirBlock(b []byte, filetype bool) ([]Dirent, error) {
	var out []Dirent
	bs := len(b)
	for off := 0; off < bs; {
		if bs-off < direntHeader {
			return nil, fmt.Errorf("directory entry at %d truncated", off)
		}
		d := Dirent{Off: off}
		d.Ino = binary.LittleEndian.Uint32(b[off:])
		d.RecLen = recLenFromDisk(binary.LittleEndian.Uint16(b[off+4:]), bs)
		nameLen := int(b[off+6])
		if filetype {
			d.Type = b[off+7]
		} else {
			nameLen = int(binary.LittleEndian.Uint16(b[off+6:]))
		}
		if d.RecLen < direntHeader || d.RecLen%4 != 0 || off+d.RecLen > bs || direntHeader+nameLen > d.RecLen {
			return nil, fmt.Errorf("directory entry at %d: rec_len %d, name_len %d", off, d.RecLen, nameLen)
		}
		d.Name = string(b[off+direntHeader : off+direntHeader+nameLen])
		out = append(out, d)
		off += d.RecLen
	}
	return out, nil
}

// putDirent encodes one entry at off.
func putDirent(b []byte, off int, ino uint32, name string, ft uint8, recLen int, filetype bool) {
	binary.LittleEndian.PutUint32(b[off:], ino)
	binary.LittleEndian.PutUint16(b[off+4:], recLenToDisk(recLen, len(b)))
	if filetype {
		b[off+6] = uint8(len(name))
		b[off+7] = ft
	} else {
		binary.LittleEndian.PutUint16(b[off+6:], uint16(len(name)))
	}
	copy(b[off+direntHeader:], name)
	// Zero the padding so checksummed blocks are reproducible.
	for i := off + direntHeader + len(name); i < off+direntSize(len(name)) && i < len(b); i++ {
		b[i] = 0
	}
}

// hasDirTail reports whether a leaf block ends with the checksum tail.
func hasDirTail(b []byte) bool {
	t := b[len(b)-dirTailSize:]
	return binary.LittleEndian.Uint32(t) == 0 && binary.LittleEndian.Uint16(t[4:]) == dirTailSize &&
		t[6] == 0 && t[7] == dirTailType
}

func putDirTail(b []byte) {
	t := b[len(b)-dirTailSize:]
	clear(t)
	binary.LittleEndian.PutUint16(t[4:], dirTailSize)
	t[7] = dirTailType
}

// dirLeafCsum computes a leaf block's checksum.
func (f *FS) dirLeafCsum(dir *Inode, b []byte) uint32 {
	return crc32c(f.inodeSeed(dir.Ino, dir.u32(iGeneration)), b[:len(b)-dirTailSize])
}

// ftFromMode converts i_mode's type to a directory file type.
func ftFromMode(m uint16) uint8 {
	switch m & sIFMT {
	case sIFREG:
		return ftReg
	case sIFDIR:
		return ftDir
	case sIFCHR:
		return ftChr
	case sIFBLK:
		return ftBlk
	case sIFIFO:
		return ftFifo
	case sIFSOCK:
		return ftSock
	case sIFLNK:
		return ftSymlink
	}
	return ftUnknown
}

// ftToMode converts a directory file type to io/fs type bits.
func ftToMode(t uint8) (iofs.FileMode, bool) {
	switch t {
	case ftReg:
		return 0, true
	case ftDir:
		return iofs.ModeDir, true
	case ftChr:
		return iofs.ModeDevice | iofs.ModeCharDevice, true
	case ftBlk:
		return iofs.ModeDevice, true
	case ftFifo:
		return iofs.ModeNamedPipe, true
	case ftSock:
		return iofs.ModeSocket, true
	case ftSymlink:
		return iofs.ModeSymlink, true
	}
	return 0, false
}
