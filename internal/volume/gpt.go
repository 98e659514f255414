package volume

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"unicode/utf16"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

// GPTHeader is the UEFI GPT header (UEFI spec 5.3.2): little-endian, 92
// bytes, at LBA 1 (primary) and the last LBA of the disk (backup).
type GPTHeader struct {
	Signature                [8]byte  // 0x00 "EFI PART"
	Revision                 uint32   // 0x08 0x00010000
	HeaderSize               uint32   // 0x0C 92 <= size <= logical block size
	HeaderCRC32              uint32   // 0x10 over HeaderSize bytes, this field zeroed
	Reserved0                uint32   // 0x14 must be zero
	MyLBA                    LBA      // 0x18 the LBA holding this header
	AlternateLBA             LBA      // 0x20 the other header
	FirstUsableLBA           LBA      // 0x28
	LastUsableLBA            LBA      // 0x30
	DiskGUID                 [16]byte // 0x38
	PartitionEntryLBA        LBA      // 0x48 start of the partition entry array
	NumberOfPartitionEntries uint32   // 0x50
	SizeOfPartitionEntry     uint32   // 0x54 128 * 2^n
	PartitionEntryArrayCRC32 uint32   // 0x58 over NumberOfPartitionEntries * SizeOfPartitionEntry bytes
}

// GPTEntry is one GPT partition entry (UEFI spec 5.3.3): the first 128
// bytes of each SizeOfPartitionEntry-byte slot.
type GPTEntry struct {
	PartitionTypeGUID   [16]byte   // 0x00 all zero: unused entry
	UniquePartitionGUID [16]byte   // 0x10 the PARTUUID
	StartingLBA         LBA        // 0x20
	EndingLBA           LBA        // 0x28 inclusive
	Attributes          uint64     // 0x30
	PartitionName       [36]uint16 // 0x38 UTF-16LE, NUL padded: the PARTLABEL
}

// LBA is a logical block address; Bytes converts it with the sector size.
type LBA uint64

// Bytes returns the byte offset of the block, or -1 if it overflows int64.
func (l LBA) Bytes(sectorSize int64) int64 {
	if uint64(l) > uint64(maxInt64/sectorSize) {
		return -1
	}
	return int64(l) * sectorSize
}

const maxInt64 = 1<<63 - 1

// gptSignature is the magic of a GPT header.
var gptSignature = [8]byte{'E', 'F', 'I', ' ', 'P', 'A', 'R', 'T'}

// Limits on what a GPT may ask us to read: the spec's usual array is 128
// entries of 128 bytes; tools allow more, never megabytes.
const (
	maxGPTEntries    = 4096
	maxGPTEntrySize  = 4096
	maxGPTArrayBytes = 4 << 20
)

// guidString formats a GPT GUID as blkid prints it: the first three fields
// are little-endian, lower-case hex.
func guidString(g [16]byte) string {
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x",
		binary.LittleEndian.Uint32(g[0:4]), binary.LittleEndian.Uint16(g[4:6]),
		binary.LittleEndian.Uint16(g[6:8]), g[8:10], g[10:16])
}

// gptName decodes a partition name, stopping at the first NUL.
func gptName(n [36]uint16) string {
	end := 0
	for end < len(n) && n[end] != 0 {
		end++
	}
	return strings.ToValidUTF8(string(utf16.Decode(n[:end])), "\uFFFD")
}

// gptTable is a validated header and its used entries.
type gptTable struct {
	header  GPTHeader
	entries []gptSlot
}

type gptSlot struct {
	index int // 1-based slot number, as Linux numbers partitions
	entry GPTEntry
}

// readGPTHeader reads and validates the header at lba.
func readGPTHeader(disk image.Image, lba LBA, sectorSize int64) (GPTHeader, error) {
	var h GPTHeader
	off := lba.Bytes(sectorSize)
	if off < 0 || off > disk.Size()-sectorSize {
		return h, fmt.Errorf("header LBA %d is outside the disk", lba)
	}
	buf := make([]byte, sectorSize)
	if _, err := disk.ReadAt(buf, off); err != nil {
		return h, fmt.Errorf("reading header at LBA %d: %w", lba, err)
	}
	if _, err := binary.Decode(buf, binary.LittleEndian, &h); err != nil {
		return h, fmt.Errorf("decoding header at LBA %d: %w", lba, err)
	}
	switch {
	case h.Signature != gptSignature:
		return h, fmt.Errorf("no \"EFI PART\" signature at LBA %d", lba)
	case h.HeaderSize < 92 || int64(h.HeaderSize) > sectorSize:
		return h, fmt.Errorf("header at LBA %d: bad header size %d", lba, h.HeaderSize)
	}
	raw := bytes.Clone(buf[:h.HeaderSize])
	clear(raw[0x10:0x14])
	if got := crc32.ChecksumIEEE(raw); got != h.HeaderCRC32 {
		return h, fmt.Errorf("header at LBA %d: CRC32 mismatch (stored %#08x, computed %#08x)", lba, h.HeaderCRC32, got)
	}
	if h.MyLBA != lba {
		return h, fmt.Errorf("header at LBA %d claims to be at LBA %d", lba, h.MyLBA)
	}
	if h.SizeOfPartitionEntry < 128 || h.SizeOfPartitionEntry > maxGPTEntrySize || h.SizeOfPartitionEntry%8 != 0 {
		return h, fmt.Errorf("header at LBA %d: bad partition entry size %d", lba, h.SizeOfPartitionEntry)
	}
	if h.NumberOfPartitionEntries > maxGPTEntries ||
		int64(h.NumberOfPartitionEntries)*int64(h.SizeOfPartitionEntry) > maxGPTArrayBytes {
		return h, fmt.Errorf("header at LBA %d: %d partition entries of %d bytes exceed the limit", lba, h.NumberOfPartitionEntries, h.SizeOfPartitionEntry)
	}
	return h, nil
}

