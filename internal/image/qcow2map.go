package image

import (
	"encoding/binary"
	"fmt"
	"io"
)

// loadL1 reads the L1 table (at most qcow2MaxL1Bytes, checked by
// readQcow2Meta) and checks that every L2 table it points to lies inside
// the file and is cluster-aligned. Only the entries that map the virtual
// size are kept.
func loadL1(r io.ReaderAt, m *qcow2Meta, fileSize int64, path string) ([]uint64, error) {
	perL1 := m.l2Entries * m.clusterSize
	n := (int64(m.Size) + perL1 - 1) / perL1
	if n == 0 {
		return nil, nil
	}
	buf := make([]byte, n*8)
	if _, err := r.ReadAt(buf, int64(m.L1TableOffset)); err != nil {
		return nil, &CorruptError{Path: path, Format: "qcow2", Field: "L1 table", Off: int64(m.L1TableOffset), Err: fmt.Errorf("%v: %w", err, ErrTruncated)}
	}
	l1 := make([]uint64, n)
	seen := make(map[uint64]bool)
	for i := range l1 {
		e := binary.BigEndian.Uint64(buf[i*8:])
		l2 := e & l1OffsetMask
		where := int64(m.L1TableOffset) + int64(i)*8
		if l2 == 0 {
			continue
		}
		if l2%uint64(m.clusterSize) != 0 {
			return nil, &CorruptError{Path: path, Format: "qcow2", Field: fmt.Sprintf("L1 entry %d", i), Off: where,
				Err: fmt.Errorf("L2 table offset %#x is not cluster-aligned: %w", l2, ErrCorrupt)}
		}
		if l2 > uint64(fileSize) || uint64(m.clusterSize) > uint64(fileSize)-l2 {
			return nil, &CorruptError{Path: path, Format: "qcow2", Field: fmt.Sprintf("L1 entry %d (L2 table at %#x)", i, l2), Off: where, Err: ErrTruncated}
		}
		if seen[l2] {
			// Each L2 table of the active L1 is its own; sharing one would
			// also let a small file make the L2 scan read it many times.
			return nil, &CorruptError{Path: path, Format: "qcow2", Field: fmt.Sprintf("L1 entry %d", i), Off: where,
				Err: fmt.Errorf("L2 table %#x is used twice: %w", l2, ErrCorrupt)}
		}
		seen[l2] = true
		l1[i] = l2
	}
	return l1, nil
}

// compressedLoc decodes a compressed cluster descriptor (qcow2.txt
// "Compressed Clusters Descriptor"): host offset and length in bytes of the
// compressed data, which ends on a 512-byte sector boundary or earlier.
func (m *qcow2Meta) compressedLoc(e uint64) (host, length int64) {
	x := 62 - (m.ClusterBits - 8)
	host = int64(e & (1<<x - 1))
	sectors := int64((e&(1<<62-1))>>x) + 1
	return host, sectors*512 - host%512
}

// scanL2 reads every L2 table once and checks that each data cluster it
// maps starts inside the file: a file cut short (a partial copy) is refused
// here rather than read as zeros later. One cluster of memory.
func scanL2(r io.ReaderAt, m *qcow2Meta, l1 []uint64, fileSize int64, path string) error {
	entry := int64(l2StandardEntry)
	if m.extendedL2 {
		entry = l2ExtendedEntry
	}
	buf := make([]byte, m.clusterSize)
	for i, l2 := range l1 {
		if l2 == 0 {
			continue
		}
		if _, err := r.ReadAt(buf, int64(l2)); err != nil {
			return &CorruptError{Path: path, Format: "qcow2", Field: fmt.Sprintf("L2 table %d", i), Off: int64(l2), Err: fmt.Errorf("%v: %w", err, ErrTruncated)}
		}
		for j := int64(0); j < m.l2Entries; j++ {
			e := binary.BigEndian.Uint64(buf[j*entry:])
			where := int64(l2) + j*entry
			field := func() string { return fmt.Sprintf("L2 entry %d of table %d", j, i) }
			if e&l2Compressed != 0 {
				host, _ := m.compressedLoc(e)
				if host == 0 || host >= fileSize {
					return &CorruptError{Path: path, Format: "qcow2", Field: field(), Off: where,
						Err: fmt.Errorf("compressed cluster at %#x: %w", host, ErrTruncated)}
				}
				continue
			}
			host := e & l2OffsetMask
			if m.extendedL2 {
				bm := binary.BigEndian.Uint64(buf[j*entry+8:])
				if host == 0 && uint32(bm) != 0 {
					return &CorruptError{Path: path, Format: "qcow2", Field: field(), Off: where,
						Err: fmt.Errorf("allocated subclusters without a host cluster: %w", ErrCorrupt)}
				}
			}
			if host == 0 {
				continue
			}
			if host%uint64(m.clusterSize) != 0 {
				return &CorruptError{Path: path, Format: "qcow2", Field: field(), Off: where,
					Err: fmt.Errorf("data cluster offset %#x is not cluster-aligned: %w", host, ErrCorrupt)}
			}
			if host >= uint64(fileSize) {
				return &CorruptError{Path: path, Format: "qcow2", Field: field(), Off: where,
					Err: fmt.Errorf("data cluster at %#x, file ends at %#x: %w", host, fileSize, ErrTruncated)}
			}
		}
	}
	return nil
}
