package volume

import (
	"encoding/binary"
	"fmt"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

// MBR is the classic master boot record (and each extended boot record):
// 512 bytes at LBA 0, little-endian.
type MBR struct {
	BootCode      [440]byte       // 0x000
	DiskSignature uint32          // 0x1B8
	Reserved      uint16          // 0x1BC
	Partitions    [4]MBRPartition // 0x1BE
	Signature     [2]byte         // 0x1FE 0x55 0xAA
}

// MBRPartition is one 16-byte MBR partition entry.
type MBRPartition struct {
	Status   byte    // 0x0 0x80 bootable, 0x00 otherwise
	CHSFirst [3]byte // 0x1 ignored: LBA fields rule
	Type     byte    // 0x4 partition type; 0 = unused
	CHSLast  [3]byte // 0x5 ignored
	FirstLBA uint32  // 0x8
	Sectors  uint32  // 0xC
}

// MBR partition types the parser interprets.
const (
	mbrTypeEmpty       = 0x00
	mbrTypeExtendedCHS = 0x05
	mbrTypeExtendedLBA = 0x0F
	mbrTypeExtendedLnx = 0x85
	mbrTypeGPT         = 0xEE // protective MBR
)

// maxLogical caps the extended-partition chain (Linux allows up to 256
// minors per disk; real chains are far shorter).
const maxLogical = 128

func isExtended(t byte) bool {
	return t == mbrTypeExtendedCHS || t == mbrTypeExtendedLBA || t == mbrTypeExtendedLnx
}

// mbrSlot is one data partition found in an MBR or EBR chain.
type mbrSlot struct {
	index   int // 1-4 primary, 5+ logical, as Linux numbers them
	logical bool
	typ     byte
	start   int64 // bytes
	size    int64 // bytes
}

func readMBR(disk image.Image, off int64) (MBR, error) {
	var m MBR
	if off < 0 || off > disk.Size()-512 {
		return m, fmt.Errorf("boot record at byte %d is outside the disk", off)
	}
	buf := make([]byte, 512)
	if _, err := disk.ReadAt(buf, off); err != nil {
		return m, fmt.Errorf("reading boot record at byte %d: %w", off, err)
	}
	if _, err := binary.Decode(buf, binary.LittleEndian, &m); err != nil {
		return m, err
	}
	return m, nil
}

// plausible reports whether m looks like a partition table, not a boot
// sector of a filesystem written to the whole disk (FAT and NTFS also end
// sector 0 with 0x55AA).
func (m *MBR) plausible() bool {
	if m.Signature != [2]byte{0x55, 0xAA} {
		return false
	}
	used := 0
	for _, p := range m.Partitions {
		if p.Status != 0 && p.Status != 0x80 {
			return false
		}
		if p.Type != mbrTypeEmpty {
			if p.FirstLBA == 0 || p.Sectors == 0 {
				return false
			}
			used++
		}
	}
	return used > 0
}

// isProtective reports whether the MBR guards a GPT (one entry of type 0xEE,
// possibly a hybrid MBR with others).
func (m *MBR) isProtective() bool {
	for _, p := range m.Partitions {
		if p.Type == mbrTypeGPT {
			return true
		}
	}
	return false
}

// mbrPartitions lists the primary and logical partitions of an MBR disk.
// Extended containers themselves are not listed.
func mbrPartitions(disk image.Image, m *MBR) ([]mbrSlot, error) {
	const sector = 512
	var out []mbrSlot
	check := func(index int, start, size int64) error {
		if start+size > disk.Size() {
			return fmt.Errorf("partition %d ends at byte %d, beyond the %d-byte disk (truncated image?): %w",
				index, start+size, disk.Size(), ErrCorrupt)
		}
		return nil
	}
	extended := -1
	for i, p := range m.Partitions {
		if p.Type == mbrTypeEmpty || p.Sectors == 0 {
			continue
		}
		start, size := int64(p.FirstLBA)*sector, int64(p.Sectors)*sector
		if err := check(i+1, start, size); err != nil {
			return nil, err
		}
		if isExtended(p.Type) {
			if extended >= 0 {
				return nil, fmt.Errorf("MBR has two extended partitions (%d and %d): %w", extended+1, i+1, ErrCorrupt)
			}
			extended = i
			continue
		}
		out = append(out, mbrSlot{index: i + 1, typ: p.Type, start: start, size: size})
	}
	if extended < 0 {
		return out, nil
	}
	ext := m.Partitions[extended]
	extStart, extEnd := int64(ext.FirstLBA), int64(ext.FirstLBA)+int64(ext.Sectors) // sectors
	seen := map[int64]bool{}
	ebr := extStart
	for n := 0; ; n++ {
		if n >= maxLogical {
			return nil, fmt.Errorf("extended partition chain longer than %d: %w", maxLogical, ErrCorrupt)
		}
		if seen[ebr] {
			return nil, fmt.Errorf("extended partition chain loops at sector %d: %w", ebr, ErrCorrupt)
		}
		seen[ebr] = true
		if ebr < extStart || ebr >= extEnd {
			return nil, fmt.Errorf("extended boot record at sector %d is outside the extended partition: %w", ebr, ErrCorrupt)
		}
		e, err := readMBR(disk, ebr*sector)
		if err != nil {
			return nil, err
		}
		if e.Signature != [2]byte{0x55, 0xAA} {
			if n == 0 {
				return out, nil // an empty extended partition
			}
			return nil, fmt.Errorf("extended boot record at sector %d has no 0x55AA signature: %w", ebr, ErrCorrupt)
		}
		data, next := e.Partitions[0], e.Partitions[1]
		if data.Type != mbrTypeEmpty && data.Sectors != 0 {
			index := 5 + len(out) - countPrimary(out)
			start := (ebr + int64(data.FirstLBA)) * sector
			size := int64(data.Sectors) * sector
			if start/sector+int64(data.Sectors) > extEnd {
				return nil, fmt.Errorf("logical partition %d ends beyond its extended partition: %w", index, ErrCorrupt)
			}
			if err := check(index, start, size); err != nil {
				return nil, err
			}
			out = append(out, mbrSlot{index: index, logical: true, typ: data.Type, start: start, size: size})
		}
		if next.Type == mbrTypeEmpty || next.FirstLBA == 0 || !isExtended(next.Type) {
			return out, nil
		}
		ebr = extStart + int64(next.FirstLBA)
	}
}

func countPrimary(s []mbrSlot) int {
	n := 0
	for _, p := range s {
		if !p.logical {
			n++
		}
	}
	return n
}
