package xfs

import (
	"fmt"
)

// unsupported refuses an operation the engine cannot do safely yet.
func (f *FS) unsupported(op, p, what string) error {
	if err := f.canWrite(); err != nil {
		return perr(op, p, err)
	}
	return perr(op, p, fmt.Errorf("xfs: %s: %s is not supported by the XFS engine yet: %w", f.name, what, errUnsupported))
}

// SetXattr implements fs.FS.
func (f *FS) SetXattr(p, name string, value []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unsupported("setxattr", p, "setting an extended attribute")
}

// RemoveXattr implements fs.FS.
func (f *FS) RemoveXattr(p, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unsupported("removexattr", p, "removing an extended attribute")
}
