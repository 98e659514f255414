package ext4

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Superblock is the ext4 superblock (ext4 docs, "Super Block"): 1024 bytes,
// little-endian, at byte 1024 of the volume.
type Superblock struct {
	InodesCount       uint32    // 0x00
	BlocksCountLo     uint32    // 0x04
	RBlocksCountLo    uint32    // 0x08
	FreeBlocksCountLo uint32    // 0x0C
	FreeInodesCount   uint32    // 0x10
	FirstDataBlock    uint32    // 0x14
	LogBlockSize      uint32    // 0x18
	LogClusterSize    uint32    // 0x1C
	BlocksPerGroup    uint32    // 0x20
	ClustersPerGroup  uint32    // 0x24
	InodesPerGroup    uint32    // 0x28
	Mtime             uint32    // 0x2C
	Wtime             uint32    // 0x30
	MntCount          uint16    // 0x34
	MaxMntCount       uint16    // 0x36
	Magic             uint16    // 0x38 0xEF53
	State             uint16    // 0x3A
	Errors            uint16    // 0x3C
	MinorRevLevel     uint16    // 0x3E
	Lastcheck         uint32    // 0x40
	Checkinterval     uint32    // 0x44
	CreatorOS         uint32    // 0x48
	RevLevel          uint32    // 0x4C
	DefResuid         uint16    // 0x50
	DefResgid         uint16    // 0x52
	FirstIno          uint32    // 0x54
	InodeSize         uint16    // 0x58
	BlockGroupNr      uint16    // 0x5A
	FeatureCompat     Compat    // 0x5C
	FeatureIncompat   Incompat  // 0x60
	FeatureROCompat   ROCompat  // 0x64
	UUID              [16]byte  // 0x68
	VolumeName        [16]byte  // 0x78
	LastMounted       [64]byte  // 0x88
	AlgorithmUsage    uint32    // 0xC8
	PreallocBlocks    uint8     // 0xCC
	PreallocDirBlocks uint8     // 0xCD
	ReservedGDTBlocks uint16    // 0xCE
	JournalUUID       [16]byte  // 0xD0
	JournalInum       uint32    // 0xE0
	JournalDev        uint32    // 0xE4
	LastOrphan        uint32    // 0xE8
	HashSeed          [4]uint32 // 0xEC
	DefHashVersion    uint8     // 0xFC
	JnlBackupType     uint8     // 0xFD
	DescSize          uint16    // 0xFE
	DefaultMountOpts  uint32    // 0x100
	FirstMetaBg       uint32    // 0x104
	MkfsTime          uint32    // 0x108
	JnlBlocks         [17]uint32
	BlocksCountHi     uint32 // 0x150
	RBlocksCountHi    uint32 // 0x154
	FreeBlocksCountHi uint32 // 0x158
	MinExtraIsize     uint16 // 0x15C
	WantExtraIsize    uint16 // 0x15E
	Flags             uint32 // 0x160
	RaidStride        uint16 // 0x164
	MmpInterval       uint16 // 0x166
	MmpBlock          uint64 // 0x168
	RaidStripeWidth   uint32 // 0x170
	LogGroupsPerFlex  uint8  // 0x174
	ChecksumType      uint8  // 0x175
	EncryptionLevel   uint8  // 0x176
	ReservedPad       uint8  // 0x177
	KbytesWritten     uint64 // 0x178
	SnapshotInum      uint32 // 0x180
	SnapshotID        uint32 // 0x184
	SnapshotRBlocks   uint64 // 0x188
	SnapshotList      uint32 // 0x190
	ErrorCount        uint32 // 0x194
	FirstErrorTime    uint32 // 0x198
	FirstErrorIno     uint32 // 0x19C
	FirstErrorBlock   uint64 // 0x1A0
	FirstErrorFunc    [32]byte
	FirstErrorLine    uint32 // 0x1C8
	LastErrorTime     uint32 // 0x1CC
	LastErrorIno      uint32 // 0x1D0
	LastErrorLine     uint32 // 0x1D4
	LastErrorBlock    uint64 // 0x1D8
	LastErrorFunc     [32]byte
	MountOpts         [64]byte  // 0x200
	UsrQuotaInum      uint32    // 0x240
	GrpQuotaInum      uint32    // 0x244
	OverheadBlocks    uint32    // 0x248
	BackupBgs         [2]uint32 // 0x24C
	EncryptAlgos      [4]uint8  // 0x254
	EncryptPwSalt     [16]byte  // 0x258
	LpfIno            uint32    // 0x268
	PrjQuotaInum      uint32    // 0x26C
	ChecksumSeed      uint32    // 0x270
	TimeHi            [6]uint8  // 0x274 wtime, mtime, mkfs, lastcheck, first/last error
	ErrorCodes        [2]uint8  // 0x27A
	Encoding          uint16    // 0x27C
	EncodingFlags     uint16    // 0x27E
	OrphanFileInum    uint32    // 0x280
	Reserved          [94]uint32
	Checksum          uint32 // 0x3FC crc32c of the bytes before it
}

