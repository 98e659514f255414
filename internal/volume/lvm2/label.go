// Package lvm2 reads LVM2 physical volumes: the label and pv_header in one
// of the first four sectors, the metadata area header (mda_header) with its
// ring buffer of raw locations, and the text metadata that describes volume
// groups and logical volumes (lvm2 source: lib/format_text/layout.h,
// lib/label/label.h, lib/format_text/format-text.c, lib/config/config.c).
//
// It maps linear logical volumes to physical-volume byte ranges and refuses
// every other segment type. Nothing here writes: LVM metadata is never
// changed, only the filesystems inside the logical volumes.
package lvm2

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

// Sentinels. Match with errors.Is.
var (
	// ErrNotPV is returned when no LVM2 label is found.
	ErrNotPV = errors.New("no LVM2 label")
	// ErrCorrupt marks a label, metadata area or metadata text that cannot be trusted.
	ErrCorrupt = fmt.Errorf("corrupt LVM2 metadata: %w", image.ErrCorrupt)
	// ErrUnsupported marks an LVM2 feature this package does not map.
	ErrUnsupported = fmt.Errorf("unsupported LVM2 feature: %w", errors.ErrUnsupported)
)

// SectorSize is LVM2's unit: every *_xl sector count is in 512-byte sectors.
const SectorSize = 512

// Sectors counts 512-byte sectors, LVM2's unit for pe_start and extent_size.
type Sectors uint64

// Bytes converts to bytes.
func (s Sectors) Bytes() int64 { return int64(s) * SectorSize }

// LabelHeader is struct label_header (lib/label/label.h): 32 bytes at the
// start of the label sector, one of sectors 0-3.
type LabelHeader struct {
	ID       [8]byte // 0x00 "LABELONE"
	SectorXL uint64  // 0x08 the sector this label is in
	CRCXL    uint32  // 0x10 CRC from OffsetXL to the end of the sector
	OffsetXL uint32  // 0x14 offset of the pv_header from the label start
	Type     [8]byte // 0x18 "LVM2 001"
}

// DiskLocn is struct disk_locn: a byte range on the PV. A zero Offset ends
// a list.
type DiskLocn struct {
	Offset uint64 // bytes from the start of the PV
	Size   uint64 // bytes; 0 for a data area means "to the end of the PV"
}

// PVHeader is the fixed part of struct pv_header: the PV UUID and device
// size, followed by two zero-terminated DiskLocn lists (data areas, then
// metadata areas).
type PVHeader struct {
	PVUUID       [32]byte // 0x00 32 characters, no dashes
	DeviceSizeXL uint64   // 0x20 bytes
}

// Caps on what a hostile label can make us process.
const (
	labelScanSectors = 4
	maxAreas         = 8 // data or metadata areas per list (LVM writes 1 and at most 2)
)

var (
	labelID   = [8]byte{'L', 'A', 'B', 'E', 'L', 'O', 'N', 'E'}
	labelType = [8]byte{'L', 'V', 'M', '2', ' ', '0', '0', '1'}
)

// crcInitial is INITIAL_CRC of lib/misc/crc.c. LVM2's CRC is the IEEE
// polynomial, reflected, without the usual pre- and post-inversion.
const crcInitial = 0xf597a6cf

// CRC computes LVM2's calc_crc(INITIAL_CRC, b).
func CRC(b []byte) uint32 {
	return ^crc32.Update(^uint32(crcInitial), crc32.IEEETable, b)
}

// Label is a parsed LVM2 label: where it is and the pv_header it points to.
type Label struct {
	Sector        int // 0-3
	Header        LabelHeader
	PV            PVHeader
	DataAreas     []DiskLocn
	MetadataAreas []DiskLocn
}

// UUID returns the PV UUID as LVM prints it (6-4-4-4-4-4-6 characters).
func (l *Label) UUID() string { return FormatUUID(l.PV.PVUUID[:]) }

// FormatUUID inserts LVM's dashes into a 32-character identifier.
func FormatUUID(b []byte) string {
	if len(b) != 32 {
		return string(b)
	}
	return fmt.Sprintf("%s-%s-%s-%s-%s-%s-%s", b[0:6], b[6:10], b[10:14], b[14:18], b[18:22], b[22:26], b[26:32])
}

