package lvm2

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// MDAHeader is the fixed part of struct mda_header
// (lib/format_text/layout.h): 40 bytes at the start of a metadata area,
// followed by a zero-terminated list of RawLocn in the same 512-byte block.
type MDAHeader struct {
	ChecksumXL uint32   // 0x00 CRC of bytes 4-511 of the header block
	Magic      [16]byte // 0x04 " LVM2 x[5A%r0N*>"
	Version    uint32   // 0x14 1
	Start      uint64   // 0x18 absolute byte offset of this header on the PV
	Size       uint64   // 0x20 bytes in the metadata area, header included
}

// RawLocn is struct raw_locn: where in the area's ring buffer one copy of
// the metadata text lies. raw_locns[0] is the committed metadata.
type RawLocn struct {
	Offset   uint64 // 0x00 from the start of the metadata area
	Size     uint64 // 0x08 bytes of text (with its NUL)
	Checksum uint32 // 0x10 CRC of the text
	Flags    uint32 // 0x14 RAW_LOCN_IGNORED = 1
}

// Metadata area constants.
const (
	mdaHeaderSize  = 512
	rawLocnIgnored = 0x1
	// MaxMetadataText caps the metadata text we read. LVM's default
	// metadata area is 1 MiB; real VGs of hundreds of LVs stay well under.
	MaxMetadataText = 4 << 20
)

var mdaMagic = [16]byte{' ', 'L', 'V', 'M', '2', ' ', 'x', '[', '5', 'A', '%', 'r', '0', 'N', '*', '>'}

// ReadMetadata reads the committed metadata text of the metadata area
// loc of a PV of size bytes. It returns nil text (and no error) when the
// area is marked ignored (pvchange --metadataignore) or holds no VG yet.
func ReadMetadata(r io.ReaderAt, size int64, loc DiskLocn) ([]byte, error) {
	if loc.Size < mdaHeaderSize || loc.Offset > uint64(size) || loc.Size > uint64(size)-loc.Offset {
		return nil, fmt.Errorf("metadata area [%d, +%d) of a %d-byte PV: %w", loc.Offset, loc.Size, size, ErrCorrupt)
	}
	blk := make([]byte, mdaHeaderSize)
	if _, err := r.ReadAt(blk, int64(loc.Offset)); err != nil {
		return nil, fmt.Errorf("reading the metadata area header at %d: %w", loc.Offset, err)
	}
	var h MDAHeader
	if _, err := binary.Decode(blk, binary.LittleEndian, &h); err != nil {
		return nil, err
	}
	if h.Magic != mdaMagic {
		return nil, fmt.Errorf("metadata area header at %d: bad magic: %w", loc.Offset, ErrCorrupt)
	}
	if got := CRC(blk[4:]); got != h.ChecksumXL {
		return nil, fmt.Errorf("metadata area header at %d: checksum 0x%08x, computed 0x%08x: %w", loc.Offset, h.ChecksumXL, got, ErrCorrupt)
	}
	if h.Version != 1 {
		return nil, fmt.Errorf("metadata area header at %d: version %d: %w", loc.Offset, h.Version, ErrUnsupported)
	}
	if h.Start != loc.Offset || h.Size != loc.Size {
		return nil, fmt.Errorf("metadata area header at %d says [%d, +%d), the label [%d, +%d): %w",
			loc.Offset, h.Start, h.Size, loc.Offset, loc.Size, ErrCorrupt)
	}
	var rl RawLocn
	if _, err := binary.Decode(blk[40:], binary.LittleEndian, &rl); err != nil {
		return nil, err
	}
	if rl.Offset == 0 || rl.Flags&rawLocnIgnored != 0 {
		return nil, nil
	}
	if rl.Size == 0 || rl.Size > MaxMetadataText {
		return nil, fmt.Errorf("metadata text of %d bytes (limit %d): %w", rl.Size, MaxMetadataText, ErrCorrupt)
	}
	ring := h.Size - mdaHeaderSize
	if rl.Offset < mdaHeaderSize || rl.Offset >= h.Size || rl.Size > ring {
		return nil, fmt.Errorf("metadata text [%d, +%d) outside the %d-byte area: %w", rl.Offset, rl.Size, h.Size, ErrCorrupt)
	}
	text := make([]byte, rl.Size)
	// The text is a ring buffer after the header block: it may wrap.
	first := min(rl.Size, h.Size-rl.Offset)
	if _, err := r.ReadAt(text[:first], int64(h.Start+rl.Offset)); err != nil {
		return nil, fmt.Errorf("reading the metadata text: %w", err)
	}
	if first < rl.Size {
		if _, err := r.ReadAt(text[first:], int64(h.Start+mdaHeaderSize)); err != nil {
			return nil, fmt.Errorf("reading the wrapped metadata text: %w", err)
		}
	}
	if got := CRC(text); got != rl.Checksum {
		return nil, fmt.Errorf("metadata text checksum 0x%08x, computed 0x%08x: %w", rl.Checksum, got, ErrCorrupt)
	}
	if i := bytes.IndexByte(text, 0); i >= 0 {
		text = text[:i]
	}
	return text, nil
}

// PV is one physical volume as its label and metadata areas describe it.
type PV struct {
	Label *Label
	// Metadata is the committed metadata text of the first readable
	// metadata area, nil when the PV has none (pvcreate --metadatacopies 0).
	Metadata []byte
	// Problems are metadata areas that could not be read while another
	// could: worth a warning, not a refusal.
	Problems []error
}

// UUID returns the PV UUID with dashes.
func (p *PV) UUID() string { return p.Label.UUID() }

// ReadPV reads the label and the newest metadata text of a PV.
func ReadPV(r io.ReaderAt, size int64) (*PV, error) {
	l, err := ReadLabel(r, size)
	if err != nil {
		return nil, err
	}
	pv := &PV{Label: l}
	var errs []error
	for i, m := range l.MetadataAreas {
		text, err := ReadMetadata(r, size, m)
		if err != nil {
			errs = append(errs, fmt.Errorf("lvm2: PV %s: metadata area %d: %w", pv.UUID(), i+1, err))
			continue
		}
		if text != nil && (pv.Metadata == nil || newer(text, pv.Metadata)) {
			pv.Metadata = text
		}
	}
	if pv.Metadata == nil && len(errs) > 0 {
		return nil, errs[0]
	}
	pv.Problems = errs
	return pv, nil
}

// newer reports whether metadata text a has a higher seqno than b (both
// copies of one PV, after an interrupted update). Undecodable texts are
// never newer.
func newer(a, b []byte) bool {
	va, err := DecodeVG(a)
	if err != nil {
		return false
	}
	vb, err := DecodeVG(b)
	return err != nil || va.Seqno > vb.Seqno
}