// Superblock field offsets the engine patches in the raw block.
const (
	sbOffFreeBlocksLo   = 0x0C
	sbOffFreeInodes     = 0x10
	sbOffMagic          = 0x38
	sbOffFreeBlocksHi   = 0x158
	sbOffChecksum       = 0x3FC
	superblockOff       = 1024
	superblockSize      = 1024
	superblockMagic     = 0xEF53
	sbFlagSignedHash    = 0x1
	sbFlagUnsignedHash  = 0x2
	sbStateClean        = 0x1
	sbStateErrors       = 0x2
	checksumTypeCRC32C  = 1
	maxLogBlockSize     = 6 // 64 KiB
	maxGroupsSupported  = 1 << 24
	maxInodeSizeAllowed = 4096
)

// Compat is s_feature_compat.
type Compat uint32

// Incompat is s_feature_incompat.
type Incompat uint32

// ROCompat is s_feature_ro_compat.
type ROCompat uint32

// Feature bits (ext4 docs, "Super Block", s_feature_*).
const (
	CompatDirPrealloc   Compat = 0x1
	CompatImagicInodes  Compat = 0x2
	CompatHasJournal    Compat = 0x4
	CompatExtAttr       Compat = 0x8
	CompatResizeInode   Compat = 0x10
	CompatDirIndex      Compat = 0x20
	CompatLazyBG        Compat = 0x40
	CompatExcludeInode  Compat = 0x80
	CompatExcludeBitmap Compat = 0x100
	CompatSparseSuper2  Compat = 0x200
	CompatFastCommit    Compat = 0x400
	CompatStableInodes  Compat = 0x800
	CompatOrphanFile    Compat = 0x1000

	IncompatCompression Incompat = 0x1
	IncompatFiletype    Incompat = 0x2
	IncompatRecover     Incompat = 0x4
	IncompatJournalDev  Incompat = 0x8
	IncompatMetaBG      Incompat = 0x10
	IncompatExtents     Incompat = 0x40
	Incompat64bit       Incompat = 0x80
	IncompatMMP         Incompat = 0x100
	IncompatFlexBG      Incompat = 0x200
	IncompatEAInode     Incompat = 0x400
	IncompatDirdata     Incompat = 0x1000
	IncompatCsumSeed    Incompat = 0x2000
	IncompatLargedir    Incompat = 0x4000
	IncompatInlineData  Incompat = 0x8000
	IncompatEncrypt     Incompat = 0x10000
	IncompatCasefold    Incompat = 0x20000

	ROCompatSparseSuper   ROCompat = 0x1
	ROCompatLargeFile     ROCompat = 0x2
	ROCompatBtreeDir      ROCompat = 0x4
	ROCompatHugeFile      ROCompat = 0x8
	ROCompatGDTCsum       ROCompat = 0x10
	ROCompatDirNlink      ROCompat = 0x20
	ROCompatExtraIsize    ROCompat = 0x40
	ROCompatHasSnapshot   ROCompat = 0x80
	ROCompatQuota         ROCompat = 0x100
	ROCompatBigalloc      ROCompat = 0x200
	ROCompatMetadataCsum  ROCompat = 0x400
	ROCompatReplica       ROCompat = 0x800
	ROCompatReadonly      ROCompat = 0x1000
	ROCompatProject       ROCompat = 0x2000
	ROCompatSharedBlocks  ROCompat = 0x4000
	ROCompatVerity        ROCompat = 0x8000
	ROCompatOrphanPresent ROCompat = 0x10000
)

// Has reports whether every bit of f is set.
func (c Compat) Has(f Compat) bool { return c&f == f }

// Has reports whether every bit of f is set.
func (c Incompat) Has(f Incompat) bool { return c&f == f }

// Has reports whether every bit of f is set.
func (c ROCompat) Has(f ROCompat) bool { return c&f == f }

var compatNames = map[Compat]string{
	CompatDirPrealloc: "dir_prealloc", CompatImagicInodes: "imagic_inodes", CompatHasJournal: "has_journal",
	CompatExtAttr: "ext_attr", CompatResizeInode: "resize_inode", CompatDirIndex: "dir_index",
	CompatLazyBG: "lazy_bg", CompatExcludeInode: "exclude_inode", CompatExcludeBitmap: "exclude_bitmap",
	CompatSparseSuper2: "sparse_super2", CompatFastCommit: "fast_commit", CompatStableInodes: "stable_inodes",
	CompatOrphanFile: "orphan_file",
}

