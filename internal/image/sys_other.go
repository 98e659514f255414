//go:build !linux

package image

import (
	"errors"
	"os"
)

// seekData: without Linux's SEEK_DATA semantics, everything may be data.
func seekData(f *os.File, off, size int64) (bool, int64) { return true, size - off }

// preallocate is not attempted outside Linux.
func preallocate(f *os.File, off, n int64) error { return errors.ErrUnsupported }

// startWriteback is a no-op outside Linux.
func startWriteback(f *os.File, off, n int64) {}
