package image

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Mapper is implemented by images that know where their data is, so the
// exporter can skip holes without reading them. DataExtent reports whether
// the bytes from off may hold data (false: they read as zeros for sure)
// and how many bytes from off (at least 1, at most Size()-off) share that
// answer.
type Mapper interface {
	DataExtent(off int64) (data bool, n int64, err error)
}

// paddedFile reads a file and returns zeros beyond its end: qemu treats the
// tail of a last, partly written cluster that way. Open checks that no
// cluster starts beyond the end, so padding never hides a truncation.
type paddedFile struct {
	f    *os.File
	size int64
}

func (p *paddedFile) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, ErrOutOfRange
	}
	n := 0
	if off < p.size {
		m := min(int64(len(b)), p.size-off)
		k, err := p.f.ReadAt(b[:m], off)
		if err != nil && !(errors.Is(err, io.EOF) && int64(k) == m) {
			return k, err
		}
		n = k
	}
	clear(b[n:])
	return len(b), nil
}

// rawImage is a raw disk image file, read-only.
type rawImage struct {
	f    *os.File
	size int64
	path string
}

var (
	_ Image  = (*rawImage)(nil)
	_ Mapper = (*rawImage)(nil)
)

func (r *rawImage) Size() int64 { return r.size }

func (r *rawImage) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > r.size || int64(len(p)) > r.size-off {
		return 0, fmt.Errorf("%s: read [%d, +%d) of a %d-byte image: %w", r.path, off, len(p), r.size, ErrOutOfRange)
	}
	n, err := r.f.ReadAt(p, off)
	if n == len(p) {
		return n, nil
	}
	return n, fmt.Errorf("%s: %w", r.path, err)
}

func (r *rawImage) WriteAt(p []byte, off int64) (int, error) {
	return 0, fmt.Errorf("%s: %w", r.path, ErrReadOnly)
}

func (r *rawImage) Close() error { return r.f.Close() }

// DataExtent implements Mapper (see seekData).
func (r *rawImage) DataExtent(off int64) (bool, int64, error) {
	if off < 0 || off >= r.size {
		return false, 0, ErrOutOfRange
	}
	data, n := seekData(r.f, off, r.size)
	return data, n, nil
}
