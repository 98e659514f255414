package ext4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

func init() { fs.Register(Engine{}) }

// Engine opens ext2, ext3 and ext4 volumes.
type Engine struct{}

var _ fs.Engine = Engine{}

// Name implements fs.Engine.
func (Engine) Name() string { return "ext4" }

// Probe implements fs.Engine: the superblock magic at 1024+0x38.
func (Engine) Probe(r io.ReaderAt, size int64) bool {
	if size < superblockOff+superblockSize {
		return false
	}
	var b [2]byte
	if _, err := r.ReadAt(b[:], superblockOff+sbOffMagic); err != nil {
		return false
	}
	return binary.LittleEndian.Uint16(b[:]) == superblockMagic
}

var errCorrupt = fs.ErrCorrupt

// FS is an open ext2/3/4 filesystem. Its methods are safe for concurrent use
// (one lock: the engine edits metadata in place).
type FS struct {
	mu     sync.Mutex
	vol    image.Image
	name   string
	ro     bool // opened read-only, or features that forbid writing
	roWhy  error
	sb     *Superblock
	sbRaw  []byte
	sbDirt bool
	geo    geometry

	gdt      []byte
	gdtDirty map[uint64]bool
	bitmaps  bitmapCache
	hashSeed [4]uint32
	scratch  []byte // one reusable directory block buffer (under mu)
	gen      uint32 // last inode generation handed out
	closed   bool
	broken   error // a write failed half-way: refuse further writes
}

var _ fs.FS = (*FS)(nil)

// Open implements fs.Engine.
func (Engine) Open(vol image.Image, o fs.OpenOptions) (fs.FS, error) {
	return Open(vol, o)
}

