package xfs

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

func init() { fs.Register(Engine{}) }

// Engine opens XFS v5 volumes.
type Engine struct{}

var _ fs.Engine = Engine{}

// Name implements fs.Engine.
func (Engine) Name() string { return "xfs" }

// Probe implements fs.Engine: the "XFSB" magic at offset 0.
func (Engine) Probe(r io.ReaderAt, size int64) bool {
	if size < 512 {
		return false
	}
	var b [4]byte
	if _, err := r.ReadAt(b[:], 0); err != nil {
		return false
	}
	return be32(b[:], 0) == sbMagic
}

// FS is an open XFS filesystem. Its methods are safe for concurrent use.
type FS struct {
	mu     sync.Mutex
	vol    image.Image
	name   string
	ro     bool
	sb     *Superblock
	sbRaw  []byte
	bs     int64
	closed bool
	broken error

	dirCache map[dirKey]map[string]dirent // large directories' name indexes
	tx       map[int64]*txBlock           // the write operation under way
	txData   []txDataWrite                // file data written at commit
	logLSN   uint64                       // LSN of the clean log's last record
}

var _ fs.FS = (*FS)(nil)

// Open implements fs.Engine.
func (Engine) Open(vol image.Image, o fs.OpenOptions) (fs.FS, error) {
	return Open(vol, o)
}

// Open opens the XFS filesystem on vol.
func Open(vol image.Image, o fs.OpenOptions) (*FS, error) {
	name := o.Name
	if name == "" {
		name = "volume"
	}
	f := &FS{vol: vol, name: name, ro: o.ReadOnly}
	if vol.Size() < 4096 {
		return nil, fmt.Errorf("xfs: %s: %d bytes is too small for XFS: %w", name, vol.Size(), fs.ErrCorrupt)
	}
	head := make([]byte, 512)
	if _, err := vol.ReadAt(head, 0); err != nil {
		return nil, fmt.Errorf("xfs: %s: reading the superblock: %w", name, err)
	}
	if be32(head, 0) != sbMagic {
		return nil, fmt.Errorf("xfs: %s: no XFS superblock magic: %w", name, fs.ErrCorrupt)
	}
	ss := int(be16(head, sbOffSectSize))
	if ss < 512 || ss > 32768 {
		return nil, fmt.Errorf("xfs: %s: superblock sector size %d: %w", name, ss, fs.ErrCorrupt)
	}
	f.sbRaw = make([]byte, ss)
	if _, err := vol.ReadAt(f.sbRaw, 0); err != nil {
		return nil, fmt.Errorf("xfs: %s: reading the superblock: %w", name, err)
	}
	sb, err := ParseSuperblock(f.sbRaw)
	if err != nil {
		return nil, fmt.Errorf("xfs: %s: %v: %w", name, err, fs.ErrCorrupt)
	}
	if v := sb.Version & versionNumMask; v != 5 {
		return nil, fmt.Errorf("xfs: %s: version %d (pre-CRC) XFS is not supported, only v5 (crc=1) filesystems: %w", name, v, fs.ErrUnsupported)
	}
	f.sb = sb
	f.bs = int64(sb.BlockSize)
	if err := f.checkFeatures(); err != nil {
		return nil, err
	}
	if int64(sb.DBlocks) > vol.Size()/f.bs {
		return nil, fmt.Errorf("xfs: %s: the filesystem has %d blocks of %d bytes but the volume holds only %d bytes (truncated image?): %w",
			name, sb.DBlocks, f.bs, vol.Size(), fs.ErrCorrupt)
	}
	if err := f.checkLog(); err != nil {
		return nil, err
	}
	for ag := uint32(0); ag < sb.AGCount; ag++ {
		if _, err := f.readAGF(ag); err != nil {
			return nil, err
		}
		agi, err := f.readAGI(ag)
		if err != nil {
			return nil, err
		}
		if _, _, err := f.readAGFL(ag); err != nil {
			return nil, err
		}
		if !f.ro {
			if err := f.checkAG(ag); err != nil {
				return nil, err
			}
		}
		if agi.unlinkedInodes() && !f.ro {
			return nil, fmt.Errorf("xfs: %s: AG %d holds unlinked inodes awaiting cleanup (the guest was not shut down cleanly): boot and cleanly shut down the guest, or xfs_repair a copy: %w",
				name, ag, fs.ErrUnsupported)
		}
	}
	return f, nil
}

func (f *FS) checkFeatures() error {
	sb := f.sb
	const fix = "boot and cleanly shut down the guest, or xfs_repair a copy"
	if sb.InProgress != 0 {
		return fmt.Errorf("xfs: %s: the superblock says mkfs or growfs did not finish (sb_inprogress): %s: %w", f.name, fix, fs.ErrUnsupported)
	}
	if u := sb.Incompat &^ incompatKnown; u != 0 {
		return fmt.Errorf("xfs: %s: unknown or unsupported incompatible features %s: %w", f.name, featureNames(u, incompatNames), fs.ErrUnsupported)
	}
	if u := sb.LogIncompat; u != 0 {
		return fmt.Errorf("xfs: %s: log-incompatible features %s are set (the log needs recovery): %s: %w", f.name, featureNames(u, logIncompatNames), fix, fs.ErrUnsupported)
	}
	if u := sb.ROCompat &^ roCompatKnown; u != 0 && !f.ro {
		return fmt.Errorf("xfs: %s: unknown read-only-compatible features %s prevent writing: %w", f.name, featureNames(u, roCompatNames), fs.ErrUnsupported)
	}
	if sb.RBlocks != 0 {
		return fmt.Errorf("xfs: %s: realtime volumes are not supported: %w", f.name, fs.ErrUnsupported)
	}
	if sb.LogStart == 0 {
		return fmt.Errorf("xfs: %s: external log devices are not supported: %w", f.name, fs.ErrUnsupported)
	}
	return nil
}

