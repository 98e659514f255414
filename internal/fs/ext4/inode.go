package ext4

import (
	"encoding/binary"
	iofs "io/fs"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// Inode is one on-disk inode record (ext4 docs, "Index Nodes"), kept as raw
// bytes so that a write-back preserves every field the engine does not use.
type Inode struct {
	Ino uint32
	Raw []byte // s_inode_size bytes
}

// Inode field offsets.
const (
	iMode        = 0x00
	iUID         = 0x02
	iSizeLo      = 0x04
	iAtime       = 0x08
	iCtime       = 0x0C
	iMtime       = 0x10
	iDtime       = 0x14
	iGID         = 0x18
	iLinks       = 0x1A
	iBlocksLo    = 0x1C
	iFlags       = 0x20
	iBlock       = 0x28 // 60 bytes: extent root, block map or fast symlink
	iGeneration  = 0x64
	iFileACLLo   = 0x68
	iSizeHi      = 0x6C
	iBlocksHi    = 0x74
	iFileACLHi   = 0x76
	iUIDHi       = 0x78
	iGIDHi       = 0x7A
	iCsumLo      = 0x7C
	iExtraIsize  = 0x80
	iCsumHi      = 0x82
	iCtimeExtra  = 0x84
	iMtimeExtra  = 0x88
	iAtimeExtra  = 0x8C
	iCrtime      = 0x90
	iCrtimeExtra = 0x94
	iBlockLen    = 60
	goodOldSize  = 128
)

// Inode flags (i_flags).
const (
	flagIndex      = 0x1000
	flagEncrypt    = 0x800
	flagHugeFile   = 0x40000
	flagExtents    = 0x80000
	flagVerity     = 0x100000
	flagEAInode    = 0x200000
	flagInlineData = 0x10000000
	flagCasefold   = 0x40000000
)

// File type bits of i_mode.
const (
	sIFMT   = 0xF000
	sIFSOCK = 0xC000
	sIFLNK  = 0xA000
	sIFREG  = 0x8000
	sIFBLK  = 0x6000
	sIFDIR  = 0x4000
	sIFCHR  = 0x2000
	sIFIFO  = 0x1000
)

func (n *Inode) u16(off int) uint16      { return binary.LittleEndian.Uint16(n.Raw[off:]) }
func (n *Inode) u32(off int) uint32      { return binary.LittleEndian.Uint32(n.Raw[off:]) }
func (n *Inode) put16(off int, v uint16) { binary.LittleEndian.PutUint16(n.Raw[off:], v) }
func (n *Inode) put32(off int, v uint32) { binary.LittleEndian.PutUint32(n.Raw[off:], v) }

// Mode returns i_mode.
func (n *Inode) Mode() uint16 { return n.u16(iMode) }

// Type returns the file type bits of i_mode.
func (n *Inode) Type() uint16 { return n.Mode() & sIFMT }

// IsDir reports whether the inode is a directory.
func (n *Inode) IsDir() bool { return n.Type() == sIFDIR }

// Flags returns i_flags.
func (n *Inode) Flags() uint32 { return n.u32(iFlags) }

// Links returns i_links_count.
func (n *Inode) Links() uint16 { return n.u16(iLinks) }

// Size returns the file size.
func (n *Inode) Size() int64 {
	return int64(uint64(n.u32(iSizeLo)) | uint64(n.u32(iSizeHi))<<32)
}

func (n *Inode) setSize(s int64) {
	n.put32(iSizeLo, uint32(s))
	n.put32(iSizeHi, uint32(uint64(s)>>32))
}

// UID returns the owner.
func (n *Inode) UID() uint32 { return uint32(n.u16(iUID)) | uint32(n.u16(iUIDHi))<<16 }

// GID returns the group.
func (n *Inode) GID() uint32 { return uint32(n.u16(iGID)) | uint32(n.u16(iGIDHi))<<16 }

func (n *Inode) setOwner(uid, gid uint32) {
	n.put16(iUID, uint16(uid))
	n.put16(iUIDHi, uint16(uid>>16))
	n.put16(iGID, uint16(gid))
	n.put16(iGIDHi, uint16(gid>>16))
}

// FileACL returns the extended attribute block, or 0.
func (n *Inode) FileACL() uint64 { return uint64(n.u32(iFileACLLo)) | uint64(n.u16(iFileACLHi))<<32 }

func (n *Inode) setFileACL(b uint64) {
	n.put32(iFileACLLo, uint32(b))
	n.put16(iFileACLHi, uint16(b>>32))
}

// extraIsize returns i_extra_isize, or 0 for 128-byte inodes.
func (n *Inode) extraIsize() int {
	if len(n.Raw) < goodOldSize+4 {
		return 0
	}
	return int(n.u16(iExtraIsize))
}

// hasExtra reports whether the field at off (4 bytes) lies within the extra area.
func (n *Inode) hasExtra(off int) bool { return goodOldSize+n.extraIsize() >= off+4 }

// blocks512 returns i_blocks in 512-byte units, as the kernel reports them.
func (n *Inode) blocks512(fsBlock int64, hugeFS bool) uint64 {
	v := uint64(n.u32(iBlocksLo))
	if hugeFS {
		v |= uint64(n.u16(iBlocksHi)) << 32
		if n.Flags()&flagHugeFile != 0 {
			v *= uint64(fsBlock / 512)
		}
	}
	return v
}

func (n *Inode) setBlocks512(v uint64) {
	n.put32(iBlocksLo, uint32(v))
	n.put16(iBlocksHi, uint16(v>>32))
	n.put32(iFlags, n.Flags()&^flagHugeFile)
}

func (n *Inode) timeAt(off, extraOff int) time.Time {
	sec := int64(int32(n.u32(off)))
	var nsec int64
	if extraOff != 0 && n.hasExtra(extraOff) {
		extra := n.u32(extraOff)
		sec += int64(extra&3) << 32
		nsec = int64(extra >> 2)
		if nsec >= 1e9 {
			nsec = 0
		}
	}
	return time.Unix(sec, nsec)
}

func (n *Inode) setTimeAt(off, extraOff int, t time.Time) {
	if off >= goodOldSize && !n.hasExtra(off) {
		return
	}
	sec := t.Unix()
	n.put32(off, uint32(sec))
	if extraOff != 0 && n.hasExtra(extraOff) {
		epoch := uint32((sec-int64(int32(uint32(sec))))>>32) & 3
		n.put32(extraOff, uint32(t.Nanosecond())<<2|epoch)
	}
}

// Atime returns the access time.
func (n *Inode) Atime() time.Time { return n.timeAt(iAtime, iAtimeExtra) }

// Mtime returns the modification time.
func (n *Inode) Mtime() time.Time { return n.timeAt(iMtime, iMtimeExtra) }

// Ctime returns the change time.
func (n *Inode) Ctime() time.Time { return n.timeAt(iCtime, iCtimeExtra) }

func (n *Inode) setCtime(t time.Time) { n.setTimeAt(iCtime, iCtimeExtra, t) }
func (n *Inode) setMtime(t time.Time) { n.setTimeAt(iMtime, iMtimeExtra, t) }
func (n *Inode) setAtime(t time.Time) { n.setTimeAt(iAtime, iAtimeExtra, t) }

// FileMode converts i_mode to an io/fs mode.
func (n *Inode) FileMode() iofs.FileMode { return fs.FileModeFromUnix(uint32(n.Mode())) }

// permBits converts io/fs permission bits to the low 12 bits of i_mode.
func permBits(p iofs.FileMode) uint16 { return uint16(fs.UnixPerm(p)) }

// Rdev decodes the device number of a character or block device.
func (n *Inode) Rdev() uint64 {
	var major, minor uint64
	if old := n.u32(iBlock); old != 0 {
		major, minor = uint64(old>>8&0xFF), uint64(old&0xFF)
	} else {
		v := uint64(n.u32(iBlock + 4))
		major, minor = (v&0xFFF00)>>8, (v&0xFF)|(v>>12)&0xFFF00
	}
	// Linux dev_t encoding (as unix.Mkdev makes it).
	return (major&0xFFFFF000)<<32 | (major&0xFFF)<<8 | (minor&0xFFFFFF00)<<12 | minor&0xFF
}

// inodeLoc returns the byte offset of inode ino.
func (f *FS) inodeLoc(ino uint32) (int64, error) {
	if ino == 0 || ino > f.sb.InodesCount {
		return 0, f.corrupt("inode number %d out of range", ino)
	}
	g := (ino - 1) / f.geo.ipg
	idx := int64((ino - 1) % f.geo.ipg)
	return int64(f.gd(g).InodeTable())*f.geo.bs + idx*f.geo.inodeSize, nil
}

// inodeSeed is the per-inode checksum seed.
func (f *FS) inodeSeed(ino, gen uint32) uint32 {
	return crc32cU32(crc32cU32(f.geo.csumSeed, ino), gen)
}

func (f *FS) inodeCsum(n *Inode) uint32 {
	seed := f.inodeSeed(n.Ino, n.u32(iGeneration))
	c := crc32c(seed, n.Raw[:iCsumLo])
	c = crc32c(c, []byte{0, 0})
	if len(n.Raw) > goodOldSize {
		c = crc32c(c, n.Raw[iCsumLo+2:iCsumHi])
		if n.hasExtra(iCsumHi - 2) {
			c = crc32c(c, []byte{0, 0})
			c = crc32c(c, n.Raw[iCsumHi+2:])
		} else {
			c = crc32c(c, n.Raw[iCsumHi:])
		}
	} else {
		c = crc32c(c, n.Raw[iCsumLo+2:])
	}
	return c
}

// readInode reads and verifies inode ino.
func (f *FS) readInode(ino uint32) (*Inode, error) {
	off, err := f.inodeLoc(ino)
	if err != nil {
		return nil, err
	}
	n := &Inode{Ino: ino, Raw: make([]byte, f.geo.inodeSize)}
	if _, err := f.vol.ReadAt(n.Raw, off); err != nil {
		return nil, f.corrupt("reading inode %d: %v", ino, err)
	}
	if len(n.Raw) > goodOldSize && goodOldSize+n.extraIsize() > len(n.Raw) {
		return nil, f.corrupt("inode %d: extra isize %d too large", ino, n.extraIsize())
	}
	if f.geo.csum {
		want := uint32(n.u16(iCsumLo))
		got := f.inodeCsum(n)
		if n.hasExtra(iCsumHi - 2) {
			want |= uint32(n.u16(iCsumHi)) << 16
		} else {
			got &= 0xFFFF
		}
		if got != want && !allZero(n.Raw) {
			return nil, f.corrupt("inode %d checksum %#x, computed %#x", ino, want, got)
		}
	}
	return n, nil
}

// writeInode sets the checksum and writes the inode back.
func (f *FS) writeInode(n *Inode) error {
	off, err := f.inodeLoc(n.Ino)
	if err != nil {
		return err
	}
	if f.geo.csum {
		c := f.inodeCsum(n)
		n.put16(iCsumLo, uint16(c))
		if n.hasExtra(iCsumHi - 2) {
			n.put16(iCsumHi, uint16(c>>16))
		}
	}
	if _, err := f.vol.WriteAt(n.Raw, off); err != nil {
		f.broken = err
		return err
	}
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
