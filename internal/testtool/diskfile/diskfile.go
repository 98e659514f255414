// Package diskfile opens a raw image file as a read-write image.Image for
// tests of the layers above the image layer (volumes, engines, guests): the
// real file, read and written at byte offsets, with the bounds checks every
// Image has. It lives apart from testtool because the image package's own
// tests use testtool.
package diskfile

import (
	"fmt"
	"os"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

// File is a raw disk image file as an image.Image.
type File struct {
	f    *os.File
	size int64
}

var _ image.Image = (*File)(nil)

// Open opens path read-write; it is closed when the test ends.
func Open(t testing.TB, path string) *File {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &File{f: f, size: st.Size()}
}

// ReadAt implements image.Image.
func (i *File) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > i.size || int64(len(p)) > i.size-off {
		return 0, fmt.Errorf("read [%d,+%d) of a %d-byte file: %w", off, len(p), i.size, image.ErrOutOfRange)
	}
	return i.f.ReadAt(p, off)
}

// WriteAt implements image.Image.
func (i *File) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off > i.size || int64(len(p)) > i.size-off {
		return 0, fmt.Errorf("write [%d,+%d) of a %d-byte file: %w", off, len(p), i.size, image.ErrOutOfRange)
	}
	return i.f.WriteAt(p, off)
}

// Size implements image.Image.
func (i *File) Size() int64 { return i.size }

// Close implements image.Image; the file itself is closed at test cleanup.
func (i *File) Close() error { return nil }
