package image

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// qcow2Header is the qcow2 header (qemu docs/interop/qcow2.txt), big-endian.
// Version 2 headers end at HeaderLength's offset (72 bytes); version 3
// headers are at least 104 bytes, 112 with the compression type.
type qcow2Header struct {
	Magic                 [4]byte // 0x00 "QFI\xfb"
	Version               uint32  // 0x04 2 or 3
	BackingFileOffset     uint64  // 0x08 name (not NUL-terminated), in the first cluster
	BackingFileSize       uint32  // 0x10 <= 1023
	ClusterBits           uint32  // 0x14 9..21
	Size                  uint64  // 0x18 virtual size in bytes
	CryptMethod           uint32  // 0x20 0 none, 1 AES, 2 LUKS
	L1Size                uint32  // 0x24 entries
	L1TableOffset         uint64  // 0x28 cluster-aligned
	RefcountTableOffset   uint64  // 0x30 cluster-aligned
	RefcountTableClusters uint32  // 0x38
	NbSnapshots           uint32  // 0x3C
	SnapshotsOffset       uint64  // 0x40
	IncompatibleFeatures  uint64  // 0x48 v3
	CompatibleFeatures    uint64  // 0x50 v3
	AutoclearFeatures     uint64  // 0x58 v3
	RefcountOrder         uint32  // 0x60 v3; refcount bits = 1 << order
	HeaderLength          uint32  // 0x64 v3
	CompressionType       uint8   // 0x68 v3 with header_length > 104: 0 zlib, 1 zstd
	Padding               [7]byte // 0x69 up to a multiple of 8
}

const (
	qcow2HeaderV2Size = 72
	qcow2HeaderV3Size = 104
	qcow2HeaderSize   = 112 // binary.Size(qcow2Header{})

	// Incompatible feature bits.
	incompatDirty          = 1 << 0
	incompatCorrupt        = 1 << 1
	incompatExternalData   = 1 << 2
	incompatCompression    = 1 << 3
	incompatExtendedL2     = 1 << 4
	incompatKnown          = incompatDirty | incompatCorrupt | incompatExternalData | incompatCompression | incompatExtendedL2
	compatLazyRefcounts    = 1 << 0
	compressionZlib        = 0
	compressionZstd        = 1
	qcow2MinClusterBits    = 9
	qcow2MaxClusterBits    = 21
	qcow2MaxL1Bytes        = 32 << 20 // qemu's QCOW_MAX_L1_SIZE
	qcow2MaxVirtualSize    = 1 << 55  // 32 PiB: beyond any L1 table qemu accepts with 64 KiB clusters
	qcow2MaxBackingNameLen = 1023

	// Header extension types.
	extEnd            = 0x00000000
	extBackingFormat  = 0xe2792aca
	extFullDiskCrypto = 0x0537be77
	extExternalData   = 0x44415441

	// L1/L2 entry fields (qcow2.txt "Cluster mapping").
	l1OffsetMask      = 0x00fffffffffffe00
	l2OffsetMask      = 0x00fffffffffffe00
	l2Compressed      = 1 << 62
	l2ZeroFlag        = 1 << 0
	l2CopiedFlag      = 1 << 63
	l2StandardEntry   = 8
	l2ExtendedEntry   = 16
	subclustersPerExt = 32
)

// qcow2Meta is a validated qcow2 header plus what its extensions say.
type qcow2Meta struct {
	qcow2Header
	clusterSize   int64
	l2Entries     int64 // entries per L2 table
	extendedL2    bool
	backingName   string
	backingFormat string // from the extension; "" means probe
}

// compression returns "zlib" or "zstd".
func (m *qcow2Meta) compression() string {
	if m.CompressionType == compressionZstd {
		return "zstd"
	}
	return "zlib"
}