// corrupt returns an error naming the volume, wrapping fs.ErrCorrupt.
func (f *FS) corrupt(format string, args ...any) error {
	return fmt.Errorf("xfs: %s: %s: %w", f.name, fmt.Sprintf(format, args...), fs.ErrCorrupt)
}

// UUID returns the filesystem UUID as blkid prints it (for fstab UUID=).
func (f *FS) UUID() string { return f.sb.UUIDString() }

// Label returns the filesystem label (for fstab LABEL=).
func (f *FS) Label() string { return f.sb.Label() }

// fsbOff converts a filesystem block number (agno<<agblklog | agbno) to a
// byte offset, checking that it lies inside the filesystem.
func (f *FS) fsbOff(fsb uint64) (int64, error) {
	agno := fsb >> f.sb.AGBlkLog
	agbno := fsb & (1<<f.sb.AGBlkLog - 1)
	if agno >= uint64(f.sb.AGCount) || agbno >= uint64(f.sb.AGBlocks) {
		return 0, f.corrupt("block %#x outside the filesystem", fsb)
	}
	d := agno*uint64(f.sb.AGBlocks) + agbno
	if d >= f.sb.DBlocks {
		return 0, f.corrupt("block %#x outside the filesystem", fsb)
	}
	return int64(d) * f.bs, nil
}

// agbOff converts an AG-relative block to a byte offset.
func (f *FS) agbOff(agno uint32, agbno uint32) (int64, error) {
	if agno >= f.sb.AGCount || agbno >= f.sb.AGBlocks {
		return 0, f.corrupt("AG %d block %d outside the filesystem", agno, agbno)
	}
	d := uint64(agno)*uint64(f.sb.AGBlocks) + uint64(agbno)
	if d >= f.sb.DBlocks {
		return 0, f.corrupt("AG %d block %d outside the filesystem", agno, agbno)
	}
	return int64(d) * f.bs, nil
}

// daddr returns the 512-byte disk address XFS stores in block headers.
func daddr(off int64) uint64 { return uint64(off) >> 9 }

func (f *FS) readAt(buf []byte, off int64) error {
	if off < 0 || off+int64(len(buf)) > int64(f.sb.DBlocks)*f.bs {
		return f.corrupt("read of %d bytes at %d outside the filesystem", len(buf), off)
	}
	if f.tx != nil && f.txOverlay(buf, off) {
		return nil
	}
	if _, err := f.vol.ReadAt(buf, off); err != nil {
		return fmt.Errorf("xfs: %s: reading %d bytes at %d: %w", f.name, len(buf), off, err)
	}
	return nil
}

func (f *FS) writeAt(buf []byte, off int64) error {
	if off < 0 || off+int64(len(buf)) > int64(f.sb.DBlocks)*f.bs {
		return fmt.Errorf("xfs: %s: refusing to write %d bytes at %d: %w", f.name, len(buf), off, fs.ErrCorrupt)
	}
	if _, err := f.vol.WriteAt(buf, off); err != nil {
		f.broken = err
		return fmt.Errorf("xfs: %s: writing %d bytes at %d: %w", f.name, len(buf), off, err)
	}
	return nil
}

// readFSB reads n blocks starting at filesystem block fsb.
func (f *FS) readFSB(fsb uint64, n int) ([]byte, int64, error) {
	off, err := f.fsbOff(fsb)
	if err != nil {
		return nil, 0, err
	}
	buf := make([]byte, int64(n)*f.bs)
	return buf, off, f.readAt(buf, off)
}

// checkBlockHeader verifies the CRC, UUID, self address and owner of a v5
// metadata block. Offsets are those of the structure; owner is checked
// when ownerOff >= 0 (8 bytes, or 4 when owner32).
func (f *FS) checkBlockHeader(what string, buf []byte, off int64, crcOff, uuidOff, blknoOff, ownerOff int, owner uint64, owner32 bool) error {
	if !f.inTx(off) && !verifyCRC(buf, crcOff) {
		return f.corrupt("%s at byte %d: bad CRC", what, off)
	}
	if uuidOff >= 0 && [16]byte(buf[uuidOff:uuidOff+16]) != f.sb.MetaUUID {
		return f.corrupt("%s at byte %d: filesystem UUID mismatch", what, off)
	}
	if blknoOff >= 0 && be64(buf, blknoOff) != daddr(off) {
		return f.corrupt("%s at byte %d: records address %d, not %d", what, off, be64(buf, blknoOff), daddr(off))
	}
	if ownerOff >= 0 {
		var got uint64
		if owner32 {
			got = uint64(be32(buf, ownerOff))
		} else {
			got = be64(buf, ownerOff)
		}
		if got != owner {
			return f.corrupt("%s at byte %d: owner %d, expected %d", what, off, got, owner)
		}
	}
	return nil
}

// Close implements fs.FS. Every write is already on the volume.
func (f *FS) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

// canWrite reports why a write must be refused, or nil.
func (f *FS) canWrite() error {
	switch {
	case f.closed:
		return fmt.Errorf("xfs: %s: filesystem closed: %w", f.name, errors.ErrUnsupported)
	case f.ro:
		return fmt.Errorf("xfs: %s: %w", f.name, fs.ErrReadOnly)
	case f.sb.ROCompat&^roCompatKnown != 0:
		return fmt.Errorf("xfs: %s: unknown read-only-compatible features: %w", f.name, fs.ErrUnsupported)
	case f.broken != nil:
		return fmt.Errorf("xfs: %s: an earlier write failed, refusing further changes: %w", f.name, f.broken)
	}
	return nil
}