// readGPTEntries reads the entry array a valid header describes and checks
// its CRC and every used entry's bounds.
func readGPTEntries(disk image.Image, h GPTHeader, sectorSize int64) ([]gptSlot, error) {
	n := int64(h.NumberOfPartitionEntries) * int64(h.SizeOfPartitionEntry) // capped by readGPTHeader
	off := h.PartitionEntryLBA.Bytes(sectorSize)
	if off < 0 || off > disk.Size() || n > disk.Size()-off {
		return nil, fmt.Errorf("partition entry array at LBA %d is outside the disk", h.PartitionEntryLBA)
	}
	buf := make([]byte, n)
	if _, err := disk.ReadAt(buf, off); err != nil {
		return nil, fmt.Errorf("reading partition entry array: %w", err)
	}
	if got := crc32.ChecksumIEEE(buf); got != h.PartitionEntryArrayCRC32 {
		return nil, fmt.Errorf("partition entry array CRC32 mismatch (stored %#08x, computed %#08x)", h.PartitionEntryArrayCRC32, got)
	}
	sectors := LBA(disk.Size() / sectorSize)
	var slots []gptSlot
	for i := range int(h.NumberOfPartitionEntries) {
		raw := buf[int64(i)*int64(h.SizeOfPartitionEntry):]
		var e GPTEntry
		if _, err := binary.Decode(raw, binary.LittleEndian, &e); err != nil {
			return nil, fmt.Errorf("decoding partition entry %d: %w", i+1, err)
		}
		if e.PartitionTypeGUID == [16]byte{} {
			continue
		}
		if e.EndingLBA < e.StartingLBA || e.EndingLBA >= sectors || e.StartingLBA == 0 {
			return nil, fmt.Errorf("partition %d spans LBA %d-%d, outside the %d-sector disk (truncated image?)",
				i+1, e.StartingLBA, e.EndingLBA, sectors)
		}
		if e.StartingLBA < h.FirstUsableLBA || e.EndingLBA > h.LastUsableLBA {
			return nil, fmt.Errorf("partition %d spans LBA %d-%d, outside the usable LBAs %d-%d",
				i+1, e.StartingLBA, e.EndingLBA, h.FirstUsableLBA, h.LastUsableLBA)
		}
		slots = append(slots, gptSlot{index: i + 1, entry: e})
	}
	return slots, nil
}

// readGPT returns the primary table, or the backup one with a warning when
// the primary is damaged. Both damaged is an error.
func readGPT(disk image.Image, sectorSize int64) (t gptTable, warning string, err error) {
	h, perr := readGPTHeader(disk, 1, sectorSize)
	if perr == nil {
		var entries []gptSlot
		if entries, perr = readGPTEntries(disk, h, sectorSize); perr == nil {
			return gptTable{header: h, entries: entries}, "", nil
		}
	}
	// The backup lives on the last LBA, or where an intact primary header
	// says (a disk grown after partitioning keeps it in the middle).
	candidates := []LBA{LBA(disk.Size()/sectorSize - 1)}
	if h.Signature == gptSignature && h.MyLBA == 1 && h.AlternateLBA != candidates[0] {
		candidates = append(candidates, h.AlternateLBA)
	}
	var berr error
	for _, at := range candidates {
		var bh GPTHeader
		if bh, berr = readGPTHeader(disk, at, sectorSize); berr != nil {
			continue
		}
		var entries []gptSlot
		if entries, berr = readGPTEntries(disk, bh, sectorSize); berr == nil {
			w := fmt.Sprintf("primary GPT is damaged (%v); using the backup GPT at LBA %d: repair the table with sgdisk -e or gdisk", perr, at)
			return gptTable{header: bh, entries: entries}, w, nil
		}
	}
	return gptTable{}, "", fmt.Errorf("primary GPT: %v; backup GPT: %v: %w", perr, berr, ErrCorrupt)
}
