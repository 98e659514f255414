package image

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
)

// OverlayOptions tunes an Overlay. The zero value is fine.
type OverlayOptions struct {
	// BlockSize is the granularity of copy-on-write, a power of two of at
	// least 512. Default 4096.
	BlockSize int
	// MemoryLimit bounds the bytes of written blocks kept in memory; beyond
	// it blocks go to an unlinked temp file. Default 256 MiB.
	MemoryLimit int64
	// TempDir is where the spill file is made; "" means os.TempDir().
	TempDir string
}

// Overlay is a copy-on-write layer over a read-only Image: writes land in
// the overlay, reads see them over the base. It is itself an Image and a
// Mapper, safe for concurrent use. Close releases the overlay only; the
// base stays open.
type Overlay struct {
	base  Image
	bs    int64
	limit int64
	dir   string

	mu      sync.RWMutex
	mem     map[int64][]byte // block index -> contents
	spilled map[int64]int64  // block index -> offset in spill
	memUsed int64
	spill   *os.File
	spillAt int64
	closed  bool
	sorted  []int64 // changed block indices, ascending; nil when stale
}

var (
	_ Image  = (*Overlay)(nil)
	_ Mapper = (*Overlay)(nil)
)

// NewOverlay returns an empty overlay over base.
func NewOverlay(base Image, o OverlayOptions) *Overlay {
	bs := int64(o.BlockSize)
	if bs < 512 || bs&(bs-1) != 0 {
		bs = 4096
	}
	limit := o.MemoryLimit
	if limit <= 0 {
		limit = 256 << 20
	}
	return &Overlay{base: base, bs: bs, limit: limit, dir: o.TempDir,
		mem: map[int64][]byte{}, spilled: map[int64]int64{}}
}

// Size implements Image: the base's size.
func (o *Overlay) Size() int64 { return o.base.Size() }

// Base returns the image under the overlay.
func (o *Overlay) Base() Image { return o.base }

// Close releases the overlay's memory and spill file; the base stays open.
func (o *Overlay) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
	o.mem, o.spilled, o.sorted = nil, nil, nil
	if o.spill != nil {
		err := o.spill.Close()
		o.spill = nil
		return err
	}
	return nil
}

var errClosed = errors.New("overlay is closed")

func (o *Overlay) check(op string, n int, off int64) error {
	if o.closed {
		return fmt.Errorf("overlay %s: %w", op, errClosed)
	}
	if off < 0 || off > o.Size() || int64(n) > o.Size()-off {
		return fmt.Errorf("overlay %s [%d, +%d) of a %d-byte image: %w", op, off, n, o.Size(), ErrOutOfRange)
	}
	return nil
}

// ReadAt implements Image.
func (o *Overlay) ReadAt(p []byte, off int64) (int, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	if err := o.check("read", len(p), off); err != nil {
		return 0, err
	}
	end := off + int64(len(p))
	for pos := off; pos < end; {
		b := pos / o.bs
		in := pos - b*o.bs
		n := min(o.bs-in, end-pos)
		dst := p[pos-off : pos-off+n]
		if data, ok := o.mem[b]; ok {
			copy(dst, data[in:])
		} else if at, ok := o.spilled[b]; ok {
			if _, err := o.spill.ReadAt(dst, at+in); err != nil {
				return int(pos - off), fmt.Errorf("overlay spill file: %w", err)
			}
		} else {
			// Read a run of untouched blocks from the base in one call.
			for pos+n < end && !o.has((pos+n)/o.bs) {
				n = min(n+o.bs, end-pos)
			}
			if _, err := o.base.ReadAt(p[pos-off:pos-off+n], pos); err != nil {
				return int(pos - off), err
			}
		}
		pos += n
	}
	return len(p), nil
}

func (o *Overlay) has(b int64) bool {
	if _, ok := o.mem[b]; ok {
		return true
	}
	_, ok := o.spilled[b]
	return ok
}

