package xfs

import (
	iofs "io/fs"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

var (
	errUnsupported = fs.ErrUnsupported
	errNoSpace     = fs.ErrNoSpace
)

func perr(op, p string, err error) error { return &iofs.PathError{Op: op, Path: p, Err: err} }

// unwrapPath strips a *PathError so the caller can wrap with its own op.
func unwrapPath(err error) error {
	if pe, ok := err.(*iofs.PathError); ok {
		return pe.Err
	}
	return err
}

var errCorruptDir = fs.ErrCorrupt