// readQcow2Meta reads and validates the header of a qcow2 file of fileSize
// bytes. Every length is capped before it is used.
func readQcow2Meta(r io.ReaderAt, fileSize int64, path string) (*qcow2Meta, error) {
	corrupt := func(field string, off int64, format string, a ...any) error {
		return &CorruptError{Path: path, Format: "qcow2", Field: field, Off: off,
			Err: fmt.Errorf("%s: %w", fmt.Sprintf(format, a...), ErrCorrupt)}
	}
	if fileSize < qcow2HeaderV2Size {
		return nil, &CorruptError{Path: path, Format: "qcow2", Field: "header", Off: 0, Err: ErrTruncated}
	}
	buf := make([]byte, qcow2HeaderSize)
	n, err := r.ReadAt(buf[:min(int64(len(buf)), fileSize)], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: read qcow2 header: %w", path, err)
	}
	clear(buf[n:])
	var m qcow2Meta
	if _, err := binary.Decode(buf, binary.BigEndian, &m.qcow2Header); err != nil {
		return nil, fmt.Errorf("%s: decode qcow2 header: %w", path, err)
	}
	h := &m.qcow2Header
	if string(h.Magic[:]) != qcow2Magic {
		return nil, fmt.Errorf("%s: not qcow2: %w", path, ErrUnknownFormat)
	}
	switch h.Version {
	case 2:
		clear(buf[qcow2HeaderV2Size:])
		_, _ = binary.Decode(buf, binary.BigEndian, h)
		h.RefcountOrder, h.HeaderLength = 4, qcow2HeaderV2Size
	case 3:
		if fileSize < qcow2HeaderV3Size {
			return nil, &CorruptError{Path: path, Format: "qcow2", Field: "header", Off: 0, Err: ErrTruncated}
		}
		if h.HeaderLength < qcow2HeaderV3Size || h.HeaderLength%8 != 0 {
			return nil, corrupt("header_length", 0x64, "%d is not a multiple of 8 of at least 104", h.HeaderLength)
		}
		if h.HeaderLength <= qcow2HeaderV3Size {
			h.CompressionType = 0
		}
	default:
		return nil, fmt.Errorf("%s: qcow2 version %d: %w", path, h.Version, ErrUnsupported)
	}
	if h.ClusterBits < qcow2MinClusterBits || h.ClusterBits > qcow2MaxClusterBits {
		return nil, corrupt("cluster_bits", 0x14, "%d is outside [%d, %d]", h.ClusterBits, qcow2MinClusterBits, qcow2MaxClusterBits)
	}
	m.clusterSize = 1 << h.ClusterBits
	if fileSize < int64(h.HeaderLength) && int64(h.HeaderLength) <= m.clusterSize {
		return nil, &CorruptError{Path: path, Format: "qcow2", Field: "header", Off: 0, Err: ErrTruncated}
	}
	if int64(h.HeaderLength) > m.clusterSize {
		return nil, corrupt("header_length", 0x64, "%d does not fit the first cluster of the file", h.HeaderLength)
	}
	if h.CryptMethod != 0 {
		return nil, fmt.Errorf("%s: qcow2 image encrypted (crypt_method %d): %w", path, h.CryptMethod, ErrEncrypted)
	}
	if f := h.IncompatibleFeatures; f != 0 {
		if f&incompatCorrupt != 0 {
			return nil, corrupt("incompatible_features", 0x48, "qemu marked the image corrupt; run qemu-img check -r all on a copy")
		}
		if f&incompatExternalData != 0 {
			return nil, fmt.Errorf("%s: qcow2 image with an external data file: %w", path, ErrUnsupported)
		}
		if unknown := f &^ incompatKnown; unknown != 0 {
			return nil, fmt.Errorf("%s: qcow2 incompatible feature bits %#x: %w", path, unknown, ErrUnsupported)
		}
		m.extendedL2 = f&incompatExtendedL2 != 0
	}
	if h.CompressionType != compressionZlib && h.CompressionType != compressionZstd {
		return nil, fmt.Errorf("%s: qcow2 compression type %d: %w", path, h.CompressionType, ErrUnsupported)
	}
	if h.CompressionType != compressionZlib && h.IncompatibleFeatures&incompatCompression == 0 {
		return nil, corrupt("compression_type", 0x68, "zstd without the compression-type feature bit")
	}
	if h.RefcountOrder > 6 {
		return nil, corrupt("refcount_order", 0x60, "%d > 6", h.RefcountOrder)
	}
	entry := int64(l2StandardEntry)
	if m.extendedL2 {
		if h.ClusterBits < 14 {
			return nil, corrupt("cluster_bits", 0x14, "extended L2 entries need clusters of at least 16 KiB")
		}
		entry = l2ExtendedEntry
	}
	m.l2Entries = m.clusterSize / entry
	if h.Size > qcow2MaxVirtualSize {
		return nil, corrupt("size", 0x18, "virtual size %d is beyond %d", h.Size, int64(qcow2MaxVirtualSize))
	}
	perL1 := uint64(m.l2Entries * m.clusterSize)
	need := (h.Size + perL1 - 1) / perL1
	if uint64(h.L1Size) < need {
		return nil, corrupt("l1_size", 0x24, "%d entries cannot map %d bytes (need %d)", h.L1Size, h.Size, need)
	}
	if int64(h.L1Size)*8 > qcow2MaxL1Bytes {
		return nil, corrupt("l1_size", 0x24, "%d entries is more than qemu allows", h.L1Size)
	}
	if h.L1Size > 0 {
		if h.L1TableOffset == 0 || h.L1TableOffset%uint64(m.clusterSize) != 0 {
			return nil, corrupt("l1_table_offset", 0x28, "%#x is not cluster-aligned", h.L1TableOffset)
		}
		if h.L1TableOffset > uint64(fileSize) || uint64(h.L1Size)*8 > uint64(fileSize)-h.L1TableOffset {
			return nil, &CorruptError{Path: path, Format: "qcow2", Field: "L1 table", Off: int64(h.L1TableOffset), Err: ErrTruncated}
		}
	}
	if h.BackingFileOffset != 0 {
		if h.BackingFileSize == 0 || h.BackingFileSize > qcow2MaxBackingNameLen {
			return nil, corrupt("backing_file_size", 0x10, "%d is outside [1, %d]", h.BackingFileSize, qcow2MaxBackingNameLen)
		}
		end := h.BackingFileOffset + uint64(h.BackingFileSize)
		if h.BackingFileOffset >= uint64(m.clusterSize) || end > uint64(m.clusterSize) || end > uint64(fileSize) {
			return nil, corrupt("backing_file_offset", 0x08, "name [%d, %d) is not inside the first cluster", h.BackingFileOffset, end)
		}
		name := make([]byte, h.BackingFileSize)
		if _, err := r.ReadAt(name, int64(h.BackingFileOffset)); err != nil {
			return nil, fmt.Errorf("%s: read backing file name: %w", path, err)
		}
		m.backingName = string(name)
		if strings.IndexByte(m.backingName, 0) >= 0 {
			return nil, corrupt("backing file name", int64(h.BackingFileOffset), "contains a NUL byte")
		}
	}
	if err := m.readExtensions(r, fileSize, path); err != nil {
		return nil, err
	}
	return &m, nil
}

