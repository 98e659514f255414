package xfs

import (
	"fmt"
	"strings"
)

// Superblock offsets (struct xfs_dsb, big-endian; CRC little-endian).
const (
	sbMagic          = 0x58465342 // "XFSB"
	sbOffBlockSize   = 4
	sbOffDBlocks     = 8
	sbOffRBlocks     = 16
	sbOffUUID        = 32
	sbOffLogStart    = 48
	sbOffRootIno     = 56
	sbOffAGBlocks    = 84
	sbOffAGCount     = 88
	sbOffLogBlocks   = 96
	sbOffVersion     = 100
	sbOffSectSize    = 102
	sbOffInodeSize   = 104
	sbOffInoPBlock   = 106
	sbOffFname       = 108
	sbOffBlockLog    = 120
	sbOffSectLog     = 121
	sbOffInodeLog    = 122
	sbOffInoPBLog    = 123
	sbOffAGBlkLog    = 124
	sbOffInProgress  = 126
	sbOffDirBlkLog   = 192
	sbOffLogSectLog  = 193
	sbOffFeatures2   = 200
	sbOffCompat      = 208
	sbOffROCompat    = 212
	sbOffIncompat    = 216
	sbOffLogIncompat = 220
	sbOffCRC         = 224
	sbOffMetaUUID    = 248
	sbV5Size         = 264

	versionNumMask = 0x000f
)

// Feature bits this engine understands.
const (
	incompatFtype    = 1 << 0
	incompatSpinodes = 1 << 1
	incompatMetaUUID = 1 << 2
	incompatBigtime  = 1 << 3
	incompatNrext64  = 1 << 5

	roCompatFinobt   = 1 << 0
	roCompatRmapbt   = 1 << 1
	roCompatReflink  = 1 << 2
	roCompatInobtCnt = 1 << 3

	incompatKnown = incompatFtype | incompatSpinodes | incompatMetaUUID | incompatBigtime | incompatNrext64
	roCompatKnown = roCompatFinobt | roCompatRmapbt | roCompatReflink | roCompatInobtCnt
)

// Superblock holds the fields of the primary superblock the engine uses.
type Superblock struct {
	BlockSize   uint32
	DBlocks     uint64
	RBlocks     uint64
	UUID        [16]byte
	MetaUUID    [16]byte // equals UUID unless the meta_uuid feature is set
	LogStart    uint64
	RootIno     uint64
	AGBlocks    uint32
	AGCount     uint32
	LogBlocks   uint32
	Version     uint16
	SectSize    uint16
	InodeSize   uint16
	InoPBlock   uint16
	Fname       [12]byte
	BlockLog    uint8
	SectLog     uint8
	InodeLog    uint8
	InoPBLog    uint8
	AGBlkLog    uint8
	InProgress  uint8
	DirBlkLog   uint8
	LogSectLog  uint8
	Compat      uint32
	ROCompat    uint32
	Incompat    uint32
	LogIncompat uint32
}