// ReadLabel finds and verifies the LVM2 label of a PV of size bytes.
func ReadLabel(r io.ReaderAt, size int64) (*Label, error) {
	if size < labelScanSectors*SectorSize {
		return nil, ErrNotPV
	}
	buf := make([]byte, labelScanSectors*SectorSize)
	if _, err := r.ReadAt(buf, 0); err != nil {
		return nil, fmt.Errorf("lvm2: reading the label sectors: %w", err)
	}
	for s := 0; s < labelScanSectors; s++ {
		sec := buf[s*SectorSize : (s+1)*SectorSize]
		if !bytes.Equal(sec[:8], labelID[:]) {
			continue
		}
		l, err := decodeLabel(sec, s, size)
		if err != nil {
			return nil, fmt.Errorf("lvm2: label in sector %d: %w", s, err)
		}
		return l, nil
	}
	return nil, ErrNotPV
}

func decodeLabel(sec []byte, s int, size int64) (*Label, error) {
	l := &Label{Sector: s}
	if _, err := binary.Decode(sec, binary.LittleEndian, &l.Header); err != nil {
		return nil, err
	}
	h := &l.Header
	if h.Type != labelType {
		return nil, fmt.Errorf("type %q is not %q: %w", h.Type[:], labelType[:], ErrUnsupported)
	}
	if h.SectorXL != uint64(s) {
		return nil, fmt.Errorf("sector_xl %d in sector %d: %w", h.SectorXL, s, ErrCorrupt)
	}
	if got := CRC(sec[20:]); got != h.CRCXL {
		return nil, fmt.Errorf("checksum 0x%08x, computed 0x%08x: %w", h.CRCXL, got, ErrCorrupt)
	}
	if h.OffsetXL < 32 || h.OffsetXL > SectorSize-40 || h.OffsetXL%8 != 0 {
		return nil, fmt.Errorf("pv_header offset %d: %w", h.OffsetXL, ErrCorrupt)
	}
	p := sec[h.OffsetXL:]
	if _, err := binary.Decode(p, binary.LittleEndian, &l.PV); err != nil {
		return nil, err
	}
	for _, c := range l.PV.PVUUID {
		if !uuidChar(c) {
			return nil, fmt.Errorf("PV UUID %q: %w", l.PV.PVUUID[:], ErrCorrupt)
		}
	}
	p = p[40:]
	var err error
	if l.DataAreas, p, err = decodeLocns(p, size, "data area"); err != nil {
		return nil, err
	}
	if l.MetadataAreas, _, err = decodeLocns(p, size, "metadata area"); err != nil {
		return nil, err
	}
	if len(l.DataAreas) == 0 {
		return nil, fmt.Errorf("no data area: %w", ErrCorrupt)
	}
	return l, nil
}

// decodeLocns reads a zero-terminated disk_locn list and checks each range
// lies inside the PV.
func decodeLocns(p []byte, size int64, what string) ([]DiskLocn, []byte, error) {
	var out []DiskLocn
	for {
		if len(p) < 16 {
			return nil, nil, fmt.Errorf("%s list runs past the label sector: %w", what, ErrCorrupt)
		}
		d := DiskLocn{Offset: binary.LittleEndian.Uint64(p), Size: binary.LittleEndian.Uint64(p[8:])}
		p = p[16:]
		if d.Offset == 0 {
			return out, p, nil
		}
		if len(out) == maxAreas {
			return nil, nil, fmt.Errorf("more than %d %ss: %w", maxAreas, what, ErrCorrupt)
		}
		if d.Offset >= uint64(size) || d.Size > uint64(size)-d.Offset {
			return nil, nil, fmt.Errorf("%s [%d, +%d) outside the %d-byte PV: %w", what, d.Offset, d.Size, size, ErrCorrupt)
		}
		out = append(out, d)
	}
}

// uuidChar reports whether c may appear in an LVM identifier (id.c: a-z, A-Z, 0-9, '!' and '#').
func uuidChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '!' || c == '#'
}
