package image

import (
	"errors"
	"fmt"
)

// More sentinels for Open and Export refusals. Match with errors.Is; most
// also match ErrUnsupported or ErrCorrupt.
var (
	// ErrEmpty is returned by Open for a zero-length file.
	ErrEmpty = errors.New("empty file: not a disk image")
	// ErrEncrypted marks an encrypted image (LUKS, qcow2 AES or LUKS).
	ErrEncrypted = fmt.Errorf("encrypted image: %w", ErrUnsupported)
	// ErrTruncated marks an image whose metadata points beyond the end of
	// the file (a partial copy or download).
	ErrTruncated = fmt.Errorf("truncated image (metadata points beyond the end of the file): %w", ErrCorrupt)
	// ErrMissingBacking is returned when a backing file cannot be opened.
	ErrMissingBacking = errors.New("backing file not found")
	// ErrBackingLoop is returned when a backing chain refers to itself.
	ErrBackingLoop = errors.New("backing file chain loops")
	// ErrBackingDepth is returned when a backing chain is deeper than
	// MaxBackingDepth.
	ErrBackingDepth = errors.New("backing file chain too deep")
	// ErrShrink is returned by Export when asked for a smaller virtual size.
	ErrShrink = errors.New("export cannot shrink the virtual size")
	// ErrSameFile is returned by Export when the destination is an input.
	ErrSameFile = errors.New("destination is one of the input files")
)

// CorruptError says where an image's metadata is inconsistent. It matches
// ErrCorrupt (and ErrTruncated when Err is ErrTruncated).
type CorruptError struct {
	Path   string // the image file
	Format string // "qcow2"
	Field  string // the header field or table at fault
	Off    int64  // its offset in the file, -1 if not meaningful
	Err    error  // ErrCorrupt, ErrTruncated or a wrapped detail
}

func (e *CorruptError) Error() string {
	where := e.Field
	if e.Off >= 0 {
		where = fmt.Sprintf("%s at offset %d", e.Field, e.Off)
	}
	return fmt.Sprintf("%s: %s image: %s: %v", e.Path, e.Format, where, e.Err)
}

// Unwrap returns the underlying sentinel.
func (e *CorruptError) Unwrap() error { return e.Err }