var incompatNames = map[Incompat]string{
	IncompatCompression: "compression", IncompatFiletype: "filetype", IncompatRecover: "needs_recovery",
	IncompatJournalDev: "journal_dev", IncompatMetaBG: "meta_bg", IncompatExtents: "extent",
	Incompat64bit: "64bit", IncompatMMP: "mmp", IncompatFlexBG: "flex_bg", IncompatEAInode: "ea_inode",
	IncompatDirdata: "dirdata", IncompatCsumSeed: "metadata_csum_seed", IncompatLargedir: "large_dir",
	IncompatInlineData: "inline_data", IncompatEncrypt: "encrypt", IncompatCasefold: "casefold",
}

var roCompatNames = map[ROCompat]string{
	ROCompatSparseSuper: "sparse_super", ROCompatLargeFile: "large_file", ROCompatBtreeDir: "btree_dir",
	ROCompatHugeFile: "huge_file", ROCompatGDTCsum: "uninit_bg", ROCompatDirNlink: "dir_nlink",
	ROCompatExtraIsize: "extra_isize", ROCompatHasSnapshot: "snapshot", ROCompatQuota: "quota",
	ROCompatBigalloc: "bigalloc", ROCompatMetadataCsum: "metadata_csum", ROCompatReplica: "replica",
	ROCompatReadonly: "read-only", ROCompatProject: "project", ROCompatSharedBlocks: "shared_blocks",
	ROCompatVerity: "verity", ROCompatOrphanPresent: "orphan_present",
}

// String names the set bits as e2fsprogs does.
func (c Compat) String() string {
	var names []string
	for bit := Compat(1); bit != 0; bit <<= 1 {
		if c&bit != 0 {
			if n, ok := compatNames[bit]; ok {
				names = append(names, n)
			} else {
				names = append(names, fmt.Sprintf("compat_%#x", uint32(bit)))
			}
		}
	}
	return strings.Join(names, ",")
}

// String names the set bits as e2fsprogs does.
func (c Incompat) String() string {
	var names []string
	for bit := Incompat(1); bit != 0; bit <<= 1 {
		if c&bit != 0 {
			if n, ok := incompatNames[bit]; ok {
				names = append(names, n)
			} else {
				names = append(names, fmt.Sprintf("incompat_%#x", uint32(bit)))
			}
		}
	}
	return strings.Join(names, ",")
}

// String names the set bits as e2fsprogs does.
func (c ROCompat) String() string {
	var names []string
	for bit := ROCompat(1); bit != 0; bit <<= 1 {
		if c&bit != 0 {
			if n, ok := roCompatNames[bit]; ok {
				names = append(names, n)
			} else {
				names = append(names, fmt.Sprintf("ro_compat_%#x", uint32(bit)))
			}
		}
	}
	return strings.Join(names, ",")
}

// Features the engine reads correctly, and those it can also write with.
const (
	incompatRead = IncompatFiletype | IncompatRecover | IncompatMetaBG | IncompatExtents | Incompat64bit |
		IncompatMMP | IncompatFlexBG | IncompatEAInode | IncompatCsumSeed | IncompatLargedir |
		IncompatInlineData | IncompatEncrypt | IncompatCasefold
	incompatWrite = IncompatFiletype | IncompatMetaBG | IncompatExtents | Incompat64bit | IncompatFlexBG |
		IncompatEAInode | IncompatCsumSeed | IncompatLargedir | IncompatInlineData | IncompatEncrypt |
		IncompatCasefold
	roCompatRead = ROCompatSparseSuper | ROCompatLargeFile | ROCompatBtreeDir | ROCompatHugeFile |
		ROCompatGDTCsum | ROCompatDirNlink | ROCompatExtraIsize | ROCompatQuota | ROCompatBigalloc |
		ROCompatMetadataCsum | ROCompatReadonly | ROCompatProject | ROCompatVerity | ROCompatOrphanPresent |
		ROCompatSharedBlocks
	roCompatWrite = ROCompatSparseSuper | ROCompatLargeFile | ROCompatBtreeDir | ROCompatHugeFile |
		ROCompatGDTCsum | ROCompatDirNlink | ROCompatExtraIsize | ROCompatMetadataCsum | ROCompatVerity
)

// ParseSuperblock decodes and validates a 1024-byte superblock.
func ParseSuperblock(b []byte) (*Superblock, error) {
	if len(b) < superblockSize {
		return nil, fmt.Errorf("superblock: %d bytes, want %d", len(b), superblockSize)
	}
	var sb Superblock
	if _, err := binary.Decode(b[:superblockSize], binary.LittleEndian, &sb); err != nil {
		return nil, err
	}
	if err := sb.validate(); err != nil {
		return nil, err
	}
	if sb.FeatureROCompat.Has(ROCompatMetadataCsum) {
		if sb.ChecksumType != checksumTypeCRC32C {
			return nil, fmt.Errorf("superblock: unknown checksum type %d", sb.ChecksumType)
		}
		if got := crc32c(^uint32(0), b[:sbOffChecksum]); got != sb.Checksum {
			return nil, fmt.Errorf("superblock checksum %#08x, computed %#08x", sb.Checksum, got)
		}
	}
	return &sb, nil
}