// WriteAt implements Image: the base is never written.
func (o *Overlay) WriteAt(p []byte, off int64) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.check("write", len(p), off); err != nil {
		return 0, err
	}
	end := off + int64(len(p))
	for pos := off; pos < end; {
		b := pos / o.bs
		in := pos - b*o.bs
		n := min(o.bs-in, end-pos)
		if err := o.writeBlock(b, in, p[pos-off:pos-off+n]); err != nil {
			return int(pos - off), err
		}
		pos += n
	}
	return len(p), nil
}

// writeBlock writes src at offset in of block b, copying the block from
// the base first when src does not cover it.
func (o *Overlay) writeBlock(b, in int64, src []byte) error {
	if data, ok := o.mem[b]; ok {
		copy(data[in:], src)
		return nil
	}
	if at, ok := o.spilled[b]; ok {
		if _, err := o.spill.WriteAt(src, at+in); err != nil {
			return fmt.Errorf("overlay spill file: %w", err)
		}
		return nil
	}
	start := b * o.bs
	blen := min(o.bs, o.Size()-start)
	data := make([]byte, blen)
	if int64(len(src)) < blen {
		if _, err := o.base.ReadAt(data, start); err != nil {
			return err
		}
	}
	copy(data[in:], src)
	o.sorted = nil
	if o.memUsed+blen <= o.limit {
		o.mem[b] = data
		o.memUsed += blen
		return nil
	}
	if o.spill == nil {
		f, err := os.CreateTemp(o.dir, "overlay-*.spill")
		if err != nil {
			return fmt.Errorf("overlay spill file: %w", err)
		}
		os.Remove(f.Name()) // unlinked: nothing is left behind
		o.spill = f
	}
	if _, err := o.spill.WriteAt(data, o.spillAt); err != nil {
		return fmt.Errorf("overlay spill file: %w", err)
	}
	o.spilled[b] = o.spillAt
	o.spillAt += o.bs
	return nil
}

// changedBlocks returns the changed block indices in order (call with at
// least the read lock; the cache is rebuilt under the write lock).
func (o *Overlay) changedBlocks() []int64 {
	if o.sorted != nil {
		return o.sorted
	}
	s := make([]int64, 0, len(o.mem)+len(o.spilled))
	for b := range o.mem {
		s = append(s, b)
	}
	for b := range o.spilled {
		s = append(s, b)
	}
	slices.Sort(s)
	return s
}

func (o *Overlay) sortedBlocks() []int64 {
	o.mu.RLock()
	s := o.sorted
	o.mu.RUnlock()
	if s != nil {
		return s
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return nil
	}
	o.sorted = o.changedBlocks()
	return o.sorted
}

// ChangedRanges returns the byte ranges written through the overlay, in
// order, merged, at block granularity and clipped to Size().
func (o *Overlay) ChangedRanges() []Range {
	var rs []Range
	for _, b := range o.sortedBlocks() {
		start := b * o.bs
		n := min(o.bs, o.Size()-start)
		if k := len(rs) - 1; k >= 0 && rs[k].End() == start {
			rs[k].Len += n
			continue
		}
		rs = append(rs, Range{Off: start, Len: n})
	}
	return rs
}

// DataExtent implements Mapper: changed blocks are data; elsewhere the
// base's map applies (data everywhere if the base has none).
func (o *Overlay) DataExtent(off int64) (bool, int64, error) {
	if off < 0 || off >= o.Size() {
		return false, 0, ErrOutOfRange
	}
	s := o.sortedBlocks()
	b := off / o.bs
	i, found := slices.BinarySearch(s, b)
	if found {
		j := i
		for j+1 < len(s) && s[j+1] == s[j]+1 {
			j++
		}
		return true, min((s[j]+1)*o.bs, o.Size()) - off, nil
	}
	limit := o.Size()
	if i < len(s) {
		limit = s[i] * o.bs
	}
	mp, ok := o.base.(Mapper)
	if !ok {
		return true, limit - off, nil
	}
	data, n, err := mp.DataExtent(off)
	if err != nil {
		return true, limit - off, err
	}
	return data, min(n, limit-off), nil
}