// ParseSuperblock decodes and validates a superblock sector (at least 512
// bytes; the CRC covers sb_sectsize bytes, so pass that many).
func ParseSuperblock(b []byte) (*Superblock, error) {
	if len(b) < 512 {
		return nil, fmt.Errorf("superblock: %d bytes", len(b))
	}
	if be32(b, 0) != sbMagic {
		return nil, fmt.Errorf("superblock: bad magic %#x", be32(b, 0))
	}
	sb := &Superblock{
		BlockSize:   be32(b, sbOffBlockSize),
		DBlocks:     be64(b, sbOffDBlocks),
		RBlocks:     be64(b, sbOffRBlocks),
		LogStart:    be64(b, sbOffLogStart),
		RootIno:     be64(b, sbOffRootIno),
		AGBlocks:    be32(b, sbOffAGBlocks),
		AGCount:     be32(b, sbOffAGCount),
		LogBlocks:   be32(b, sbOffLogBlocks),
		Version:     be16(b, sbOffVersion),
		SectSize:    be16(b, sbOffSectSize),
		InodeSize:   be16(b, sbOffInodeSize),
		InoPBlock:   be16(b, sbOffInoPBlock),
		BlockLog:    b[sbOffBlockLog],
		SectLog:     b[sbOffSectLog],
		InodeLog:    b[sbOffInodeLog],
		InoPBLog:    b[sbOffInoPBLog],
		AGBlkLog:    b[sbOffAGBlkLog],
		InProgress:  b[sbOffInProgress],
		DirBlkLog:   b[sbOffDirBlkLog],
		LogSectLog:  b[sbOffLogSectLog],
		Compat:      be32(b, sbOffCompat),
		ROCompat:    be32(b, sbOffROCompat),
		Incompat:    be32(b, sbOffIncompat),
		LogIncompat: be32(b, sbOffLogIncompat),
	}
	copy(sb.UUID[:], b[sbOffUUID:])
	copy(sb.Fname[:], b[sbOffFname:])
	sb.MetaUUID = sb.UUID
	if sb.Version&versionNumMask != 5 {
		return sb, nil // the caller refuses it, naming the version
	}
	if sb.Incompat&incompatMetaUUID != 0 {
		copy(sb.MetaUUID[:], b[sbOffMetaUUID:])
	}
	switch {
	case sb.SectSize < 512 || sb.SectSize > 32768 || 1<<sb.SectLog != uint32(sb.SectSize):
		return nil, fmt.Errorf("superblock: sector size %d (log %d)", sb.SectSize, sb.SectLog)
	case sb.BlockSize < 512 || sb.BlockSize > 65536 || 1<<sb.BlockLog != sb.BlockSize:
		return nil, fmt.Errorf("superblock: block size %d (log %d)", sb.BlockSize, sb.BlockLog)
	case sb.InodeSize < 256 || sb.InodeSize > 2048 || 1<<sb.InodeLog != uint32(sb.InodeSize):
		return nil, fmt.Errorf("superblock: inode size %d (log %d)", sb.InodeSize, sb.InodeLog)
	case uint32(sb.InoPBlock)*uint32(sb.InodeSize) != sb.BlockSize || 1<<sb.InoPBLog != uint32(sb.InoPBlock):
		return nil, fmt.Errorf("superblock: %d inodes per block of %d bytes", sb.InoPBlock, sb.BlockSize)
	case sb.AGCount == 0 || sb.AGBlocks < 16 || sb.AGBlkLog > 31 || uint64(sb.AGBlocks) > 1<<sb.AGBlkLog:
		return nil, fmt.Errorf("superblock: %d AGs of %d blocks (log %d)", sb.AGCount, sb.AGBlocks, sb.AGBlkLog)
	case sb.DBlocks > uint64(sb.AGCount)*uint64(sb.AGBlocks) || sb.DBlocks <= uint64(sb.AGCount-1)*uint64(sb.AGBlocks):
		return nil, fmt.Errorf("superblock: %d blocks do not fit %d AGs of %d blocks", sb.DBlocks, sb.AGCount, sb.AGBlocks)
	case sb.DirBlkLog > 16-sb.BlockLog:
		return nil, fmt.Errorf("superblock: directory block log %d", sb.DirBlkLog)
	case int(sb.SectSize) > len(b):
		return nil, fmt.Errorf("superblock: sector size %d larger than the %d bytes read", sb.SectSize, len(b))
	}
	if !verifyCRC(b[:sb.SectSize], sbOffCRC) {
		return nil, fmt.Errorf("superblock: bad CRC")
	}
	return sb, nil
}

// Label returns the filesystem label (sb_fname).
func (sb *Superblock) Label() string {
	return strings.TrimRight(string(sb.Fname[:]), "\x00")
}

// UUIDString returns the filesystem UUID in the canonical form blkid prints.
func (sb *Superblock) UUIDString() string {
	u := sb.UUID
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// DirBlockSize returns the directory block size in bytes.
func (sb *Superblock) DirBlockSize() int { return int(sb.BlockSize) << sb.DirBlkLog }

// featureNames names feature bits for errors.
func featureNames(bits uint32, names map[uint32]string) string {
	var out []string
	for i := 0; i < 32; i++ {
		bit := uint32(1) << i
		if bits&bit == 0 {
			continue
		}
		if n, ok := names[bit]; ok {
			out = append(out, n)
		} else {
			out = append(out, fmt.Sprintf("bit %d", i))
		}
	}
	return strings.Join(out, ",")
}

var incompatNames = map[uint32]string{
	1 << 4: "needsrepair", 1 << 5: "nrext64", 1 << 6: "exchrange", 1 << 7: "parent",
}

var roCompatNames = map[uint32]string{}

var logIncompatNames = map[uint32]string{1 << 0: "logged xattrs"}
