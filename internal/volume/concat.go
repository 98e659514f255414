package volume

import (
	"fmt"
	"sort"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

// Concat is an Image made of byte ranges of a parent Image laid end to
// end: a logical volume whose extents are not contiguous on the disk.
// Reads and writes that cross a boundary are split; nothing outside the
// ranges is ever touched. Close does not close the parent.
type Concat struct {
	parent image.Image
	parts  []image.Range // parent ranges, in order
	starts []int64       // starts[i]: the Concat offset of parts[i]
	size   int64
}

var _ image.Image = (*Concat)(nil)

// NewConcat returns the concatenation of the parent ranges parts, each of
// which must lie inside parent and be non-empty.
func NewConcat(parent image.Image, parts []image.Range) (*Concat, error) {
	c := &Concat{parent: parent, parts: append([]image.Range(nil), parts...)}
	for _, p := range parts {
		if p.Off < 0 || p.Len <= 0 || p.Off > parent.Size() || p.Len > parent.Size()-p.Off {
			return nil, fmt.Errorf("range [%d, +%d) of a %d-byte image: %w", p.Off, p.Len, parent.Size(), image.ErrOutOfRange)
		}
		c.starts = append(c.starts, c.size)
		c.size += p.Len
	}
	return c, nil
}

// Parts returns the parent ranges, in order.
func (c *Concat) Parts() []image.Range { return append([]image.Range(nil), c.parts...) }

// Size implements image.Image.
func (c *Concat) Size() int64 { return c.size }

// ReadAt implements image.Image.
func (c *Concat) ReadAt(p []byte, off int64) (int, error) {
	return c.do("read", p, off, c.parent.ReadAt)
}

// WriteAt implements image.Image.
func (c *Concat) WriteAt(p []byte, off int64) (int, error) {
	return c.do("write", p, off, c.parent.WriteAt)
}

func (c *Concat) do(op string, p []byte, off int64, f func([]byte, int64) (int, error)) (int, error) {
	if off < 0 || off > c.size || int64(len(p)) > c.size-off {
		return 0, fmt.Errorf("%s [%d, +%d) of a %d-byte volume: %w", op, off, len(p), c.size, image.ErrOutOfRange)
	}
	done := 0
	for done < len(p) {
		pos := off + int64(done)
		i := sort.Search(len(c.starts), func(i int) bool { return c.starts[i] > pos }) - 1
		in := pos - c.starts[i]
		n := int(min(int64(len(p)-done), c.parts[i].Len-in))
		m, err := f(p[done:done+n], c.parts[i].Off+in)
		done += m
		if err != nil {
			return done, err
		}
		if m < n {
			return done, fmt.Errorf("short %s at %d: %w", op, pos, image.ErrOutOfRange)
		}
	}
	return done, nil
}

// Close implements image.Image; the parent stays open.
func (c *Concat) Close() error { return nil }

// DiskRanges translates a byte range of the volume into the disk-absolute
// ranges holding it, split where the volume's segments end: one range for
// a partition, one per segment crossed for a multi-segment LV.
func (v Volume) DiskRanges(r image.Range) ([]image.Range, error) {
	if r.Off < 0 || r.Len < 0 || r.Off > v.Size || r.Len > v.Size-r.Off {
		return nil, fmt.Errorf("%s: range [%d, +%d) outside the %d-byte volume: %w", v.Name, r.Off, r.Len, v.Size, image.ErrOutOfRange)
	}
	if r.Len == 0 {
		return nil, nil
	}
	if v.Segments == nil {
		return []image.Range{{Off: v.Offset + r.Off, Len: r.Len}}, nil
	}
	var out []image.Range
	var start int64
	for _, s := range v.Segments {
		lo, hi := max(r.Off, start), min(r.End(), start+s.Len)
		if lo < hi {
			out = append(out, image.Range{Off: s.Off + lo - start, Len: hi - lo})
		}
		start += s.Len
	}
	return out, nil
}
