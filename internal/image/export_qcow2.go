package image

import (
	"encoding/binary"
	"fmt"
	"os"
)

// qcow2Writer streams a qcow2 v3 image (compat 1.1, refcount order 4, no
// lazy refcounts, no backing file) in one pass:
//
//	cluster 0            header (written last)
//	clusters 1..         data clusters and L2 tables, in virtual order; each
//	                     L2 table follows the data it maps
//	then                 L1 table, refcount table, refcount blocks
//
// Memory: the L1 table, one L2 table and 2 bytes of refcount per host
// cluster (4 MiB for a 128 GiB output with 64 KiB clusters).
type qcow2Writer struct {
	f       *os.File
	c       *exportConfig
	cs      int64
	l1      []uint64
	l2      []byte // current L2 table, big-endian entries
	l2Index int64  // which L1 slot l2 belongs to; -1 none
	end     int64  // next free cluster-aligned host offset
	cbyte   int64  // next free byte for compressed data; 0: none open
	refs    []uint16
	stored  int64
	out     *writeBehind
}

func newQcow2Writer(f *os.File, c *exportConfig) (*qcow2Writer, error) {
	perL1 := c.cluster / 8 * c.cluster
	return &qcow2Writer{f: f, c: c, cs: c.cluster, l1: make([]uint64, (c.vsize+perL1-1)/perL1),
		l2Index: -1, end: c.cluster, refs: []uint16{1}, out: newWriteBehind(f, true)}, nil
}

// ref counts one more reference to every host cluster in [off, off+n).
func (w *qcow2Writer) ref(off, n int64) {
	for c := off / w.cs; c <= (off+n-1)/w.cs; c++ {
		for int64(len(w.refs)) <= c {
			w.refs = append(w.refs, 0)
		}
		w.refs[c]++
	}
}

// alloc returns n bytes of fresh cluster-aligned host space.
func (w *qcow2Writer) alloc(n int64) int64 {
	if w.cbyte != 0 {
		w.end = (w.cbyte + w.cs - 1) / w.cs * w.cs
		w.cbyte = 0
	}
	off := w.end
	w.end += (n + w.cs - 1) / w.cs * w.cs
	w.ref(off, w.end-off)
	return off
}

func (w *qcow2Writer) put(idx int64, data []byte, compressed bool) error {
	entries := w.cs / 8
	if l1i := idx / entries; l1i != w.l2Index {
		if err := w.flushL2(); err != nil {
			return err
		}
		w.l2Index = l1i
		if w.l2 == nil {
			w.l2 = make([]byte, w.cs)
		}
		clear(w.l2)
	}
	var entry uint64
	if compressed {
		// Compressed data is packed at byte granularity and may run into
		// the next host cluster (qcow2.txt "Compressed Clusters Descriptor").
		if w.cbyte == 0 {
			w.cbyte = w.end
		}
		off, n := w.cbyte, int64(len(data))
		if err := w.out.writeAt(data, off); err != nil {
			return err
		}
		sectors := (off+n-1)/512 - off/512 // additional 512-byte sectors
		w.ref(off/512*512, (sectors+1)*512)
		x := 62 - (uint(w.c.clusterBits()) - 8)
		entry = l2Compressed | uint64(sectors)<<x | uint64(off)
		w.cbyte = off + n
		w.end = (w.cbyte + w.cs - 1) / w.cs * w.cs
		w.stored += int64(len(data))
	} else {
		off := w.alloc(w.cs)
		if err := w.out.writeAt(data, off); err != nil {
			return err
		}
		entry = l2CopiedFlag | uint64(off)
		w.stored += w.cs
	}
	binary.BigEndian.PutUint64(w.l2[idx%entries*8:], entry)
	return nil
}

// flushL2 writes the current L2 table after the data it maps.
func (w *qcow2Writer) flushL2() error {
	if w.l2Index < 0 {
		return nil
	}
	off := w.alloc(w.cs)
	if err := w.out.writeAt(w.l2, off); err != nil {
		return err
	}
	w.l1[w.l2Index] = l2CopiedFlag | uint64(off)
	w.l2Index = -1
	return nil
}

func (c *exportConfig) clusterBits() int {
	b := 0
	for int64(1)<<b < c.cluster {
		b++
	}
	return b
}

func (w *qcow2Writer) finish() (int64, error) {
	if err := w.flushL2(); err != nil {
		return 0, err
	}
	if err := w.out.flush(); err != nil {
		return 0, err
	}
	// L1 table.
	l1 := make([]byte, max(len(w.l1)*8, 8))
	for i, e := range w.l1 {
		binary.BigEndian.PutUint64(l1[i*8:], e)
	}
	l1Off := w.alloc(int64(len(l1)))
	if _, err := w.f.WriteAt(l1, l1Off); err != nil {
		return 0, err
	}
	// Refcount table and blocks cover every cluster, themselves included:
	// find the smallest layout that does.
	perBlock := w.cs / 2 // 16-bit refcounts
	base := w.end / w.cs
	var blocks, tableClusters int64
	for {
		total := base + tableClusters + blocks
		nb := (total + perBlock - 1) / perBlock
		nt := (nb*8 + w.cs - 1) / w.cs
		if nb == blocks && nt == tableClusters {
			break
		}
		blocks, tableClusters = nb, nt
	}
	tableOff := w.alloc(tableClusters * w.cs)
	blocksOff := w.alloc(blocks * w.cs)
	if int64(len(w.refs)) != w.end/w.cs {
		return 0, fmt.Errorf("qcow2 writer: %d refcounts for %d clusters", len(w.refs), w.end/w.cs)
	}
	table := make([]byte, tableClusters*w.cs)
	block := make([]byte, w.cs)
	for b := range blocks {
		clear(block)
		for i := range perBlock {
			c := b*perBlock + i
			if c >= int64(len(w.refs)) {
				break
			}
			binary.BigEndian.PutUint16(block[i*2:], w.refs[c])
		}
		off := blocksOff + b*w.cs
		if _, err := w.f.WriteAt(block, off); err != nil {
			return 0, err
		}
		binary.BigEndian.PutUint64(table[b*8:], uint64(off))
	}
	if _, err := w.f.WriteAt(table, tableOff); err != nil {
		return 0, err
	}
	h := qcow2Header{
		Version:               3,
		ClusterBits:           uint32(w.c.clusterBits()),
		Size:                  uint64(w.c.vsize),
		L1Size:                uint32(len(w.l1)),
		L1TableOffset:         uint64(l1Off),
		RefcountTableOffset:   uint64(tableOff),
		RefcountTableClusters: uint32(tableClusters),
		RefcountOrder:         4,
		HeaderLength:          qcow2HeaderSize,
	}
	copy(h.Magic[:], qcow2Magic)
	if w.c.compression == "zstd" {
		h.IncompatibleFeatures |= incompatCompression
		h.CompressionType = compressionZstd
	}
	hdr, err := binary.Append(nil, binary.BigEndian, &h)
	if err != nil {
		return 0, err
	}
	// The header extension area ends with an end marker: the zeros that
	// follow in cluster 0 (never written, so they read as zeros).
	hdr = append(hdr, make([]byte, 8)...)
	if _, err := w.f.WriteAt(hdr, 0); err != nil {
		return 0, err
	}
	if err := w.f.Truncate(w.end); err != nil {
		return 0, err
	}
	return w.stored, nil
}

func (w *qcow2Writer) abort() { w.out.flush() }