// readExtensions walks the header extensions between the header and the
// end of the first cluster (or the backing file name).
func (m *qcow2Meta) readExtensions(r io.ReaderAt, fileSize int64, path string) error {
	end := min(m.clusterSize, fileSize)
	if m.BackingFileOffset != 0 {
		end = min(end, int64(m.BackingFileOffset))
	}
	off := int64(m.HeaderLength)
	for i := 0; off+8 <= end; i++ {
		if i > 1024 {
			return &CorruptError{Path: path, Format: "qcow2", Field: "header extensions", Off: off, Err: fmt.Errorf("too many: %w", ErrCorrupt)}
		}
		var th [8]byte
		if _, err := r.ReadAt(th[:], off); err != nil {
			return fmt.Errorf("%s: read header extension: %w", path, err)
		}
		typ, n := binary.BigEndian.Uint32(th[:4]), int64(binary.BigEndian.Uint32(th[4:]))
		if typ == extEnd {
			return nil
		}
		off += 8
		if n > end-off {
			return &CorruptError{Path: path, Format: "qcow2", Field: "header extension", Off: off - 8, Err: fmt.Errorf("length %d overruns the first cluster: %w", n, ErrCorrupt)}
		}
		data := make([]byte, n)
		if _, err := r.ReadAt(data, off); err != nil {
			return fmt.Errorf("%s: read header extension: %w", path, err)
		}
		switch typ {
		case extBackingFormat:
			m.backingFormat = string(data)
		case extExternalData:
			return fmt.Errorf("%s: qcow2 image with an external data file %q: %w", path, data, ErrUnsupported)
		case extFullDiskCrypto:
			return fmt.Errorf("%s: qcow2 image with an encryption header: %w", path, ErrEncrypted)
		}
		off += (n + 7) &^ 7
	}
	return nil
}