// Open opens the ext2/3/4 filesystem on vol.
func Open(vol image.Image, o fs.OpenOptions) (*FS, error) {
	name := o.Name
	if name == "" {
		name = "volume"
	}
	f := &FS{vol: vol, name: name, ro: o.ReadOnly}
	if vol.Size() < superblockOff+superblockSize {
		return nil, fmt.Errorf("ext4: %s: %d bytes is too small for ext2/3/4: %w", name, vol.Size(), errCorrupt)
	}
	f.sbRaw = make([]byte, superblockSize)
	if _, err := vol.ReadAt(f.sbRaw, superblockOff); err != nil {
		return nil, fmt.Errorf("ext4: %s: reading the superblock: %w", name, err)
	}
	sb, err := ParseSuperblock(f.sbRaw)
	if err != nil {
		return nil, fmt.Errorf("ext4: %s: %v: %w", name, err, errCorrupt)
	}
	f.sb = sb
	if err := f.checkFeatures(); err != nil {
		return nil, err
	}
	bs := sb.BlockSize()
	if int64(sb.BlocksCount()) > vol.Size()/bs {
		return nil, fmt.Errorf("ext4: %s: the filesystem has %d blocks of %d bytes but the volume holds only %d bytes (truncated image?): %w",
			name, sb.BlocksCount(), bs, vol.Size(), errCorrupt)
	}
	ge := &f.geo
	ge.bs = bs
	ge.blocks = sb.BlocksCount()
	ge.firstData = uint64(sb.FirstDataBlock)
	ge.bpg = uint64(sb.BlocksPerGroup)
	ge.ipg = sb.InodesPerGroup
	ge.inodeSize = sb.InodeSz()
	ge.groups = uint32(sb.GroupCount())
	ge.descSize = sb.GroupDescSize()
	ge.descsPerBlock = uint64(bs) / uint64(ge.descSize)
	ge.gdtBlocks = (uint64(ge.groups) + ge.descsPerBlock - 1) / ge.descsPerBlock
	ge.csum = sb.FeatureROCompat.Has(ROCompatMetadataCsum)
	ge.gdtCsum = !ge.csum && sb.FeatureROCompat.Has(ROCompatGDTCsum)
	if sb.FeatureIncompat.Has(IncompatCsumSeed) {
		ge.csumSeed = sb.ChecksumSeed
	} else {
		ge.csumSeed = crc32c(^uint32(0), sb.UUID[:])
	}
	if sb.clusterBits() != 0 {
		f.readOnlyBecause("bigalloc")
	}
	f.hashSeed = sb.HashSeed
	if err := f.loadGDT(); err != nil {
		return nil, err
	}
	f.bitmaps = bitmapCache{m: map[uint64]*bitmapBuf{}}
	f.scratch = make([]byte, bs)
	if !f.ro {
		if err := f.checkOrphans(); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// readOnlyBecause refuses later writes, naming the feature.
func (f *FS) readOnlyBecause(feature string) {
	if f.roWhy == nil {
		f.roWhy = fmt.Errorf("ext4: %s: writing to a filesystem with %s is not supported: %w", f.name, feature, fs.ErrUnsupported)
	}
}

func (f *FS) checkFeatures() error {
	sb := f.sb
	if u := sb.FeatureIncompat &^ incompatRead; u != 0 {
		return fmt.Errorf("ext4: %s: unknown or unsupported incompatible features %s: %w", f.name, u, fs.ErrUnsupported)
	}
	if sb.FeatureIncompat.Has(IncompatRecover) && !f.ro {
		return fmt.Errorf("ext4: %s: journal needs recovery (the guest was not shut down cleanly): boot and cleanly shut down the guest, or run e2fsck -fy on a copy: %w",
			f.name, fs.ErrUnsupported)
	}
	if u := sb.FeatureROCompat &^ roCompatRead; u != 0 {
		if !f.ro {
			return fmt.Errorf("ext4: %s: unknown read-only-compatible features %s prevent writing: %w", f.name, u, fs.ErrUnsupported)
		}
	}
	if f.ro {
		return nil
	}
	if sb.State&sbStateErrors != 0 {
		return fmt.Errorf("ext4: %s: the filesystem is marked as having errors: run e2fsck -fy on a copy first: %w", f.name, fs.ErrUnsupported)
	}
	if sb.State&sbStateClean == 0 {
		return fmt.Errorf("ext4: %s: the filesystem was not cleanly unmounted: boot and cleanly shut down the guest, or run e2fsck -fy on a copy: %w",
			f.name, fs.ErrUnsupported)
	}
	if u := sb.FeatureIncompat &^ incompatWrite; u != 0 {
		f.readOnlyBecause(u.String())
	}
	if u := sb.FeatureROCompat &^ roCompatWrite &^ ROCompatOrphanPresent; u != 0 {
		f.readOnlyBecause(u.String() + " (usage accounting the engine does not update)")
	}
	return nil
}

// checkOrphans refuses a filesystem with pending orphan processing.
func (f *FS) checkOrphans() error {
	if f.sb.LastOrphan != 0 || f.sb.FeatureROCompat.Has(ROCompatOrphanPresent) {
		return fmt.Errorf("ext4: %s: the orphan list is not empty (the guest was not shut down cleanly): boot and cleanly shut down the guest, or run e2fsck -fy on a copy: %w",
			f.name, fs.ErrUnsupported)
	}
	return nil
}

// canWrite reports why a write must be refused, or nil.
func (f *FS) canWrite() error {
	switch {
	case f.closed:
		return fmt.Errorf("ext4: %s: filesystem closed: %w", f.name, errors.ErrUnsupported)
	case f.ro:
		return fmt.Errorf("ext4: %s: %w", f.name, fs.ErrReadOnly)
	case f.roWhy != nil:
		return f.roWhy
	case f.broken != nil:
		return fmt.Errorf("ext4: %s: an earlier write failed, refusing further changes: %w", f.name, f.broken)
	}
	return nil
}

func (f *FS) readBlock(b uint64, buf []byte) error {
	if b >= f.geo.blocks {
		return f.corrupt("block %d outside the filesystem (%d blocks)", b, f.geo.blocks)
	}
	if _, err := f.vol.ReadAt(buf, int64(b)*f.geo.bs); err != nil {
		return fmt.Errorf("ext4: %s: reading block %d: %w", f.name, b, err)
	}
	return nil
}

func (f *FS) writeBlock(b uint64, buf []byte) error {
	if b >= f.geo.blocks || b == 0 && f.geo.firstData == 0 {
		return fmt.Errorf("ext4: %s: refusing to write block %d: %w", f.name, b, errCorrupt)
	}
	if _, err := f.vol.WriteAt(buf, int64(b)*f.geo.bs); err != nil {
		f.broken = err
		return fmt.Errorf("ext4: %s: writing block %d: %w", f.name, b, err)
	}
	return nil
}

// Close implements fs.FS: it writes the bitmaps, group descriptors and
// superblock that changed.
func (f *FS) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	if err := f.flushMeta(); err != nil {
		return err
	}
	return nil
}

// flushMeta writes dirty bitmaps, descriptors and the superblock.
func (f *FS) flushMeta() error {
	if err := f.bitmaps.flush(f); err != nil {
		return err
	}
	if err := f.flushGDT(); err != nil {
		return err
	}
	if f.sbDirt {
		if f.geo.csum {
			binary.LittleEndian.PutUint32(f.sbRaw[sbOffChecksum:], crc32c(^uint32(0), f.sbRaw[:sbOffChecksum]))
		}
		if _, err := f.vol.WriteAt(f.sbRaw, superblockOff); err != nil {
			return fmt.Errorf("ext4: %s: writing the superblock: %w", f.name, err)
		}
		f.sbDirt = false
	}
	return nil
}

// addFreeBlocks adjusts the superblock's free block count.
func (f *FS) addFreeBlocks(d int64) {
	n := uint64(int64(f.sb.FreeBlocksCount()) + d)
	f.sb.FreeBlocksCountLo = uint32(n)
	binary.LittleEndian.PutUint32(f.sbRaw[sbOffFreeBlocksLo:], uint32(n))
	if f.sb.FeatureIncompat.Has(Incompat64bit) {
		f.sb.FreeBlocksCountHi = uint32(n >> 32)
		binary.LittleEndian.PutUint32(f.sbRaw[sbOffFreeBlocksHi:], uint32(n>>32))
	}
	f.sbDirt = true
}

// addFreeInodes adjusts the superblock's free inode count.
func (f *FS) addFreeInodes(d int64) {
	f.sb.FreeInodesCount = uint32(int64(f.sb.FreeInodesCount) + d)
	binary.LittleEndian.PutUint32(f.sbRaw[sbOffFreeInodes:], f.sb.FreeInodesCount)
	f.sbDirt = true
}
