package image

import "fmt"

// Section is a bounded window [off, off+size) of another Image: a partition
// or a logical volume. It is itself an Image; Close does not close the parent.
type Section struct {
	parent Image
	off    int64
	size   int64
}

var _ Image = (*Section)(nil)

// NewSection returns the window of parent starting at off, size bytes long.
func NewSection(parent Image, off, size int64) (*Section, error) {
	if off < 0 || size < 0 || off > parent.Size() || size > parent.Size()-off {
		return nil, fmt.Errorf("section [%d, +%d) of a %d-byte image: %w", off, size, parent.Size(), ErrOutOfRange)
	}
	return &Section{parent: parent, off: off, size: size}, nil
}

// Offset returns where the section starts in its parent.
func (s *Section) Offset() int64 { return s.off }

// Size implements Image.
func (s *Section) Size() int64 { return s.size }

// ReadAt implements Image.
func (s *Section) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > s.size || int64(len(p)) > s.size-off {
		return 0, fmt.Errorf("read [%d, +%d) of a %d-byte section: %w", off, len(p), s.size, ErrOutOfRange)
	}
	return s.parent.ReadAt(p, s.off+off)
}

// WriteAt implements Image.
func (s *Section) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off > s.size || int64(len(p)) > s.size-off {
		return 0, fmt.Errorf("write [%d, +%d) of a %d-byte section: %w", off, len(p), s.size, ErrOutOfRange)
	}
	return s.parent.WriteAt(p, s.off+off)
}

// Close implements Image; the parent stays open.
func (s *Section) Close() error { return nil }
