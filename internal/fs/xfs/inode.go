package xfs

import (
	iofs "io/fs"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// Inode core v3 offsets (struct xfs_dinode).
const (
	inodeMagic       = 0x494e // "IN"
	diOffMode        = 2
	diOffVersion     = 4
	diOffFormat      = 5
	diOffUid         = 8
	diOffGid         = 12
	diOffNlink       = 16
	diOffAtime       = 32
	diOffMtime       = 40
	diOffCtime       = 48
	diOffSize        = 56
	diOffNblocks     = 64
	diOffNextents    = 76
	diOffAnextents   = 80
	diOffForkoff     = 82
	diOffAformat     = 83
	diOffFlags       = 90
	diOffGen         = 92
	diOffNextUnlink  = 96
	diOffCRC         = 100
	diOffChangecount = 104
	diOffLSN         = 112
	diOffFlags2      = 120
	diOffCrtime      = 144
	diOffIno         = 152
	diOffUUID        = 160
	diCoreSize       = 176

	fmtDev     = 0
	fmtLocal   = 1
	fmtExtents = 2
	fmtBtree   = 3

	diflag2Bigtime   = 1 << 3
	diflag2Nrext64   = 1 << 4
	diOffBigNextents = 24

	bigtimeEpochOffset = 1 << 31
)

// Inode is one decoded inode (the raw bytes are kept for writes).
type Inode struct {
	Ino uint64
	Raw []byte
	off int64
}

func (n *Inode) Mode() uint16   { return be16(n.Raw, diOffMode) }
func (n *Inode) Format() uint8  { return n.Raw[diOffFormat] }
func (n *Inode) AFormat() uint8 { return n.Raw[diOffAformat] }
func (n *Inode) Size() int64    { return int64(be64(n.Raw, diOffSize)) }
func (n *Inode) Nlink() uint32  { return be32(n.Raw, diOffNlink) }

// nrext64 reports whether the inode uses the large extent counters
// (di_big_nextents at 24, di_big_anextents at 76).
func (n *Inode) nrext64() bool { return be64(n.Raw, diOffFlags2)&diflag2Nrext64 != 0 }

// Nextents returns the data fork's extent count.
func (n *Inode) Nextents() uint64 {
	if n.nrext64() {
		return be64(n.Raw, diOffBigNextents)
	}
	return uint64(be32(n.Raw, diOffNextents))
}

// ANextents returns the attribute fork's extent count.
func (n *Inode) ANextents() uint32 {
	if n.nrext64() {
		return be32(n.Raw, diOffNextents)
	}
	return uint32(be16(n.Raw, diOffAnextents))
}

func (n *Inode) setNextents(v uint64) {
	if n.nrext64() {
		putBE64(n.Raw, diOffBigNextents, v)
		return
	}
	putBE32(n.Raw, diOffNextents, uint32(v))
}

func (n *Inode) setANextents(v uint32) {
	if n.nrext64() {
		putBE32(n.Raw, diOffNextents, v)
		return
	}
	putBE16(n.Raw, diOffAnextents, uint16(v))
}
func (n *Inode) IsDir() bool { return n.Mode()&0o170000 == 0o040000 }
func (n *Inode) IsReg() bool { return n.Mode()&0o170000 == 0o100000 }
func (n *Inode) IsLnk() bool { return n.Mode()&0o170000 == 0o120000 }

// dataFork returns the data fork's literal area.
func (n *Inode) dataFork() []byte {
	if fo := int(n.Raw[diOffForkoff]); fo != 0 {
		return n.Raw[diCoreSize : diCoreSize+fo*8]
	}
	return n.Raw[diCoreSize:]
}

// attrFork returns the attribute fork's literal area, or nil.
func (n *Inode) attrFork() []byte {
	fo := int(n.Raw[diOffForkoff])
	if fo == 0 {
		return nil
	}
	return n.Raw[diCoreSize+fo*8:]
}

func (n *Inode) time(off int) time.Time {
	if be64(n.Raw, diOffFlags2)&diflag2Bigtime != 0 {
		ns := be64(n.Raw, off)
		return time.Unix(int64(ns/1e9)-bigtimeEpochOffset, int64(ns%1e9))
	}
	return time.Unix(int64(int32(be32(n.Raw, off))), int64(be32(n.Raw, off+4)))
}

// inodeOff returns the byte offset of an inode, checking the number.
func (f *FS) inodeOff(ino uint64) (int64, error) {
	sb := f.sb
	offset := ino & (1<<sb.InoPBLog - 1)
	agbno := (ino >> sb.InoPBLog) & (1<<sb.AGBlkLog - 1)
	agno := ino >> (uint(sb.InoPBLog) + uint(sb.AGBlkLog))
	if agno >= uint64(sb.AGCount) || agbno >= uint64(sb.AGBlocks) || agbno == 0 {
		return 0, f.corrupt("inode number %d out of range", ino)
	}
	off, err := f.agbOff(uint32(agno), uint32(agbno))
	if err != nil {
		return 0, err
	}
	return off + int64(offset)*int64(sb.InodeSize), nil
}

// readInode reads and verifies one inode.
func (f *FS) readInode(ino uint64) (*Inode, error) {
	off, err := f.inodeOff(ino)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, f.sb.InodeSize)
	if err := f.readAt(raw, off); err != nil {
		return nil, err
	}
	n := &Inode{Ino: ino, Raw: raw, off: off}
	if err := f.checkInode(n); err != nil {
		return nil, err
	}
	return n, nil
}

