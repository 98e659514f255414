// Package image opens disk images (qcow2, raw), layers a copy-on-write
// overlay over them and exports the result as a new image.
//
// Everything above this package sees a disk as an Image: random access by
// byte offset, never a shared file position.
package image

import (
	"errors"
	"io"
)

// Image is a disk (or a window of one) addressed by byte offset.
// ReadAt and WriteAt are safe for concurrent use. A short read is an error;
// reads or writes that cross Size() fail. Writes to a read-only image return
// an error wrapping ErrReadOnly.
type Image interface {
	io.ReaderAt
	io.WriterAt
	Size() int64
	Close() error
}

// Range is a byte range [Off, Off+Len) of an image or volume.
type Range struct {
	Off int64
	Len int64
}

// End returns the first byte after the range.
func (r Range) End() int64 { return r.Off + r.Len }

// Sentinels. Match with errors.Is.
var (
	// ErrReadOnly is returned by WriteAt on an image opened read-only.
	ErrReadOnly = errors.New("image is read-only")
	// ErrUnknownFormat is returned (wrapped) by a format probe that does not
	// recognise the content, so Open can try the next format.
	ErrUnknownFormat = errors.New("unknown image format")
	// ErrUnsupported marks a recognised but unsupported format or feature.
	// It also matches errors.ErrUnsupported.
	ErrUnsupported error = unsupportedError{}
	// ErrCorrupt marks an image whose metadata is inconsistent.
	ErrCorrupt = errors.New("corrupt image")
	// ErrOutOfRange is returned for an access outside [0, Size()).
	ErrOutOfRange = errors.New("access outside the image")
)

// unsupportedError reads "not supported" and matches errors.ErrUnsupported,
// so messages say "vmdk image: not supported (...)", not the standard
// library's "unsupported operation".
type unsupportedError struct{}

func (unsupportedError) Error() string        { return "not supported" }
func (unsupportedError) Is(target error) bool { return target == errors.ErrUnsupported }