func (sb *Superblock) validate() error {
	switch {
	case sb.Magic != superblockMagic:
		return fmt.Errorf("bad superblock magic %#04x", sb.Magic)
	case sb.LogBlockSize > maxLogBlockSize:
		return fmt.Errorf("superblock: block size 2^%d KiB unsupported", sb.LogBlockSize)
	case sb.BlocksPerGroup == 0 || sb.ClustersPerGroup == 0 || sb.ClustersPerGroup > 8*uint32(sb.BlockSize()) ||
		uint64(sb.BlocksPerGroup) != uint64(sb.ClustersPerGroup)<<sb.clusterBits():
		return fmt.Errorf("superblock: %d blocks, %d clusters per group", sb.BlocksPerGroup, sb.ClustersPerGroup)
	case sb.InodesPerGroup == 0 || sb.InodesPerGroup > 8*uint32(sb.BlockSize()):
		return fmt.Errorf("superblock: %d inodes per group", sb.InodesPerGroup)
	case sb.BlocksCount() <= uint64(sb.FirstDataBlock):
		return fmt.Errorf("superblock: %d blocks", sb.BlocksCount())
	case sb.FirstDataBlock > 1:
		return fmt.Errorf("superblock: first data block %d", sb.FirstDataBlock)
	case sb.RevLevel > 1:
		return fmt.Errorf("superblock: revision %d unsupported", sb.RevLevel)
	}
	is := sb.InodeSz()
	if is < 128 || is > maxInodeSizeAllowed || is&(is-1) != 0 || is > sb.BlockSize() {
		return fmt.Errorf("superblock: inode size %d", is)
	}
	if sb.FeatureIncompat.Has(Incompat64bit) {
		if sb.DescSize < 32 || sb.DescSize > 1024 || sb.DescSize&(sb.DescSize-1) != 0 {
			return fmt.Errorf("superblock: group descriptor size %d", sb.DescSize)
		}
	}
	if g := sb.GroupCount(); g == 0 || g > maxGroupsSupported ||
		uint64(sb.InodesPerGroup)*g != uint64(sb.InodesCount) {
		return fmt.Errorf("superblock: %d groups of %d inodes for %d inodes", g, sb.InodesPerGroup, sb.InodesCount)
	}
	return nil
}

// clusterBits is log2(blocks per cluster): 0 without bigalloc.
func (sb *Superblock) clusterBits() uint32 {
	if !sb.FeatureROCompat.Has(ROCompatBigalloc) || sb.LogClusterSize <= sb.LogBlockSize {
		return 0
	}
	return min(sb.LogClusterSize-sb.LogBlockSize, 16)
}

// BlockSize returns the block size in bytes.
func (sb *Superblock) BlockSize() int64 { return 1024 << sb.LogBlockSize }

// BlocksCount returns the total number of blocks.
func (sb *Superblock) BlocksCount() uint64 {
	n := uint64(sb.BlocksCountLo)
	if sb.FeatureIncompat.Has(Incompat64bit) {
		n |= uint64(sb.BlocksCountHi) << 32
	}
	return n
}

// FreeBlocksCount returns the free block count.
func (sb *Superblock) FreeBlocksCount() uint64 {
	n := uint64(sb.FreeBlocksCountLo)
	if sb.FeatureIncompat.Has(Incompat64bit) {
		n |= uint64(sb.FreeBlocksCountHi) << 32
	}
	return n
}

// InodeSz returns the on-disk inode record size.
func (sb *Superblock) InodeSz() int64 {
	if sb.RevLevel == 0 {
		return 128
	}
	return int64(sb.InodeSize)
}

// GroupCount returns the number of block groups.
func (sb *Superblock) GroupCount() uint64 {
	return (sb.BlocksCount() - uint64(sb.FirstDataBlock) + uint64(sb.BlocksPerGroup) - 1) / uint64(sb.BlocksPerGroup)
}

// GroupDescSize returns the size of one group descriptor.
func (sb *Superblock) GroupDescSize() int {
	if sb.FeatureIncompat.Has(Incompat64bit) {
		return int(sb.DescSize)
	}
	return 32
}

// FirstInode returns the first non-reserved inode number.
func (sb *Superblock) FirstInode() uint32 {
	if sb.RevLevel == 0 {
		return 11
	}
	return sb.FirstIno
}