// checkInode validates the inode core.
func (f *FS) checkInode(n *Inode) error {
	b := n.Raw
	switch {
	case be16(b, 0) != inodeMagic:
		return f.corrupt("inode %d: bad magic", n.Ino)
	case b[diOffVersion] != 3:
		return f.corrupt("inode %d: version %d on a v5 filesystem", n.Ino, b[diOffVersion])
	case !f.inTx(n.off) && !verifyCRC(b, diOffCRC):
		return f.corrupt("inode %d: bad CRC", n.Ino)
	case be64(b, diOffIno) != n.Ino:
		return f.corrupt("inode %d: records number %d", n.Ino, be64(b, diOffIno))
	case [16]byte(b[diOffUUID:diOffUUID+16]) != f.sb.MetaUUID:
		return f.corrupt("inode %d: filesystem UUID mismatch", n.Ino)
	case n.Mode() == 0:
		return f.corrupt("inode %d: not in use", n.Ino)
	case int(b[diOffForkoff])*8 >= len(b)-diCoreSize:
		return f.corrupt("inode %d: attribute fork offset %d", n.Ino, b[diOffForkoff])
	case n.Size() < 0:
		return f.corrupt("inode %d: size %d", n.Ino, n.Size())
	}
	return nil
}

// stat converts an inode to fs.Stat.
func (n *Inode) stat() fs.Stat {
	st := fs.Stat{
		Mode:  modeFromUnix(n.Mode()),
		Uid:   be32(n.Raw, diOffUid),
		Gid:   be32(n.Raw, diOffGid),
		Size:  n.Size(),
		Nlink: n.Nlink(),
		Ino:   n.Ino,
		Atime: n.time(diOffAtime),
		Mtime: n.time(diOffMtime),
		Ctime: n.time(diOffCtime),
	}
	if t := n.Mode() & 0o170000; (t == 0o020000 || t == 0o060000) && n.Format() == fmtDev {
		d := be32(n.dataFork(), 0) // XFS packs major<<18 | minor
		major, minor := uint64(d>>18), uint64(d&0x3ffff)
		st.Rdev = major<<8 | minor&0xff | (minor&^0xff)<<12
		st.Size = 0
	}
	return st
}

// modeFromUnix converts st_mode bits to an io/fs FileMode.
func modeFromUnix(m uint16) iofs.FileMode { return fs.FileModeFromUnix(uint32(m)) }

// typeFromFtype converts a directory entry's file type byte.
func typeFromFtype(t uint8) iofs.FileMode {
	switch t {
	case 2:
		return iofs.ModeDir
	case 3:
		return iofs.ModeDevice | iofs.ModeCharDevice
	case 4:
		return iofs.ModeDevice
	case 5:
		return iofs.ModeNamedPipe
	case 6:
		return iofs.ModeSocket
	case 7:
		return iofs.ModeSymlink
	}
	return 0
}
