package fs

import (
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
)

// MaxReadFile caps ReadFile, so a hostile guest cannot make us allocate
// without bound. Configuration files are far smaller.
const MaxReadFile = 256 << 20

// ReadFile returns the whole content of the regular file p.
func ReadFile(f FS, p string) ([]byte, error) {
	r, size, err := f.Open(p)
	if err != nil {
		return nil, err
	}
	if size > MaxReadFile {
		return nil, &iofs.PathError{Op: "read", Path: p, Err: fmt.Errorf("%w: %d bytes (limit %d)", ErrTooLarge, size, MaxReadFile)}
	}
	buf := make([]byte, size)
	n, err := r.ReadAt(buf, 0)
	if err != nil && !(errors.Is(err, io.EOF) && int64(n) == size) {
		return nil, &iofs.PathError{Op: "read", Path: p, Err: err}
	}
	return buf, nil
}

// Exists reports whether p exists (without following a final symlink).
// Errors other than "does not exist" are returned.
func Exists(f FS, p string) (bool, error) {
	_, err := f.Lstat(p)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, iofs.ErrNotExist) || errors.Is(err, ErrNotDir) {
		return false, nil
	}
	return false, err
}
